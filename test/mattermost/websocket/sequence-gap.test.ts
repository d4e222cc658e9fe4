import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { MmEvent } from '../../../src/mattermost/index.ts';
import { BotSocket } from '../../../src/mattermost/websocket/bot-socket.ts';
import { waitFor } from '../../helpers/wait.ts';
import { type EdgeWorld, mm, startEdgeWorld, user } from '../harness.ts';

/**
 * A lossy network between the bot's socket and the simulator: a WebSocket relay that loses one frame on the
 * way. The socket must notice the sequence gap, close, and resume from the missing number, so the simulator
 * replays the lost event from its dead queue.
 */
async function lossyRelay(
  target: string,
  lose: (frame: { event?: string; data?: { post?: string } }) => boolean,
) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  let lost = 0;
  const resumes: string[] = [];
  wss.on('connection', (client, req) => {
    const query = new URL(req.url ?? '/', 'http://x').search;
    if (query.includes('connection_id=')) resumes.push(query);
    const upstream = new WebSocket(`${target}/api/v4/websocket${query}`, {
      headers: { Authorization: req.headers.authorization ?? '' },
    });
    const pending: string[] = [];
    upstream.on('open', () => {
      for (const m of pending.splice(0)) upstream.send(m);
    });
    client.on('message', (m) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(String(m));
      else pending.push(String(m));
    });
    upstream.on('message', (m) => {
      const frame = JSON.parse(String(m));
      if (lost === 0 && lose(frame)) {
        lost++;
        return;
      }
      client.send(String(m));
    });
    client.on('close', () => upstream.terminate());
    upstream.on('close', () => client.terminate());
    upstream.on('error', () => client.terminate());
  });
  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    resumes,
    lost: () => lost,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('bot WebSocket on a lossy network', () => {
  let w: EdgeWorld;
  let relay: Awaited<ReturnType<typeof lossyRelay>>;
  let socket: BotSocket;
  const events: MmEvent[] = [];

  beforeAll(async () => {
    w = await startEdgeWorld();
    relay = await lossyRelay(
      w.sim.url.replace(/^http/, 'ws'),
      (f) => f.event === 'posted' && String(f.data?.post).includes('lost on the wire'),
    );
    socket = new BotSocket({
      baseUrl: relay.url,
      token: w.botToken,
      rest: w.edge.rest,
      cursors: w.stores.channelCursors,
      log: w.log.log,
      botUserId: () => w.botId,
      minReconnectMs: 30,
    });
    socket.subscribe((e) => {
      events.push(e);
    });
    await socket.start();
  });
  afterAll(async () => {
    await socket.stop();
    await relay.close();
    await w.close();
  });

  it('notices the gap and resumes from the missing sequence number: the lost event is replayed', async () => {
    const alice = user(w.sim, 'alice');
    const dm = (
      await mm(w.sim, 'POST', '/api/v4/channels/direct', { token: alice.token, body: [alice.id, w.botId] })
    ).body.id;
    for (const message of ['lost on the wire', 'next one']) {
      await mm(w.sim, 'POST', '/api/v4/posts', { token: alice.token, body: { channel_id: dm, message } });
    }
    const messages = () => events.flatMap((e) => (e.kind === 'MmPostCreated' ? [e.post.message] : []));
    await waitFor(
      'both posts',
      () => messages().includes('lost on the wire') && messages().includes('next one'),
    );
    expect(relay.lost()).toBe(1);
    expect(relay.resumes).toHaveLength(1);
    expect(messages()).toEqual(['lost on the wire', 'next one']);
    expect(events.every((e) => !('source' in e) || e.source === 'live')).toBe(true);
    expect(socket.hellos).toBe(1);
  });
});
