import { describe, expect, it } from 'vitest';
import { headerDelayMs, retryDelayMs } from '../../../src/mattermost/client/retry-delay.ts';

/** How long a retry waits, from Mattermost's headers (reference §1.18: both are seconds from now). */
describe('retry delay', () => {
  const now = Date.UTC(2026, 10, 23, 12, 0, 0);
  const opts = { baseMs: 100, maxMs: 30_000, random: () => 1 };

  it('takes Retry-After seconds first, then X-RateLimit-Reset as relative seconds (not an epoch)', () => {
    expect(headerDelayMs(new Headers({ 'Retry-After': '3', 'X-RateLimit-Reset': '9' }), now)).toBe(3000);
    expect(headerDelayMs(new Headers({ 'X-RateLimit-Reset': '2' }), now)).toBe(2000);
    expect(headerDelayMs(new Headers({ 'Retry-After': new Date(now + 4000).toUTCString() }), now)).toBe(4000);
    expect(headerDelayMs(new Headers({ 'Retry-After': 'soon' }), now)).toBeUndefined();
    expect(headerDelayMs(new Headers(), now)).toBeUndefined();
  });

  it('caps a header delay, and backs off exponentially with jitter when there is none', () => {
    expect(retryDelayMs(new Headers({ 'Retry-After': '3600' }), 0, now, opts)).toBe(30_000);
    expect(retryDelayMs(undefined, 0, now, opts)).toBe(100);
    expect(retryDelayMs(undefined, 3, now, opts)).toBe(800);
    expect(retryDelayMs(undefined, 3, now, { ...opts, random: () => 0 })).toBe(400);
    expect(retryDelayMs(undefined, 20, now, opts)).toBe(30_000);
  });
});
