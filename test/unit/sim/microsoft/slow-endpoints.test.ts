import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../../sim/microsoft/settings.ts';
import { SlowEndpoints } from '../../../../sim/microsoft/subscriptions/slow-endpoints.ts';
import { SimClock } from '../../../../sim/shared/clock.ts';

describe('SlowEndpoints', () => {
  it('flags at 10 % slow and drops at 15 % once 100 deliveries are in the window', () => {
    const clock = new SimClock(Date.UTC(2026, 0, 1));
    const s = new SlowEndpoints(clock, defaultSettings());
    const url = 'https://rx.example/notify';
    for (let i = 0; i < 89; i++) s.record(url, 100, false);
    for (let i = 0; i < 10; i++) s.record(url, 3_000, false);
    expect(s.verdict(url)).toBe('ok'); // 99 deliveries: below the sample size
    s.record(url, 100, false);
    expect(s.verdict(url)).toBe('delayed'); // 10 / 100
    for (let i = 0; i < 8; i++) s.record(url, 0, true); // timeouts count as slow
    expect(s.verdict(url)).toBe('dropped'); // 18 / 108
    expect(s.verdict('https://other.example/')).toBe('ok');
    clock.dispose();
  });

  it('re-evaluates every 10 minutes and clears a flag when the window had too few deliveries', async () => {
    const clock = new SimClock(Date.UTC(2026, 0, 1));
    const s = new SlowEndpoints(clock, defaultSettings());
    const url = 'https://rx.example/notify';
    for (let i = 0; i < 100; i++) s.record(url, 5_000, false);
    expect(s.verdict(url)).toBe('dropped');
    await clock.advance(10 * 60_000);
    expect(s.verdict(url)).toBe('dropped'); // the ended window had a full sample: the flag stands
    await clock.advance(10 * 60_000);
    expect(s.verdict(url)).toBe('ok'); // nothing was delivered in the last window: second chance
    clock.dispose();
  });
});
