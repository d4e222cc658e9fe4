/**
 * Throttling: token buckets with Graph's published limits (graph-api.md §6.2, §4.8), on the sim clock, plus
 * Outlook's 4-concurrent-requests rule. Off by default; `settings.throttling.scale` multiplies every capacity
 * (0.01 makes a 20 rps bucket hold a fraction of a request, so tests can hit it in a few calls; the bucket
 * always holds at least 1).
 *
 * Keys follow Graph: Outlook per app + mailbox, Teams per app + tenant + operation, presence per app + tenant,
 * and a global per-app bucket. Assumption (graph-api.md §6.2 [inf]): the 4 concurrent Outlook requests are
 * counted per app + mailbox, as the `MailboxConcurrency` error name suggests.
 */
import type { SimClock } from '../shared/clock.ts';
import type { SimSettings, Workload } from './context.ts';

interface Limit {
  capacity: number;
  windowSec: number;
}

const LIMITS: Record<Workload | 'global' | 'team-or-channel', Limit> = {
  global: { capacity: 2000, windowSec: 1 },
  /** "At most 4 rps per app on one team or channel" (graph-api.md §4.8). */
  'team-or-channel': { capacity: 4, windowSec: 1 },
  outlook: { capacity: 10_000, windowSec: 600 },
  'teams-chat-read': { capacity: 20, windowSec: 1 },
  'teams-chat-write': { capacity: 20, windowSec: 1 },
  'teams-channel-read': { capacity: 20, windowSec: 1 },
  'teams-channel-write': { capacity: 50, windowSec: 1 },
  'teams-other': { capacity: 30, windowSec: 1 },
  presence: { capacity: 1500, windowSec: 30 },
  directory: { capacity: 3500, windowSec: 10 },
  subscriptions: { capacity: 30, windowSec: 1 },
  files: { capacity: 30, windowSec: 1 },
};

export const OUTLOOK_CONCURRENCY = 4;

interface Bucket {
  tokens: number;
  at: number;
}

export interface ThrottleVerdict {
  retryAfterSec: number;
  code: string;
  message: string;
}

export class Throttle {
  readonly #clock: SimClock;
  readonly #settings: SimSettings;
  readonly #buckets = new Map<string, Bucket>();
  readonly #inFlight = new Map<string, number>();

  constructor(clock: SimClock, settings: SimSettings) {
    this.#clock = clock;
    this.#settings = settings;
  }

  reset(): void {
    this.#buckets.clear();
    this.#inFlight.clear();
  }

  /**
   * Takes one token from each bucket the call counts against; returns a verdict when one is empty.
   * `scopeKey` is the mailbox (Outlook) or the tenant (others).
   */
  take(appId: string, workload: Workload, scopeKey: string): ThrottleVerdict | null {
    if (!this.#settings.throttling.enabled) return null;
    // The workload bucket is checked first so that its error (e.g. Outlook's ApplicationThrottled) wins when a
    // scaled-down global bucket would empty at the same time.
    const wait = this.#takeOne(`${workload}|${appId}|${scopeKey}`, LIMITS[workload]);
    if (wait === null) {
      const global = this.#takeOne(`global|${appId}`, LIMITS.global);
      if (global === null) return null;
      return { retryAfterSec: global, code: 'TooManyRequests', message: 'Too many requests.' };
    }
    if (workload === 'outlook') {
      // Message wording is [inf]: Graph documents the code, not the text of the rate (not concurrency) case.
      return {
        retryAfterSec: wait,
        code: 'ApplicationThrottled',
        message: 'Application is over its request rate limit for this mailbox.',
      };
    }
    return { retryAfterSec: wait, code: 'TooManyRequests', message: 'Too many requests.' };
  }

  /** The per-team/channel ceiling for one app, on top of the workload buckets. */
  takeTeamOrChannel(appId: string, teamOrChannelId: string): ThrottleVerdict | null {
    if (!this.#settings.throttling.enabled) return null;
    const wait = this.#takeOne(`team-or-channel|${appId}|${teamOrChannelId}`, LIMITS['team-or-channel']);
    return wait === null
      ? null
      : { retryAfterSec: wait, code: 'TooManyRequests', message: 'Too many requests.' };
  }

  /** Outlook concurrency: returns a release function, or null when 4 calls are already in flight. */
  enter(appId: string, mailbox: string): (() => void) | null {
    if (!this.#settings.throttling.enabled) return () => {};
    const key = `${appId}|${mailbox}`;
    const n = this.#inFlight.get(key) ?? 0;
    if (n >= OUTLOOK_CONCURRENCY) return null;
    this.#inFlight.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight.set(key, (this.#inFlight.get(key) ?? 1) - 1);
    };
  }

  /** Returns null when a token was taken, else the seconds until one is available. */
  #takeOne(key: string, limit: Limit): number | null {
    const capacity = Math.max(1, limit.capacity * this.#settings.throttling.scale);
    const ratePerMs = capacity / (limit.windowSec * 1000);
    const now = this.#clock.now();
    const b = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * ratePerMs);
    b.at = now;
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000));
  }
}
