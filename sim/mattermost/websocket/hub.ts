import type { WebSocket } from 'ws';
import { isSessionLive } from '../auth.ts';
import { newId } from '../ids.ts';
import type { SimState } from '../state.ts';

/**
 * The WebSocket hub: connections, per-connection sequence numbers, the resume queues, and event fan-out.
 *
 * Contract (server app/platform web_conn.go / web_hub.go, §1.14 of the reference):
 * - Each connection has an id (sent in `hello`) and its own `seq`, starting at 0 with the hello and rising by
 *   one per event written to it.
 * - The last 128 events written stay in a dead queue (`ring`). A dropped connection stays registered, inactive,
 *   for `SimSettings.WebSocketResumeWindowMs` (about 5 minutes, on the SimClock); events published meanwhile wait
 *   in its send queue (`pending`, 256 slots, as the server's buffered channel; overflowing it drops the connection).
 * - Resume (`resume`): if the asked-for seq is in the dead queue, everything from it is replayed; if it is the
 *   next seq after the dead queue's last, nothing was lost; either way the pending events follow, no hello is
 *   sent. Otherwise (seq lost, connection reaped or dropped, server restarted) a fresh connection and hello.
 * - Fan-out follows the event's broadcast: `user_id` → only that user's connections; `channel_id` → members of
 *   the channel (a system admin outside the channel gets nothing); `team_id` → team members; `omit_users`
 *   removes users. So a bot never sees a DM it is not in, and `status_change` reaches only its own user.
 */
export const RING_SIZE = 128;
export const SEND_QUEUE_SIZE = 256;

export interface Broadcast {
  user_id?: string;
  channel_id?: string;
  team_id?: string;
  omit_users?: Record<string, boolean>;
}

export interface WsConnection {
  id: string;
  userId: string;
  /** Next seq to assign. */
  seq: number;
  ring: Array<{ seq: number; frame: string }>;
  /** Events published while the socket was away; they get their seq when written. */
  pending: Array<{ event: string; data: Record<string, unknown>; broadcast: Broadcast }>;
  socket: WebSocket | undefined;
  /** SimClock ms when the socket went away; 0 while connected. */
  inactiveSince: number;
  /** Whether the upgrade itself was authenticated (only such connections may resume). */
  headerAuth: boolean;
  /** The session the socket authenticated with; events stop once it is revoked, expired or its user deactivated. */
  sessionToken: string;
}

export class WebSocketHub {
  readonly #getState: () => SimState;
  readonly #connections = new Map<string, WsConnection>();
  #eventsSent = 0;
  readonly version: string;

  constructor(getState: () => SimState, version: string) {
    this.#getState = getState;
    this.version = version;
  }

