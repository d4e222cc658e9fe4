import { Writable } from 'node:stream';

/** Sends one message to every integration admin (the Mattermost edge provides it once it is up). */
export type AdminDm = (text: string) => Promise<void>;

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields pino adds to every line; the rest is the line's context. */
const baseFields = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg', adminLogMarker()]);

/** Lines logged while forwarding carry this field so they are never forwarded again (no feedback loop). */
export function adminLogMarker(): string {
  return 'adminLogForwarding';
}

export interface AdminLogOptions {
  verbose: boolean;
  /** DMs per window before lines are only counted; the count is reported in the next window's first DM. */
  maxPerWindow?: number;
  windowMs?: number;
  now?: () => number;
}

/**
 * A pino destination that copies log lines to admins as DMs ("(log WARN) message", plus a JSON block of
 * the line's context when verbose). The lines it receives are already redacted by pino, so secrets stay out.
 * Contract: never throws into the logger; before `attach` (start-up), keeps the last 20 lines and sends them
 * once attached; at most `maxPerWindow` DMs per window, counting the rest; a failing DM is dropped, not retried,
 * and its own error line is not forwarded.
 */
export class AdminLogForwarder extends Writable {
  readonly #options: Required<AdminLogOptions>;
  #send: AdminDm | undefined;
  #pending: string[] = [];
  #windowStart = 0;
  #sentInWindow = 0;
  #suppressed = 0;

  constructor(options: AdminLogOptions) {
    super({ decodeStrings: false });
    this.#options = { maxPerWindow: 10, windowMs: 60_000, now: Date.now, ...options };
  }

  /** Starts delivering, first the lines logged before the edge was up. */
  attach(send: AdminDm): void {
    this.#send = send;
    const waiting = this.#pending;
    this.#pending = [];
    for (const text of waiting) this.#deliver(text);
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    for (const line of String(chunk).split('\n')) {
      if (line.trim() === '') continue;
      const text = this.#format(line);
      if (text === undefined) continue;
      if (this.#send) this.#deliver(text);
      else {
        this.#pending.push(text);
        if (this.#pending.length > 20) this.#pending.shift();
      }
    }
    done();
  }

  #format(line: string): string | undefined {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (entry[adminLogMarker()]) return undefined;
    const level = levelNames[Number(entry.level)] ?? String(entry.level);
    let text = `(log ${level}) ${String(entry.msg ?? '')}`;
    if (this.#options.verbose) {
      const context = Object.fromEntries(Object.entries(entry).filter(([k]) => !baseFields.has(k)));
      if (Object.keys(context).length > 0)
        text += `\n\`\`\`json\n${JSON.stringify(context, null, 2)}\n\`\`\``;
    }
    return text;
  }

  #deliver(text: string): void {
    const now = this.#options.now();
    if (now - this.#windowStart >= this.#options.windowMs) {
      this.#windowStart = now;
      this.#sentInWindow = 0;
    }
    if (this.#sentInWindow >= this.#options.maxPerWindow) {
      this.#suppressed++;
      return;
    }
    this.#sentInWindow++;
    const note =
      this.#suppressed > 0
        ? `\n_(${this.#suppressed} more log lines were not sent to avoid flooding this DM)_`
        : '';
    this.#suppressed = 0;
    (this.#send as AdminDm)(text + note).catch(() => {
      // Dropped on purpose: reporting it through the logger could loop, and admins read the full log anyway.
    });
  }
}
