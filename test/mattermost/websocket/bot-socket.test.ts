import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MmEvent } from '../../../src/mattermost/index.ts';
import { waitFor } from '../../helpers/wait.ts';
import { counters, type EdgeWorld, mm, startEdgeWorld, user } from '../harness.ts';

/**
 * The bot's socket against the simulator's WebSocket: header auth, resume after a network drop (no new hello,
 * nothing lost), and a REST catch-up from the stored cursor when the server forgot the connection.
 */
describe('bot WebSocket', () => {
  let w: EdgeWorld;
  let dm: string;
  const events: MmEvent[] = [];
  const alice = () => user(w.sim, 'alice');

  const say = async (message: string) => {
    const res = await mm(w.sim, 'POST', '/api/v4/posts', {
      token: alice().token,
      body: { channel_id: dm, message },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const created = (message: string) =>
    events.filter((e) => e.kind === 'MmPostCreated' && e.post.message === message) as Extract<
      MmEvent,
      { kind: 'MmPostCreated' }
    >[];

  beforeAll(async () => {
    // Reconnecting after 800 ms leaves a window in which the tests post while the bot is away.
    w = await startEdgeWorld({ websocket: true, socket: { minReconnectMs: 800, maxReconnectMs: 800 } });
    w.edge.onEvent((e) => {
      events.push(e);
    });
    const channel = await mm(w.sim, 'POST', '/api/v4/channels/direct', {
      token: alice().token,
      body: [alice().id, w.botId],
    });
    dm = channel.body.id;
  });
  afterAll(() => w.close());

  it('connects with header auth and delivers posts as MmPostCreated, moving the channel cursor', async () => {
    expect(w.edge.socket.hellos).toBe(1);
    const post = await say('hello bot');
    const [e] = await waitFor('posted', () =>
      created('hello bot').length ? created('hello bot') : undefined,
    );
    expect(e).toMatchObject({
      source: 'live',
      channelType: 'D',
      post: { id: post.id, userId: alice().id, fromBot: false },
    });
    const cursors = await w.stores.channelCursors.all();
    expect(cursors.find((c) => c.channelId === dm)?.since).toBe(e?.post.updateAt);
  });

  it('resumes after a network drop: what was posted meanwhile is replayed, with no new hello', async () => {
    const id = w.edge.socket.connectionId;
    const dropped = await mm(w.sim, 'POST', '/_sim/websocket/drop', {
      control: true,
      body: { user_id: w.botId },
    });
    expect(dropped.body.dropped).toBe(1);
    await say('while dropped');
    await waitFor('replayed post', () => created('while dropped').length === 1);
    expect(created('while dropped')[0]?.source).toBe('live');
    expect(w.edge.socket.hellos).toBe(1);
    expect(w.edge.socket.connectionId).toBe(id);
  });

  it('catches up by REST when the server refused the resume (restart): nothing is lost', async () => {
    const before = (await counters(w.sim)).requests['GET /api/v4/channels/:channel_id/posts'] ?? 0;
    await mm(w.sim, 'POST', '/_sim/websocket/restart', { control: true });
    await say('while restarting');
    await waitFor('caught-up post', () => created('while restarting').length === 1, 5000);
    expect(created('while restarting')[0]?.source).toBe('catch-up');
    expect(w.edge.socket.hellos).toBe(2);
    const after = (await counters(w.sim)).requests['GET /api/v4/channels/:channel_id/posts'] ?? 0;
    expect(after).toBeGreaterThan(before);
  });

  it('after our own restart, catches up from the stored cursor (edits and deletes included)', async () => {
    const kept = await say('to be edited');
    await waitFor('live post', () => created('to be edited').length === 1);
    await w.edge.socket.stop();
    await say('while we were down');
    await mm(w.sim, 'PUT', `/api/v4/posts/${kept.id}/patch`, {
      token: alice().token,
      body: { message: 'edited while down' },
    });
    const gone = await say('deleted while down');
    await mm(w.sim, 'DELETE', `/api/v4/posts/${gone.id}`, { token: alice().token });
    events.length = 0;
    await w.edge.socket.start();
    const kinds = events
      .filter((e) => e.kind !== 'MmBotAddedToTeam')
      .map((e) => ('post' in e ? `${e.kind}:${e.post.message}:${e.source}` : e.kind));
    expect(kinds).toContain('MmPostCreated:while we were down:catch-up');
    expect(kinds).toContain('MmPostEdited:edited while down:catch-up');
    expect(kinds.some((k) => k.startsWith('MmPostDeleted:') && k.endsWith(':catch-up'))).toBe(true);
    // Nothing older than the cursor is delivered again.
    expect(kinds.some((k) => k.includes('hello bot'))).toBe(false);
  });

  it('converts reactions', async () => {
    const post = await say('react to me');
    await mm(w.sim, 'POST', '/api/v4/reactions', {
      token: alice().token,
      body: { user_id: alice().id, post_id: post.id, emoji_name: 'tada' },
    });
    const reaction = await waitFor('reaction', () => events.find((e) => e.kind === 'MmReactionAdded'));
    expect(reaction).toMatchObject({ userId: alice().id, postId: post.id, emojiName: 'tada' });
  });
});