  /** Registers a fresh connection for `userId` and sends its hello (seq 0). */
  open(userId: string, socket: WebSocket, headerAuth: boolean, sessionToken: string): WsConnection {
    const conn: WsConnection = {
      id: newId(),
      userId,
      seq: 0,
      ring: [],
      pending: [],
      socket,
      inactiveSince: 0,
      headerAuth,
      sessionToken,
    };
    this.#connections.set(conn.id, conn);
    this.#deliver(
      conn,
      'hello',
      { server_version: this.version, connection_id: conn.id, server_hostname: 'mattermost-sim' },
      { user_id: userId },
    );
    return conn;
  }

  /**
   * Attempts a resume of `connectionId` for `userId` at `sequence` (the next seq the client expects). Returns the
   * connection with the socket attached, missed frames replayed and pending events written; or undefined when a
   * fresh connection (and hello) is due.
   */
  resume(
    userId: string,
    connectionId: string,
    sequence: number,
    socket: WebSocket,
    sessionToken: string,
  ): WsConnection | undefined {
    this.reap();
    const conn = this.#connections.get(connectionId);
    if (!conn || conn.userId !== userId || !conn.headerAuth) return undefined;
    const from = conn.ring.findIndex((f) => f.seq === sequence);
    const lossless = from === -1 && sequence === conn.seq;
    if (from === -1 && !lossless) {
      this.#connections.delete(conn.id);
      return undefined;
    }
    if (conn.socket && conn.socket !== socket) conn.socket.terminate();
    conn.socket = socket;
    conn.sessionToken = sessionToken;
    conn.inactiveSince = 0;
    if (from !== -1) for (const f of conn.ring.slice(from)) socket.send(f.frame);
    for (const p of conn.pending.splice(0)) this.#deliver(conn, p.event, p.data, p.broadcast);
    return conn;
  }

  /** The socket went away: keep the state for resume. Returns true when the user has no live socket left. */
  detach(conn: WsConnection, socket: WebSocket): boolean {
    if (conn.socket !== socket) return false;
    conn.socket = undefined;
    conn.inactiveSince = this.#getState().now();
    return !this.isOnline(conn.userId);
  }

  isOnline(userId: string): boolean {
    for (const c of this.#connections.values()) if (c.userId === userId && c.socket) return true;
    return false;
  }

  /** Forgets connections idle for longer than the resume window. */
  reap(): void {
    const state = this.#getState();
    const window = state.config.SimSettings.WebSocketResumeWindowMs;
    for (const [id, c] of this.#connections) {
      if (!c.socket && c.inactiveSince !== 0 && state.now() - c.inactiveSince > window)
        this.#connections.delete(id);
    }
  }

  /** Publishes an event to every connection allowed to see it. */
  publish(event: string, data: Record<string, unknown>, broadcast: Broadcast): void {
    this.reap();
    const state = this.#getState();
    let allowed: Set<string> | undefined;
    if (broadcast.user_id) allowed = new Set([broadcast.user_id]);
    else if (broadcast.channel_id) allowed = new Set(state.channelMemberIds(broadcast.channel_id));
    else if (broadcast.team_id) {
      allowed = new Set(
        state.teamMembers
          .filter((m) => m.team_id === broadcast.team_id && m.delete_at === 0)
          .map((m) => m.user_id),
      );
    }
    for (const conn of this.#connections.values()) {
      if (allowed && !allowed.has(conn.userId)) continue;
      // As shouldSendEvent: a connection whose session is gone gets nothing (the socket stays open).
      if (!isSessionLive(state, conn.sessionToken)) continue;
      if (broadcast.omit_users?.[conn.userId]) continue;
      this.#deliver(conn, event, data, broadcast);
    }
  }

  /** Sends a reply frame (`seq_reply`) that takes no sequence number. */
  reply(conn: WsConnection, seqReply: number, status: 'OK' | 'FAIL', data?: unknown, error?: unknown): void {
    const frame: Record<string, unknown> = { status, seq_reply: seqReply };
    if (data !== undefined) frame.data = data;
    if (error !== undefined) frame.error = error;
    conn.socket?.send(JSON.stringify(frame));
  }

  /** Closes every socket (or one user's) abruptly, keeping resume state: the "network dropped" fault. */
  drop(userId?: string): number {
    let n = 0;
    for (const c of this.#connections.values()) {
      if (c.socket && (!userId || c.userId === userId)) {
        c.socket.terminate();
        n++;
      }
    }
    return n;
  }

  /** Forgets everything (server restart): every client will get a new hello on reconnect. */
  restart(): void {
    for (const c of this.#connections.values()) c.socket?.terminate();
    this.#connections.clear();
  }

  counters(): { connections: number; active: number; events_sent: number } {
    let active = 0;
    for (const c of this.#connections.values()) if (c.socket) active++;
    return { connections: this.#connections.size, active, events_sent: this.#eventsSent };
  }

  #deliver(conn: WsConnection, event: string, data: Record<string, unknown>, broadcast: Broadcast): void {
    if (!conn.socket) {
      conn.pending.push({ event, data, broadcast });
      // The server closes and forgets a connection whose send queue overflows.
      if (conn.pending.length > SEND_QUEUE_SIZE) this.#connections.delete(conn.id);
      return;
    }
    const frame = JSON.stringify({
      event,
      data,
      broadcast: {
        omit_users: broadcast.omit_users ?? null,
        user_id: broadcast.user_id ?? '',
        channel_id: broadcast.channel_id ?? '',
        team_id: broadcast.team_id ?? '',
        connection_id: '',
        omit_connection_id: '',
      },
      seq: conn.seq,
    });
    conn.ring.push({ seq: conn.seq, frame });
    if (conn.ring.length > RING_SIZE) conn.ring.shift();
    conn.seq++;
    conn.socket.send(frame);
    this.#eventsSent++;
  }
}
