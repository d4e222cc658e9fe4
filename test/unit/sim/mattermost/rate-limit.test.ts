import fc from 'fast-check';
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../../sim/mattermost/http/rate-limit.ts';
import { SimState } from '../../../../sim/mattermost/state.ts';
import { SimClock } from '../../../../sim/shared/clock.ts';

const request = (ip: string) => ({ ip, headers: {}, query: {} }) as unknown as FastifyRequest;

describe('mattermost sim: rate limiter (GCRA)', () => {
  const clock = new SimClock();
  afterEach(() => clock.dispose());

  const limiter = (perSec: number, maxBurst: number) => {
    const state = new SimState(clock, 'http://sim');
    state.config.RateLimitSettings = { Enable: true, PerSec: perSec, MaxBurst: maxBurst, VaryByUser: false };
    return new RateLimiter(() => state);
  };

  it('is silent when disabled', () => {
    const state = new SimState(clock, 'http://sim');
    expect(new RateLimiter(() => state).check(request('1.1.1.1'))).toBeUndefined();
  });

  it('admits exactly MaxBurst+1 requests at one instant, per IP (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 30 }), (perSec, burst) => {
        const rl = limiter(perSec, burst);
        let admitted = 0;
        for (let i = 0; i < burst + 10; i++) if (!rl.check(request('10.0.0.1'))?.refused) admitted++;
        expect(admitted).toBe(burst + 1);
        expect(rl.check(request('10.0.0.2'))?.refused).toBe(false);
      }),
    );
  });

  it('answers a refusal with relative reset and retry seconds, and refills with time', async () => {
    const rl = limiter(1, 0);
    expect(rl.check(request('1.2.3.4'))?.refused).toBe(false);
    const refused = rl.check(request('1.2.3.4'));
    expect(refused?.refused).toBe(true);
    expect(refused?.headers).toMatchObject({
      'X-RateLimit-Limit': '1',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '1',
      'Retry-After': '1',
    });
    await clock.advance(1000);
    expect(rl.check(request('1.2.3.4'))?.refused).toBe(false);
  });
});
