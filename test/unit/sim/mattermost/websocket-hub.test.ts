import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createSession } from '../../../../sim/mattermost/auth.ts';
import { insertUser } from '../../../../sim/mattermost/handlers/users.ts';
import { SimState } from '../../../../sim/mattermost/state.ts';
import { RING_SIZE, SEND_QUEUE_SIZE, WebSocketHub } from '../../../../sim/mattermost/websocket/hub.ts';
import { SimClock } from '../../../../sim/shared/clock.ts';

/** A socket stand-in that records frames; the hub only calls send and terminate. */
function fakeSocket() {
  const frames: Array<{ event: string; seq: number; data: Record<string, unknown> }> = [];
  const socket = {
    send: (f: string) => frames.push(JSON.parse(f)),
    terminate: () => {},
  } as unknown as WebSocket;
  return { socket, frames };
}

describe('mattermost sim: WebSocket hub resume rules', () => {
  const clock = new SimClock();
  afterEach(() => clock.dispose());
  /** A state with users u1, u2, admin, each with a live session whose token is `tok-<id>`. */
  const setup = () => {
    const state = new SimState(clock, 'http://sim');
    for (const id of ['u1', 'u2', 'admin']) {
      insertUser(state, { id, username: `user-${id}`, email: `${id}@example.org` });
      createSession(state, id, 'login', { token: `tok-${id}` });
    }
    const hub = new WebSocketHub(() => state, 'test');
    return { state, hub };
  };

  it('replays from a seq that was written but not received, then the events queued while away', () => {
    const { hub } = setup();
    const first = fakeSocket();
    const conn = hub.open('u1', first.socket, true, 'tok-u1');
    for (let i = 0; i < 5; i++) hub.publish('posted', { n: i }, { user_id: 'u1' });
    hub.detach(conn, first.socket);
    hub.publish('posted', { n: 5 }, { user_id: 'u1' });
    const second = fakeSocket();
    // The client saw up to seq 3 (hello 0, n0..n2), so it asks for 4.
    expect(hub.resume('u1', conn.id, 4, second.socket, 'tok-u1')).toBe(conn);
    expect(second.frames.map((f) => [f.seq, f.data.n])).toEqual([
      [4, 3],
      [5, 4],
      [6, 5],
    ]);
  });

  it('resumes losslessly when the asked-for seq is the next one, and refuses another user or a lost seq', () => {
    const { hub } = setup();
    const a = fakeSocket();
    const conn = hub.open('u1', a.socket, true, 'tok-u1');
    hub.publish('typing', {}, { user_id: 'u1' });
    hub.detach(conn, a.socket);
    expect(hub.resume('u2', conn.id, 2, fakeSocket().socket, 'tok-u2')).toBeUndefined();
    const b = fakeSocket();
    expect(hub.resume('u1', conn.id, 2, b.socket, 'tok-u1')).toBe(conn);
    expect(b.frames).toEqual([]);
    for (let i = 0; i < RING_SIZE + 5; i++) hub.publish('posted', { n: i }, { user_id: 'u1' });
    hub.detach(conn, b.socket);
    expect(hub.resume('u1', conn.id, 3, fakeSocket().socket, 'tok-u1')).toBeUndefined();
  });

  it('forgets a connection whose send queue overflows while away, or that idles past the window', async () => {
    const { hub } = setup();
    const a = fakeSocket();
    const conn = hub.open('u1', a.socket, true, 'tok-u1');
    hub.detach(conn, a.socket);
    for (let i = 0; i <= SEND_QUEUE_SIZE; i++) hub.publish('posted', { n: i }, { user_id: 'u1' });
    expect(hub.resume('u1', conn.id, 1, fakeSocket().socket, 'tok-u1')).toBeUndefined();
    const b = fakeSocket();
    const conn2 = hub.open('u1', b.socket, true, 'tok-u1');
    hub.detach(conn2, b.socket);
    await clock.advance(5 * 60 * 1000 + 1);
    expect(hub.resume('u1', conn2.id, 1, fakeSocket().socket, 'tok-u1')).toBeUndefined();
  });

  it('never resumes a connection that was authenticated by challenge', () => {
    const { hub } = setup();
    const a = fakeSocket();
    const conn = hub.open('u1', a.socket, false, 'tok-u1');
    hub.detach(conn, a.socket);
    expect(hub.resume('u1', conn.id, 1, fakeSocket().socket, 'tok-u1')).toBeUndefined();
  });

  it('sends channel events only to channel members and honours omit_users', () => {
    const { state, hub } = setup();
    state.channelMembers.push({
      channel_id: 'c1',
      user_id: 'u1',
      roles: '',
      last_viewed_at: 0,
      msg_count: 0,
    });
    state.channelMembers.push({
      channel_id: 'c1',
      user_id: 'u2',
      roles: '',
      last_viewed_at: 0,
      msg_count: 0,
    });
    const [s1, s2, s3] = [fakeSocket(), fakeSocket(), fakeSocket()];
    hub.open('u1', s1.socket, true, 'tok-u1');
    hub.open('u2', s2.socket, true, 'tok-u2');
    hub.open('admin', s3.socket, true, 'tok-admin');
    hub.publish('posted', {}, { channel_id: 'c1', omit_users: { u2: true } });
    expect(s1.frames.map((f) => f.event)).toEqual(['hello', 'posted']);
    expect(s2.frames.map((f) => f.event)).toEqual(['hello']);
    expect(s3.frames.map((f) => f.event)).toEqual(['hello']);
  });

  it('stops sending to a connection whose session was revoked', () => {
    const { state, hub } = setup();
    const a = fakeSocket();
    hub.open('u1', a.socket, true, 'tok-u1');
    state.sessions.delete('tok-u1');
    hub.publish('posted', {}, { user_id: 'u1' });
    expect(a.frames.map((f) => f.event)).toEqual(['hello']);
  });
});
