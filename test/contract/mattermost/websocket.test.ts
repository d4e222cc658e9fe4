import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import type { MattermostSim } from '../../../sim/mattermost/index.ts';
import { channelId, client, control, startSim, until, userId, userToken, wsClient } from './harness.ts';

/**
 * The WebSocket through `@mattermost/client`'s WebSocketClient (with the `ws` constructor for header auth):
 * hello, per-connection seq, visibility, online-on-connect, and resume.
 */
describe('mattermost sim: websocket', () => {
  let sim: MattermostSim;
  let botId = '';
  let botToken = '';
  const open: Array<{ close: () => void }> = [];
  const track = <T extends { close: () => void }>(c: T): T => {
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    sim = await startSim();
    const admin = client(sim, sim.ready.adminToken);
    const bot = await admin.createBot({ username: 'ws-bot' } as never);
    botId = bot.user_id;
    botToken = (await admin.createUserAccessToken(bot.user_id, 'ws')).token ?? '';
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('says hello with a connection id at seq 0, then numbers events per connection', async () => {
    const c = track(wsClient(sim, userToken(sim, 'alice')));
    c.connect();
    await until(() => c.hellos.length === 1, 3000, 'hello');
    expect(c.events[0]?.event).toBe('hello');
    expect(c.events[0]?.seq).toBe(0);
    expect(c.hellos[0]).toMatch(/^[a-z0-9]{26}$/);
    await client(sim, userToken(sim, 'bob')).createPost({
      channel_id: channelId(sim, 'acme', 'town-square'),
      message: 'seq',
    } as never);
    await until(() => c.of('posted').length === 1, 3000, 'posted');
    expect(c.events.map((e) => e.seq)).toEqual(c.events.map((_, i) => i));
  });

  it('delivers a DM only to its members: a bot outside it sees nothing', async () => {
    const bot = track(wsClient(sim, botToken));
    const bob = track(wsClient(sim, userToken(sim, 'bob')));
    bot.connect();
    bob.connect();
    await until(() => bot.hellos.length === 1 && bob.hellos.length === 1, 3000, 'hellos');
    const alice = client(sim, userToken(sim, 'alice'));
    const dm = await alice.createDirectChannel([userId(sim, 'alice'), userId(sim, 'bob')]);
    const secret = await alice.createPost({ channel_id: dm.id, message: 'just for bob' } as never);
    const botDm = await alice.createDirectChannel([userId(sim, 'alice'), botId]);
    const forBot = await alice.createPost({ channel_id: botDm.id, message: 'for the bot' } as never);
    await until(() => bot.of('posted').length >= 1 && bob.of('posted').length >= 1, 3000, 'posted events');
    const postedTo = (c: typeof bot) => c.of('posted').map((e) => JSON.parse(String(e.data?.post)).id);
    expect(postedTo(bob)).toContain(secret.id);
    expect(postedTo(bot)).toEqual([forBot.id]);
    expect(postedTo(bob)).not.toContain(forBot.id);
  });

  it("marks a user online on connect, and sends status_change only to that user (bob never sees alice's)", async () => {
    const admin = client(sim, sim.ready.adminToken);
    const bob = track(wsClient(sim, userToken(sim, 'bob')));
    bob.connect();
    await until(() => bob.hellos.length === 1, 3000, 'bob hello');
    const alice = track(wsClient(sim, userToken(sim, 'alice')));
    alice.connect();
    await until(() => alice.hellos.length === 1, 3000, 'alice hello');
    expect((await admin.getStatus(userId(sim, 'alice'))).status).toBe('online');
    await admin.updateStatus({
      user_id: userId(sim, 'alice'),
      status: 'dnd',
      dnd_end_time: Math.floor(Date.now() / 1000) + 3600,
    } as never);
    await until(
      () => alice.of('status_change').some((e) => e.data?.status === 'dnd'),
      3000,
      'alice status_change',
    );
    // A barrier: bob receives a later event, so an earlier status_change would have arrived already.
    await admin.createPost({
      channel_id: channelId(sim, 'acme', 'town-square'),
      message: 'barrier',
    } as never);
    await until(() => bob.of('posted').length >= 1, 3000, 'barrier');
    expect(bob.of('status_change').filter((e) => e.data?.user_id === userId(sim, 'alice'))).toEqual([]);
    await admin.updateStatus({ user_id: userId(sim, 'alice'), status: 'online' } as never);
  });

  it('resumes a header-authenticated connection after a drop without losing events or a new hello', async () => {
    const bot = track(wsClient(sim, botToken, { retryMs: 400 }));
    bot.connect();
    await until(() => bot.hellos.length === 1, 3000, 'hello');
    const alice = client(sim, userToken(sim, 'alice'));
    const dm = await alice.createDirectChannel([userId(sim, 'alice'), botId]);
    const dropped = (await (
      await control(sim, 'POST', '/_sim/websocket/drop', { user_id: botId })
    ).json()) as { dropped: number };
    expect(dropped.dropped).toBe(1);
    const ids: string[] = [];
    for (const m of ['gap 1', 'gap 2', 'gap 3'])
      ids.push((await alice.createPost({ channel_id: dm.id, message: m } as never)).id);
    await until(() => bot.of('posted').length >= 3, 5000, 'replayed posts');
    expect(bot.of('posted').map((e) => JSON.parse(String(e.data?.post)).id)).toEqual(ids);
    expect(bot.hellos).toHaveLength(1);
    expect(bot.missed()).toBe(0);
    expect(bot.events.map((e) => e.seq)).toEqual(bot.events.map((_, i) => i));
  });

  it('gives a fresh hello (missed-message signal) when the connection was reaped after ~5 minutes', async () => {
    const bot = track(wsClient(sim, botToken, { retryMs: 400 }));
    bot.connect();
    await until(() => bot.hellos.length === 1, 3000, 'hello');
    await control(sim, 'POST', '/_sim/websocket/drop', { user_id: botId });
    await sim.clock.advance(6 * 60 * 1000);
    await until(() => bot.hellos.length === 2, 5000, 'second hello');
    expect(bot.hellos[1]).not.toBe(bot.hellos[0]);
    expect(bot.missed()).toBe(1);
  });

  it('never resumes a challenge-authenticated connection: every reconnect is a fresh hello', async () => {
    const bob = track(wsClient(sim, userToken(sim, 'bob'), { headerAuth: false }));
    bob.connect();
    await until(() => bob.hellos.length === 1, 3000, 'hello');
    await control(sim, 'POST', '/_sim/websocket/drop', { user_id: userId(sim, 'bob') });
    await until(() => bob.hellos.length === 2, 5000, 'second hello');
    expect(bob.hellos[1]).not.toBe(bob.hellos[0]);
    expect(bob.missed()).toBe(1);
  });

  it('pushes ephemeral posts only to their one user', async () => {
    const bob = track(wsClient(sim, userToken(sim, 'bob')));
    const carol = track(wsClient(sim, userToken(sim, 'carol')));
    bob.connect();
    carol.connect();
    await until(() => bob.hellos.length === 1 && carol.hellos.length === 1, 3000, 'hellos');
    const ch = channelId(sim, 'acme', 'town-square');
    await client(sim, sim.ready.adminToken).createPostEphemeral(userId(sim, 'bob'), {
      channel_id: ch,
      message: 'only bob',
    } as never);
    await client(sim, sim.ready.adminToken).createPost({ channel_id: ch, message: 'barrier' } as never);
    await until(
      () => carol.of('posted').length >= 1 && bob.of('ephemeral_message').length === 1,
      3000,
      'events',
    );
    expect(carol.of('ephemeral_message')).toEqual([]);
  });
  it('delivers edits, deletes, reactions and membership changes with the payloads the client types describe', async () => {
    const carol = track(wsClient(sim, userToken(sim, 'carol')));
    carol.connect();
    await until(() => carol.hellos.length === 1, 3000, 'hello');
    const admin = client(sim, sim.ready.adminToken);
    const ch = await admin.createChannel({
      team_id: sim.ready.teams.acme?.id,
      name: 'ws-events',
      display_name: 'WS events',
      type: 'O',
    } as never);
    await admin.addToChannel(userId(sim, 'carol'), ch.id);
    const post = await admin.createPost({ channel_id: ch.id, message: 'v1' } as never);
    await admin.patchPost({ id: post.id, message: 'v2' } as never);
    const carolClient = client(sim, userToken(sim, 'carol'));
    await carolClient.addReaction(userId(sim, 'carol'), post.id, 'tada');
    await carolClient.removeReaction(userId(sim, 'carol'), post.id, 'tada');
    await admin.deletePost(post.id);
    const dm = await client(sim, userToken(sim, 'dave')).createDirectChannel([
      userId(sim, 'dave'),
      userId(sim, 'carol'),
    ]);
    await until(() => carol.of('direct_added').length === 1, 3000, 'direct_added');
    expect(carol.of('user_added')[0]?.data).toMatchObject({
      user_id: userId(sim, 'carol'),
      team_id: sim.ready.teams.acme?.id,
    });
    expect(carol.of('user_added')[0]?.broadcast).toMatchObject({ channel_id: ch.id });
    expect(JSON.parse(String(carol.of('post_edited')[0]?.data?.post)).message).toBe('v2');
    const reaction = JSON.parse(String(carol.of('reaction_added')[0]?.data?.reaction));
    expect(reaction).toMatchObject({ user_id: userId(sim, 'carol'), post_id: post.id, emoji_name: 'tada' });
    expect(JSON.parse(String(carol.of('reaction_removed')[0]?.data?.reaction)).emoji_name).toBe('tada');
    expect(JSON.parse(String(carol.of('post_deleted')[0]?.data?.post)).id).toBe(post.id);
    expect(carol.of('direct_added')[0]?.broadcast).toMatchObject({ channel_id: dm.id });
    const posted = carol.of('posted')[0]?.data;
    expect(posted).toMatchObject({
      channel_name: 'ws-events',
      channel_type: 'O',
      sender_name: '@sysadmin',
      team_id: sim.ready.teams.acme?.id,
    });
    // The creator (and only the creator) hears channel_created.
    expect(carol.of('channel_created')).toEqual([]);
  });

  it('answers get_statuses_by_ids over the socket', async () => {
    const bob = track(wsClient(sim, userToken(sim, 'bob')));
    bob.connect();
    await until(() => bob.hellos.length === 1, 3000, 'hello');
    type Reply = { status: string; data: Record<string, string> };
    // The client passes the reply frame to the callback although its type says `() => void`.
    const reply = await new Promise<Reply>((resolve) => {
      const callback = (msg: unknown) => resolve(msg as Reply);
      bob.ws.getStatusesByIds([userId(sim, 'bob'), userId(sim, 'carol')], callback as unknown as () => void);
    });
    expect(reply.status).toBe('OK');
    expect(reply.data[userId(sim, 'bob')]).toBe('online');
  });

  it('closes a socket that never authenticates, and refuses a bad header token at the upgrade', async () => {
    await control(sim, 'PATCH', '/_sim/config', { SimSettings: { WebSocketAuthTimeoutMs: 150 } });
    try {
      const url = `${sim.url.replace(/^http/, 'ws')}/api/v4/websocket`;
      const silent = new WsWebSocket(url);
      const closed = await new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
      expect(closed).toBe(1008);
      const bad = new WsWebSocket(url, { headers: { Authorization: 'Bearer notavalidtokennotavalidtok' } });
      const status = await new Promise<number>((resolve) =>
        bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
      );
      expect(status).toBe(401);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { SimSettings: { WebSocketAuthTimeoutMs: 5000 } });
    }
  });
});
