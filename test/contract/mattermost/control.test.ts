import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MattermostSim, startMattermostSim } from '../../../sim/mattermost/index.ts';
import { channelId, client, control, refusal, startSim, userToken } from './harness.ts';

/** The control API, fault injection, rate limiting, custom seeds and status details. */
describe('mattermost sim: control API, faults, rate limit, seed, status', () => {
  let sim: MattermostSim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('refuses the control API without the control token, even with the admin token', async () => {
    const res = await fetch(`${sim.url}/_sim/counters`, {
      headers: { Authorization: `Bearer ${sim.ready.adminToken}` },
    });
    expect(res.status).toBe(401);
    expect((await control(sim, 'GET', '/_sim/counters')).status).toBe(200);
  });

  it('puts the request id in X-Request-Id and in error bodies, and 404s unknown routes the server way', async () => {
    const res = await fetch(`${sim.url}/api/v4/no/such/route`, {
      headers: { Authorization: `Bearer ${sim.ready.adminToken}` },
    });
    expect(res.status).toBe(404);
    const body = (await res.json()) as {
      id: string;
      request_id: string;
      status_code: number;
      message: string;
      detailed_error: string;
    };
    expect(body.id).toBe('api.context.404.app_error');
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
    expect(body.status_code).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('decodes API bodies as JSON whatever the Content-Type, as the server does', async () => {
    const res = await fetch(`${sim.url}/api/v4/posts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${userToken(sim, 'alice')}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ channel_id: channelId(sim, 'acme', 'town-square'), message: 'typed as text' }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { message: string }).message).toBe('typed as text');
  });

  it('injects faults for the next N matching requests, counts requests, and keeps the full post log', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const ch = channelId(sim, 'acme', 'off-topic');
    const countPosts = async () =>
      ((await (await control(sim, 'GET', '/_sim/counters')).json()) as { requests: Record<string, number> })
        .requests['POST /api/v4/posts'] ?? 0;
    const before = await countPosts();
    await control(sim, 'POST', '/_sim/faults', {
      method: 'POST',
      path: '/api/v4/posts',
      status: 503,
      id: 'sim.unavailable',
      times: 2,
    });
    expect(await refusal(alice.createPost({ channel_id: ch, message: 'a' } as never))).toEqual({
      server_error_id: 'sim.unavailable',
      status_code: 503,
    });
    expect((await refusal(alice.createPost({ channel_id: ch, message: 'a' } as never))).status_code).toBe(
      503,
    );
    const post = await alice.createPost({ channel_id: ch, message: 'third time' } as never);
    await alice.patchPost({ id: post.id, message: 'edited' } as never);
    await alice.deletePost(post.id);
    const log = (await (await control(sim, 'GET', `/_sim/channels/${ch}/post-log`)).json()) as Array<{
      kind: string;
      post: { message: string };
    }>;
    expect(log.map((e) => [e.kind, e.post.message])).toEqual([
      ['created', 'third time'],
      ['edited', 'edited'],
      ['deleted', 'edited'],
    ]);
    // Faulted requests never reach the route, so only the successful create is counted.
    expect(await countPosts()).toBe(before + 1);
  });

  it('delays requests without failing them when a fault has only delay_ms', async () => {
    await control(sim, 'POST', '/_sim/faults', { method: 'GET', path: '/api/v4/users/me', delay_ms: 300 });
    const started = Date.now();
    const me = await client(sim, userToken(sim, 'alice')).getMe();
    expect(me.username).toBe('alice');
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect((await control(sim, 'POST', '/_sim/faults', { path: '/x' })).status).toBe(400);
  });

  it('rate limits by IP when enabled: 429, plain-text body, relative X-RateLimit-Reset, refill with the clock', async () => {
    await control(sim, 'PATCH', '/_sim/config', {
      RateLimitSettings: { Enable: true, PerSec: 1, MaxBurst: 2 },
    });
    try {
      const get = () =>
        fetch(`${sim.url}/api/v4/users/me`, {
          headers: { Authorization: `Bearer ${userToken(sim, 'alice')}` },
        });
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 5; i++) {
        const res = await get();
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      expect(await limited?.text()).toBe('limit exceeded\n');
      expect(limited?.headers.get('x-ratelimit-limit')).toBe('3');
      expect(Number(limited?.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(Number(limited?.headers.get('x-ratelimit-reset'))).toBeLessThan(10);
      expect(limited?.headers.get('retry-after')).toBeTruthy();
      await sim.clock.advance(5000);
      expect((await get()).status).toBe(200);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { RateLimitSettings: { Enable: false } });
    }
  });

  it('refuses an unknown config key instead of ignoring it', async () => {
    const res = await control(sim, 'PATCH', '/_sim/config', {
      ServiceSettings: { EnableBotAcountCreation: true },
    });
    expect(res.status).toBe(400);
  });

  it('resets to a custom seed and reports it in the ready object', async () => {
    const res = await control(sim, 'POST', '/_sim/reset', {
      seed: {
        users: [
          {
            username: 'root',
            email: 'root@example.org',
            password: 'Root-pass-1',
            roles: 'system_user system_admin',
          },
          { username: 'erin', email: 'erin@example.org', password: 'Erin-pass-1' },
        ],
        teams: [
          {
            name: 'beta',
            members: ['root', 'erin'],
            admins: ['root'],
            channels: [{ name: 'secret', type: 'P', members: ['root'] }],
          },
        ],
        bots: [{ username: 'helper', owner: 'root', teams: ['beta'] }],
      },
    });
    const ready = (await res.json()) as MattermostSim['ready'];
    expect(Object.keys(ready.users)).toEqual(['root', 'erin']);
    expect(Object.keys(ready.teams.beta?.channels ?? {}).sort()).toEqual([
      'off-topic',
      'secret',
      'town-square',
    ]);
    expect(sim.ready.adminToken).toBe(ready.adminToken);
    const erin = client(sim, ready.users.erin?.token);
    expect((await refusal(erin.getChannel(ready.teams.beta?.channels.secret ?? ''))).status_code).toBe(403);
    const helper = client(sim, ready.bots.helper?.token);
    expect((await helper.getMe()).is_bot).toBe(true);
    await control(sim, 'POST', '/_sim/reset', {});
    expect(Object.keys(sim.ready.users)).toEqual(['sysadmin', 'alice', 'bob', 'carol', 'dave']);
  });

  it('ends DND at dnd_end_time (seconds) on the sim clock and refuses ooo', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const me = sim.ready.users.alice?.id ?? '';
    const end = Math.floor(sim.clock.now() / 1000) + 600;
    const set = await alice.updateStatus({ user_id: me, status: 'dnd', dnd_end_time: end } as never);
    expect(set.dnd_end_time).toBe(end);
    expect(set.manual).toBe(true);
    await sim.clock.advance(601_000);
    expect((await alice.getStatus(me)).status).not.toBe('dnd');
    expect((await refusal(alice.updateStatus({ user_id: me, status: 'ooo' } as never))).status_code).toBe(
      400,
    );
    const statuses = await alice.getStatusesByIds([me, sim.ready.users.bob?.id ?? '']);
    expect(statuses).toHaveLength(2);
  });

  it('reads an idle, automatically online user as away after UserStatusAwayTimeout', async () => {
    const dave = client(sim, userToken(sim, 'dave'));
    const daveId = sim.ready.users.dave?.id ?? '';
    await dave.createPost({
      channel_id: sim.ready.teams.acme?.channels['town-square'],
      message: 'here',
    } as never);
    expect((await dave.getStatus(daveId)).status).toBe('online');
    await sim.clock.advance(299_000);
    expect((await dave.getStatus(daveId)).status).toBe('online');
    await sim.clock.advance(2_000);
    expect((await dave.getStatus(daveId)).status).toBe('away');
    await dave.createPost({
      channel_id: sim.ready.teams.acme?.channels['town-square'],
      message: 'back',
    } as never);
    expect((await dave.getStatusesByIds([daveId]))[0]?.status).toBe('online');
  });

  it('sets and clears a custom status, with 501 when the feature is off', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    await alice.updateCustomStatus({
      emoji: 'calendar',
      text: 'In a meeting',
      duration: 'date_and_time',
      expires_at: new Date(sim.clock.now() + 3600_000).toISOString(),
    } as never);
    const stored = JSON.parse((await alice.getMe()).props.customStatus ?? '{}');
    expect(stored.text).toBe('In a meeting');
    await sim.clock.advance(3601_000);
    expect((await alice.getMe()).props.customStatus).toBeUndefined();
    await control(sim, 'PATCH', '/_sim/config', { TeamSettings: { EnableCustomUserStatuses: false } });
    try {
      expect((await refusal(alice.updateCustomStatus({ emoji: 'x', text: 'y' } as never))).status_code).toBe(
        501,
      );
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { TeamSettings: { EnableCustomUserStatuses: true } });
    }
  });
  it('refuses a bad seed with 400 and keeps the current world; startMattermostSim rejects one too', async () => {
    const before = sim.ready.adminToken;
    const res = await control(sim, 'POST', '/_sim/reset', { seed: { users: [{ username: 'x' }] } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { id: string }).id).toBe('api.sim.seed.invalid');
    expect(sim.ready.adminToken).toBe(before);
    expect((await client(sim, before).getMe()).username).toBe('sysadmin');
    await expect(
      startMattermostSim({ seed: { teams: [{ name: 'bad', members: ['nobody'] }] } }),
    ).rejects.toThrow(/nobody/);
  });
});
