import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MattermostSim, startMattermostSim } from '../../../sim/mattermost/index.ts';
import { SimClock } from '../../../sim/shared/clock.ts';
import { client, refusal } from './harness.ts';

/** The start contract other engineers build on: the ready object, the demo seed, port 0, an injected clock. */
describe('mattermost sim: start contract', () => {
  let sim: MattermostSim;
  // An hour behind the wall clock, so a timestamp from the wrong clock is caught.
  const clock = new SimClock(Date.now() - 3_600_000);
  beforeAll(async () => {
    sim = await startMattermostSim({ clock });
  });
  afterAll(async () => {
    await sim.close();
    clock.dispose();
  });

  it('prints a ready object with url, tokens, the demo users and team', async () => {
    const ready = JSON.parse(JSON.stringify(sim.ready)) as MattermostSim['ready'];
    expect(ready.ready).toBe(true);
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.url).toBe(sim.url);
    expect(ready.controlToken.length).toBeGreaterThan(20);
    expect(Object.keys(ready.users).sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'sysadmin']);
    for (const [name, u] of Object.entries(ready.users)) {
      expect(u.id).toMatch(/^[a-z0-9]{26}$/);
      const me = await client(sim, u.token).getMe();
      expect(me.username).toBe(name);
      const fresh = client(sim);
      expect((await fresh.login(name, u.password)).id).toBe(u.id);
    }
    expect(Object.keys(ready.teams)).toEqual(['acme']);
    expect(Object.keys(ready.teams.acme?.channels ?? {}).sort()).toEqual(['off-topic', 'town-square']);
    const admin = await client(sim, ready.adminToken).getMe();
    expect(admin.roles.split(' ')).toContain('system_admin');
  });

  it('shows admins the server config (and nobody else); the client config and licence to anyone', async () => {
    const config = (await client(sim, sim.ready.adminToken).getConfig()) as unknown as {
      ServiceSettings: { EnableBotAccountCreation: boolean; AllowedUntrustedInternalConnections: string };
    };
    expect(config.ServiceSettings.EnableBotAccountCreation).toBe(true);
    expect(config.ServiceSettings.AllowedUntrustedInternalConnections).toContain('127.0.0.1');
    expect((await refusal(client(sim, sim.ready.users.alice?.token).getConfig())).status_code).toBe(403);
    const anon = client(sim);
    expect((await anon.getClientConfig()).EnableBotAccountCreation).toBe('true');
    expect((await anon.getClientLicenseOld()).IsLicensed).toBe('false');
  });

  it('uses the injected clock for timestamps', async () => {
    const alice = client(sim, sim.ready.users.alice?.token);
    const post = await alice.createPost({
      channel_id: sim.ready.teams.acme?.channels['town-square'],
      message: 'tick',
    } as never);
    expect(Math.abs(post.create_at - clock.now())).toBeLessThan(5_000);
    expect(post.create_at).toBeLessThan(Date.now() - 1_000);
  });

  it('closes idempotently and refuses connections afterwards', async () => {
    const other = await startMattermostSim();
    await Promise.all([other.close(), other.close()]);
    await other.close();
    await expect(fetch(`${other.url}/api/v4/system/ping`)).rejects.toThrow();
  });
});
