import { describe, expect, it } from 'vitest';
import { applyConfigPatch, defaultConfig } from '../../../../sim/mattermost/config.ts';
import { applySeed, DEMO_SEED } from '../../../../sim/mattermost/seed.ts';
import { SimState } from '../../../../sim/mattermost/state.ts';
import { SimClock } from '../../../../sim/shared/clock.ts';

describe('mattermost sim: config and seed', () => {
  it('starts from the real server defaults, not the demo ones', () => {
    const c = defaultConfig();
    expect(c.ServiceSettings.EnableBotAccountCreation).toBe(false);
    expect(c.ServiceSettings.EnableUserAccessTokens).toBe(false);
    expect(() => applyConfigPatch(c, { PrivacySettings: { ShowEmailAddress: false }, Nope: {} })).toThrow();
    expect(c.PrivacySettings.ShowEmailAddress).toBe(true);
    expect(c.ServiceSettings.AllowedUntrustedInternalConnections).toBe('');
    expect(c.ServiceSettings.OutgoingIntegrationRequestsTimeout).toBe(30);
    expect(c.RateLimitSettings.Enable).toBe(false);
    expect(c.PrivacySettings.ShowEmailAddress).toBe(true);
  });

  it('refuses unknown sections, unknown keys and wrongly typed values, applying nothing of a bad patch', () => {
    const c = defaultConfig();
    expect(() => applyConfigPatch(c, { ServiceSetings: {} })).toThrow(/unknown config section/);
    expect(() => applyConfigPatch(c, { ServiceSettings: { EnableBots: true } })).toThrow(
      /unknown config key/,
    );
    expect(() => applyConfigPatch(c, { ServiceSettings: { EnableBotAccountCreation: 'true' } })).toThrow(
      /must be a boolean/,
    );
    expect(() =>
      applyConfigPatch(c, { ServiceSettings: { EnableUserAccessTokens: true, PostEditTimeLimit: 'x' } }),
    ).toThrow();
    expect(c.ServiceSettings.EnableUserAccessTokens).toBe(false);
    applyConfigPatch(c, { RateLimitSettings: { Enable: true, PerSec: 1 } });
    expect(c.RateLimitSettings).toMatchObject({ Enable: true, PerSec: 1, MaxBurst: 100 });
  });

  it('seeds the demo world: five users with contoso e-mails for alice, bob and carol, one team, two channels', () => {
    const clock = new SimClock();
    const state = new SimState(clock, 'http://sim');
    const ready = applySeed(state, DEMO_SEED);
    clock.dispose();
    expect(Object.keys(ready.users)).toEqual(['sysadmin', 'alice', 'bob', 'carol', 'dave']);
    expect(state.userByUsername('alice')?.email).toBe('alice@contoso.example');
    expect(state.userByUsername('dave')?.email).toBe('dave@example.org');
    expect(ready.adminToken).toBe(ready.users.sysadmin?.token);
    expect(Object.keys(ready.teams.acme?.channels ?? {}).sort()).toEqual(['off-topic', 'town-square']);
    for (const id of Object.values(ready.teams.acme?.channels ?? {}))
      expect(state.channelMemberIds(id)).toHaveLength(5);
    expect(state.config.ServiceSettings.EnableBotAccountCreation).toBe(true);
    expect(state.config.ServiceSettings.AllowedUntrustedInternalConnections).toContain('127.0.0.1');
  });
});
