import type { FastifyRequest } from 'fastify';
import { tokenFromRequest } from '../auth.ts';
import type { SimState } from '../state.ts';

/**
 * `RateLimitSettings` as the server applies it: off by default; when on, a GCRA limiter (PerSec, MaxBurst) keyed
 * by remote address, or by token when VaryByUser. Every limited route answers with `X-RateLimit-Limit`
 * (MaxBurst+1, as throttled reports it), `X-RateLimit-Remaining` and `X-RateLimit-Reset` in **seconds until
 * reset** (not an epoch, whatever the docs say); refusals add `Retry-After` and a plain-text body.
 * The limiter reads the simulated clock, so tests drain and refill buckets with `advance`.
 */
export class RateLimiter {
  readonly #getState: () => SimState;
  /**
   * Per key: the first instant seen (`base`, ms epoch) and the theoretical arrival time relative to it. Keeping the
   * arithmetic relative keeps it exact: at ms epochs near 1.8e12, `now + 1000/3 - now` is not `1000/3`.
   */
  readonly #tat = new Map<string, { base: number; tat: number }>();

  constructor(getState: () => SimState) {
    this.#getState = getState;
  }

  reset(): void {
    this.#tat.clear();
  }

  check(request: FastifyRequest): { refused: boolean; headers: Record<string, string> } | undefined {
    const state = this.#getState();
    const cfg = state.config.RateLimitSettings;
    if (!cfg.Enable) return undefined;
    const key = cfg.VaryByUser ? (tokenFromRequest(request)?.token ?? request.ip) : request.ip;
    const entry = this.#tat.get(key) ?? { base: state.now(), tat: 0 };
    const now = state.now() - entry.base;
    const interval = 1000 / cfg.PerSec;
    const tolerance = interval * cfg.MaxBurst;
    const tat = Math.max(entry.tat, now);
    const limit = cfg.MaxBurst + 1;
    if (tat - now > tolerance + 1e-6) {
      const retry = Math.max(1, Math.ceil((tat - tolerance - now) / 1000));
      return {
        refused: true,
        headers: {
          'X-RateLimit-Limit': String(limit),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(retry),
          'Retry-After': String(retry),
        },
      };
    }
    const newTat = tat + interval;
    this.#tat.set(key, { base: entry.base, tat: newTat });
    const remaining = Math.max(0, Math.floor((tolerance - (newTat - now)) / interval) + 1);
    return {
      refused: false,
      headers: {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': String(remaining),
        'X-RateLimit-Reset': String(Math.ceil((newTat - now) / 1000)),
      },
    };
  }
}
