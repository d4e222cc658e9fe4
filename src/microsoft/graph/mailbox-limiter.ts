/**
 * At most `limit` requests in flight per key (Outlook allows 4 concurrent requests per app and mailbox;
 * a fifth is answered 429 MailboxConcurrency). Waiters are served in arrival order. Process-local: each
 * replica keeps its own count, which is why Graph's 429 + Retry-After handling stays the backstop.
 */
export class MailboxLimiter {
  readonly #limit: number;
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, (() => void)[]>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves with a release function once a slot for `key` is free. Release exactly once. */
  async acquire(key: string): Promise<() => void> {
    const active = this.#active.get(key) ?? 0;
    if (active < this.#limit) {
      this.#active.set(key, active + 1);
    } else {
      await new Promise<void>((resolve) => {
        const queue = this.#waiting.get(key) ?? [];
        queue.push(resolve);
        this.#waiting.set(key, queue);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.get(key)?.shift();
      if (next) {
        next(); // the slot passes straight to the next waiter
        return;
      }
      if (this.#waiting.get(key)?.length === 0) this.#waiting.delete(key);
      const n = (this.#active.get(key) ?? 1) - 1;
      if (n <= 0) this.#active.delete(key);
      else this.#active.set(key, n);
    };
  }

  /** Acquires several keys in a fixed order (no deadlock between two multi-key holders). */
  async acquireAll(keys: Iterable<string>): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const key of [...new Set(keys)].sort()) releases.push(await this.acquire(key));
    return () => {
      for (const r of releases.reverse()) r();
    };
  }

  /** In-flight requests for `key` (tests, diagnostics). */
  inFlight(key: string): number {
    return this.#active.get(key) ?? 0;
  }
}
