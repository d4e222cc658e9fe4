import { describe, expect, it } from 'vitest';
import type { SimSettings } from '../../../../sim/microsoft/context.ts';
import { Faults, globMatch } from '../../../../sim/microsoft/faults.ts';
import { defaultSettings } from '../../../../sim/microsoft/settings.ts';
import { Throttle } from '../../../../sim/microsoft/throttle.ts';
import { SimClock } from '../../../../sim/shared/clock.ts';

const settings = (enabled: boolean, scale = 1): SimSettings => ({
  ...defaultSettings(),
  throttling: { enabled, scale },
});

describe('Throttle', () => {
  it('lets 20 Teams chat reads per second through, answers the 21st with a retry delay, refills on the clock', async () => {
    const clock = new SimClock(Date.UTC(2026, 0, 1));
    const t = new Throttle(clock, settings(true));
    for (let i = 0; i < 20; i++) expect(t.take('app', 'teams-chat-read', 'tenant')).toBeNull();
    const v = t.take('app', 'teams-chat-read', 'tenant');
    expect(v).toMatchObject({ code: 'TooManyRequests', retryAfterSec: 1 });
    expect(t.take('other-app', 'teams-chat-read', 'tenant')).toBeNull();
    await clock.advance(1_000);
    expect(t.take('app', 'teams-chat-read', 'tenant')).toBeNull();
    clock.dispose();
  });

  it('caps one app at 4 requests per second on one team or channel', async () => {
    const clock = new SimClock(Date.UTC(2026, 0, 1));
    const t = new Throttle(clock, settings(true));
    for (let i = 0; i < 4; i++) expect(t.takeTeamOrChannel('app', 'channel-1')).toBeNull();
    expect(t.takeTeamOrChannel('app', 'channel-1')?.retryAfterSec).toBe(1);
    expect(t.takeTeamOrChannel('app', 'channel-2')).toBeNull();
    await clock.advance(250);
    expect(t.takeTeamOrChannel('app', 'channel-1')).toBeNull();
    clock.dispose();
  });

  it('limits Outlook to 4 concurrent calls per app and mailbox', () => {
    const clock = new SimClock();
    const t = new Throttle(clock, settings(true));
    const releases = [1, 2, 3, 4].map(() => t.enter('app', 'alice'));
    expect(releases.every((r) => r !== null)).toBe(true);
    expect(t.enter('app', 'alice')).toBeNull();
    expect(t.enter('app', 'bob')).not.toBeNull();
    releases[0]?.();
    expect(t.enter('app', 'alice')).not.toBeNull();
    clock.dispose();
  });

  it('does nothing when off', () => {
    const clock = new SimClock();
    const t = new Throttle(clock, settings(false, 0.0001));
    for (let i = 0; i < 100; i++) expect(t.take('app', 'presence', 'tenant')).toBeNull();
    clock.dispose();
  });
});

describe('Faults', () => {
  it('matches globs over the whole path and consumes rules in order', () => {
    expect(globMatch('/v1.0/me/*', '/v1.0/me/events/1')).toBe(true);
    expect(globMatch('/v1.0/me', '/v1.0/me/events')).toBe(false);
    expect(globMatch('*/oauth2/v2.0/token', '/tenant/oauth2/v2.0/token')).toBe(true);
    const f = new Faults();
    f.add({ path: '/v1.0/me', method: 'GET', status: 503, count: 2 });
    f.add({ path: '*', status: 500 });
    expect(f.take('POST', '/v1.0/me')?.status).toBe(500);
    expect(f.take('GET', '/v1.0/me')?.status).toBe(503);
    expect(f.take('GET', '/v1.0/me')?.status).toBe(503);
    expect(f.take('GET', '/v1.0/me')).toBeUndefined();
  });
});
