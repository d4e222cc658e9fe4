/**
 * Graph's slow-endpoint policy for notification URLs (graph-api.md §5.7): an answer slower than 2.9 s counts as
 * slow; once a URL has at least 100 deliveries in the current 10-minute window, ≥ 10 % slow flags it (its
 * notifications are delayed 10 minutes) and ≥ 15 % slow drops its notifications. Windows roll on the sim clock;
 * a window that ends with fewer than the minimum sample clears the flag (a dropped endpoint gets no samples, so
 * this is how it gets a second chance — our assumption, the docs only say "re-evaluated every 10 minutes").
 * All numbers are knobs (`settings.slowEndpoint`) so tests can reach them quickly.
 */
import type { SimClock } from '../../shared/clock.ts';
import type { SimSettings } from '../context.ts';

export type SlowVerdict = 'ok' | 'delayed' | 'dropped';

interface Stat {
  windowStart: number;
  total: number;
  slow: number;
  flag: SlowVerdict;
}

export class SlowEndpoints {
  readonly #clock: SimClock;
  readonly #settings: SimSettings;
  readonly #stats = new Map<string, Stat>();

  constructor(clock: SimClock, settings: SimSettings) {
    this.#clock = clock;
    this.#settings = settings;
  }

  #stat(url: string): Stat {
    const now = this.#clock.now();
    const p = this.#settings.slowEndpoint;
    let s = this.#stats.get(url);
    if (!s) {
      s = { windowStart: now, total: 0, slow: 0, flag: 'ok' };
      this.#stats.set(url, s);
    }
    if (now - s.windowStart >= p.windowMs) {
      if (s.total < p.minSample) s.flag = 'ok';
      s.windowStart = now;
      s.total = 0;
      s.slow = 0;
    }
    return s;
  }

  verdict(url: string): SlowVerdict {
    return this.#stat(url).flag;
  }

  /** Records one delivery attempt's answer time (a timeout counts as slow). */
  record(url: string, elapsedMs: number, timedOut: boolean): void {
    const p = this.#settings.slowEndpoint;
    const s = this.#stat(url);
    s.total++;
    if (timedOut || elapsedMs > p.slowMs) s.slow++;
    if (s.total < p.minSample) return;
    const pct = (100 * s.slow) / s.total;
    s.flag = pct >= p.dropPercent ? 'dropped' : pct >= p.delayPercent ? 'delayed' : 'ok';
  }
}
