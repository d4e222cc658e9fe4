import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TXN_PROP } from '../../../src/mattermost/index.ts';
import { counters, type EdgeWorld, mm, postLog, startEdgeWorld, user } from '../harness.ts';

/** DMs, posts and ephemerals as the bot, with the idempotency record that keeps a retry from posting twice. */
describe('Messenger', () => {
  let w: EdgeWorld;
  beforeAll(async () => {
    w = await startEdgeWorld({ http: { timeoutMs: 200, maxAttempts: 2 } });
  });
  afterAll(() => w.close());

  const created = async (channelId: string, message: string) =>
    (await postLog(w.sim, channelId)).filter((e) => e.kind === 'created' && e.post.message === message);

  it('DMs a user from the bot, stamping our transaction id', async () => {
    const alice = user(w.sim, 'alice');
    const post = await w.edge.messenger.dm(alice.id, 'hello alice', { key: 'test:hello' });
    expect(post.user_id).toBe(w.botId);
    expect(post.props[TXN_PROP]).toBe('test:hello');
    expect(post.pending_post_id).toMatch(new RegExp(`^${w.botId}:\\d+$`));
    const seen = await mm(w.sim, 'GET', `/api/v4/posts/${post.id}`, { token: alice.token });
    expect(seen.body.message).toBe('hello alice');
  });

  it('returns the first post when called again with the same key', async () => {
    const alice = user(w.sim, 'alice');
    const a = await w.edge.messenger.dm(alice.id, 'only once', { key: 'test:once' });
    const b = await w.edge.messenger.dm(alice.id, 'only once', { key: 'test:once' });
    expect(b.id).toBe(a.id);
    expect(await created(a.channel_id, 'only once')).toHaveLength(1);
  });

  it('posts once when two callers use the same key at the same time', async () => {
    const alice = user(w.sim, 'alice');
    await w.edge.messenger.dmChannelId(alice.id);
    // A slow server (150 ms for the first create) keeps it in flight while the second caller looks.
    await mm(w.sim, 'POST', '/_sim/faults', {
      control: true,
      body: { method: 'POST', path: '/api/v4/posts', delay_ms: 150, times: 1 },
    });
    const [a, b] = await Promise.all([
      w.edge.messenger.dm(alice.id, 'concurrent', { key: 'test:concurrent' }),
      w.edge.messenger.dm(alice.id, 'concurrent', { key: 'test:concurrent' }),
    ]);
    expect(b.id).toBe(a.id);
    expect(await created(a.channel_id, 'concurrent')).toHaveLength(1);
  });

  it('posts once when the answer to the create is lost (timeout while the server still creates it)', async () => {
    const bob = user(w.sim, 'bob');
    const channelId = await w.edge.messenger.dmChannelId(bob.id);
    // The server takes 350 ms; we give up after 200 ms, then look for our key before posting again.
    await mm(w.sim, 'POST', '/_sim/faults', {
      control: true,
      body: { method: 'POST', path: '/api/v4/posts', delay_ms: 350, times: 1 },
    });
    const post = await w.edge.messenger.post({ channel_id: channelId, message: 'lost answer' }, 'test:lost');
    expect(post.message).toBe('lost answer');
    expect(await created(channelId, 'lost answer')).toHaveLength(1);
  });

  it('posts after a 503 on the create, exactly once', async () => {
    const carol = user(w.sim, 'carol');
    const channelId = await w.edge.messenger.dmChannelId(carol.id);
    await mm(w.sim, 'POST', '/_sim/faults', {
      control: true,
      body: { method: 'POST', path: '/api/v4/posts', status: 503, times: 1 },
    });
    const post = await w.edge.messenger.post({ channel_id: channelId, message: 'after 503' });
    expect(post.message).toBe('after 503');
    expect(await created(channelId, 'after 503')).toHaveLength(1);
  });

  it('sends an ephemeral post only the user sees', async () => {
    const alice = user(w.sim, 'alice');
    const channelId = w.sim.ready.teams.acme?.channels['town-square'] as string;
    const how = await w.edge.messenger.ephemeral(alice.id, channelId, 'just for alice');
    expect(how).toBe('ephemeral');
    const log = await postLog(w.sim, channelId);
    expect(log.filter((e) => e.kind === 'ephemeral' && e.post.message === 'just for alice')).toEqual([
      expect.objectContaining({ to_user_id: alice.id }),
    ]);
    expect(log.some((e) => e.kind === 'created' && e.post.message === 'just for alice')).toBe(false);
  });

  it('delivers an "ephemeral" by DM when Mattermost refuses the bot ephemeral posts (no system_admin)', async () => {
    await mm(w.sim, 'PUT', `/api/v4/users/${w.botId}/roles`, { body: { roles: 'system_user' } });
    try {
      const alice = user(w.sim, 'alice');
      const channelId = w.sim.ready.teams.acme?.channels['town-square'] as string;
      expect(await w.edge.messenger.ephemeral(alice.id, channelId, 'by dm instead')).toBe('dm');
      const dm = await w.edge.messenger.dmChannelId(alice.id);
      expect(await created(dm, 'by dm instead')).toHaveLength(1);
    } finally {
      await mm(w.sim, 'PUT', `/api/v4/users/${w.botId}/roles`, {
        body: { roles: 'system_user system_admin' },
      });
    }
  });

  it('makes one request per create when nothing fails', async () => {
    const before = (await counters(w.sim)).requests['POST /api/v4/posts'] ?? 0;
    await w.edge.messenger.dm(user(w.sim, 'dave').id, 'plain');
    expect(((await counters(w.sim)).requests['POST /api/v4/posts'] ?? 0) - before).toBe(1);
  });
});
