/**
 * The simulators' controllable clock.
 *
 * Contract: time flows with the wall clock (so a sim left alone behaves like the real service), plus an offset
 * that tests move with `advance` or `set`. Moving the clock forward steps through every timer that falls due on
 * the way, in due order, with now() reading that timer's due time while it runs, so a timer scheduled by another
 * timer (a retry 1 s after a failed delivery) still fires within the same advance. All of it happens before
 * `advance`/`set` resolves, so "advance 1 h, then assert the subscription expired" needs no sleeps. The clock never moves backwards: `set` to an earlier instant is refused, because token expiry,
 * trigger_id expiry and delta cursors would otherwise give answers the real service never gives.
 */
export interface SimTimer {
  cancel(): void;
}

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void | Promise<void>;
  handle: NodeJS.Timeout | undefined;
  cancelled: boolean;
}

export class SimClock {
  #offsetMs = 0;
  #seq = 0;
  readonly #timers = new Set<PendingTimer>();

  /** @param startAt optional instant (ms since epoch) the clock reads at creation. */
  constructor(startAt?: number) {
    if (startAt !== undefined) this.#offsetMs = startAt - Date.now();
  }

  /** Milliseconds since the Unix epoch on the simulated clock. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** The simulated time as a Date. */
  date(): Date {
    return new Date(this.now());
  }

  /** Moves the clock forward by `ms` (≥ 0) and runs every timer that became due. */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance needs a finite ms ≥ 0, got ${ms}`);
    const target = this.now() + ms;
    for (;;) {
      const next = this.#nextDue(target);
      if (!next) break;
      // Step to the timer's due time (never backwards: a timer already overdue runs at the current time).
      if (next.due > this.now()) this.#offsetMs += next.due - this.now();
      await this.#fire(next);
    }
    if (target > this.now()) this.#offsetMs += target - this.now();
  }

  /** Jumps to `at` (ms since epoch); refused if it is before now. */
  async set(at: number): Promise<void> {
    const now = this.now();
    if (!Number.isFinite(at) || at < now)
      throw new RangeError(`the clock cannot go back (now ${now}, asked ${at})`);
    await this.advance(at - now);
  }

  /** Runs `fn` once when the simulated clock reaches `at` (real time passing or `advance`, whichever is first). */
  at(at: number, fn: () => void | Promise<void>): SimTimer {
    const timer: PendingTimer = { due: at, seq: this.#seq++, fn, handle: undefined, cancelled: false };
    this.#timers.add(timer);
    this.#arm(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        if (timer.handle) clearTimeout(timer.handle);
        this.#timers.delete(timer);
      },
    };
  }

  /** Runs `fn` once after `ms` of simulated time. */
  after(ms: number, fn: () => void | Promise<void>): SimTimer {
    return this.at(this.now() + ms, fn);
  }

  /** Cancels every pending timer (sim shutdown). */
  dispose(): void {
    for (const t of this.#timers) {
      t.cancelled = true;
      if (t.handle) clearTimeout(t.handle);
    }
    this.#timers.clear();
  }

  #arm(timer: PendingTimer): void {
    if (timer.handle) clearTimeout(timer.handle);
    // setTimeout caps at 2^31-1 ms; a longer wait re-arms itself when it fires early.
    const wait = Math.min(Math.max(0, timer.due - this.now()), 2 ** 31 - 1);
    timer.handle = setTimeout(() => {
      if (timer.due <= this.now()) void this.#fire(timer);
      else this.#arm(timer);
    }, wait);
    timer.handle.unref();
  }

  async #fire(timer: PendingTimer): Promise<void> {
    if (timer.cancelled || !this.#timers.has(timer)) return;
    this.#timers.delete(timer);
    if (timer.handle) clearTimeout(timer.handle);
    await timer.fn();
  }

  /** The earliest pending timer due at or before `limit`, ties broken by creation order. */
  #nextDue(limit: number): PendingTimer | undefined {
    let next: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.due > limit) continue;
      if (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
    }
    return next;
  }
}
