import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { sessionForToken } from '../auth.ts';
import { SimError } from '../errors.ts';
import { currentStatus, markOffline, markOnline } from '../handlers/status.ts';
import type { World } from '../world.ts';
import type { WsConnection } from './hub.ts';

/**
 * `GET /api/v4/websocket`: the upgrade, authentication and the client→server actions.
 *
 * Contract (server api4/websocket.go, §1.14):
 * - Auth by the upgrade request (Authorization header, MMAUTHTOKEN cookie) or, after the upgrade, an
 *   `authentication_challenge` action within `SimSettings.WebSocketAuthTimeoutMs` (5 s, as the server's
 *   authCheckInterval; else the socket is closed).
 * - `?connection_id=&sequence_number=` resumes only when the upgrade was authenticated; a malformed
 *   `sequence_number` with a connection id closes the socket. Otherwise a fresh connection gets a `hello`.
 * - A successful connect marks the user online (unless their status is manual), as `NewWebConn` does; the last
 *   socket of a user going away marks them offline (again unless manual).
 * - Actions: `authentication_challenge`, `ping` (→ `pong` data), `user_typing` (→ `typing` to the channel's other
 *   members), `get_statuses`, `get_statuses_by_ids`; `presence`, `user_update_active_status` and
 *   `posted_notify_ack` are acknowledged and ignored. Unknown actions get a FAIL reply.
 */

export function attachWebSocket(server: Server, world: World): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname !== '/api/v4/websocket') {
      socket.destroy();
      return;
    }
    let headerToken: string | undefined;
    const authz = req.headers.authorization;
    const m = typeof authz === 'string' ? /^(bearer|token)\s+(\S+)$/i.exec(authz.trim()) : null;
    if (m?.[2]) headerToken = m[2];
    else {
      const cookie = /(?:^|;\s*)MMAUTHTOKEN=([^;]+)/.exec(req.headers.cookie ?? '');
      if (cookie?.[1]) headerToken = decodeURIComponent(cookie[1]);
    }
    let header: { userId: string; token: string } | undefined;
    if (headerToken) {
      try {
        header = { userId: sessionForToken(world.state, headerToken).user_id, token: headerToken };
      } catch {
        socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      world.state.count(world.state.requestCounts, 'GET /api/v4/websocket');
      serveSocket(world, ws, url.searchParams, header);
    });
  });
  return wss;
}

function serveSocket(
  world: World,
  ws: WebSocket,
  query: URLSearchParams,
  header: { userId: string; token: string } | undefined,
): void {
  let conn: WsConnection | undefined;
  const connectionId = query.get('connection_id') ?? '';
  const seqParam = query.get('sequence_number');

  const start = (userId: string, headerAuth: boolean, token: string): void => {
    if (headerAuth && connectionId !== '') {
      const seq = seqParam === null ? Number.NaN : Number(seqParam);
      if (!Number.isInteger(seq) || seq < 0) {
        ws.close(1008, 'invalid sequence_number');
        return;
      }
      conn = world.hub.resume(userId, connectionId, seq, ws, token);
    }
    conn ??= world.hub.open(userId, ws, headerAuth, token);
    markOnline(world, userId);
  };

  let authTimer: NodeJS.Timeout | undefined;
  if (header) start(header.userId, true, header.token);
  else {
    authTimer = setTimeout(() => {
      if (!conn) ws.close(1008, 'authentication timeout');
    }, world.state.config.SimSettings.WebSocketAuthTimeoutMs);
    authTimer.unref();
  }

  ws.on('message', (raw) => {
    let msg: { seq?: unknown; action?: unknown; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(raw.toString());
    } catch {
      return;
    }
    const seq = typeof msg.seq === 'number' ? msg.seq : 0;
    if (!conn) {
      if (msg.action !== 'authentication_challenge') return;
      const token = msg.data?.token;
      try {
        if (typeof token !== 'string')
          throw new SimError(401, 'api.web_socket_router.bad_seq.app_error', 'no token');
        const userId = sessionForToken(world.state, token).user_id;
        if (authTimer) clearTimeout(authTimer);
        start(userId, false, token);
        if (conn) world.hub.reply(conn, seq, 'OK');
      } catch {
        ws.send(
          JSON.stringify({
            status: 'FAIL',
            seq_reply: seq,
            error: { id: 'api.web_socket_router.not_authenticated.app_error' },
          }),
        );
      }
      return;
    }
    try {
      handleAction(world, conn, seq, msg.action, msg.data ?? {});
    } catch {
      // A bad frame must never take the simulator down; the server answers such frames with a FAIL reply.
      world.hub.reply(conn, seq, 'FAIL', undefined, { id: 'api.web_socket_router.bad_action.app_error' });
    }
  });

  ws.on('close', () => {
    if (authTimer) clearTimeout(authTimer);
    if (conn && world.hub.detach(conn, ws)) markOffline(world, conn.userId);
  });
  ws.on('error', () => {});
}

function handleAction(
  world: World,
  conn: WsConnection,
  seq: number,
  action: unknown,
  data: Record<string, unknown>,
): void {
  const state = world.state;
  switch (action) {
    // Already authenticated: the server ignores a second challenge without replying.
    case 'authentication_challenge':
      return;
    case 'ping':
      world.hub.reply(conn, seq, 'OK', {
        text: 'pong',
        version: world.version,
        server_time: state.now(),
        node_id: '',
      });
      return;
    case 'user_typing': {
      const channelId = typeof data.channel_id === 'string' ? data.channel_id : '';
      if (state.channelMember(channelId, conn.userId)) {
        world.hub.publish(
          'typing',
          { parent_id: data.parent_id ?? '', user_id: conn.userId },
          { channel_id: channelId, omit_users: { [conn.userId]: true } },
        );
      }
      world.hub.reply(conn, seq, 'OK');
      return;
    }
    case 'get_statuses': {
      const out: Record<string, string> = {};
      for (const id of [...state.statuses.keys()]) out[id] = currentStatus(world, id).status;
      world.hub.reply(conn, seq, 'OK', out);
      return;
    }
    case 'get_statuses_by_ids': {
      const ids = Array.isArray(data.user_ids) ? data.user_ids : [];
      const out: Record<string, string> = {};
      for (const id of ids) if (typeof id === 'string') out[id] = currentStatus(world, id).status;
      world.hub.reply(conn, seq, 'OK', out);
      return;
    }
    // Client hints the simulator accepts without acting on (active channel/team, activity, posted acks).
    // The client reports the user active: that is activity for the away rule.
    case 'user_update_active_status':
      if (data.user_is_active === true) markOnline(world, conn.userId);
      world.hub.reply(conn, seq, 'OK');
      return;
    case 'presence':
    case 'posted_notify_ack':
      world.hub.reply(conn, seq, 'OK');
      return;
    default:
      world.hub.reply(conn, seq, 'FAIL', undefined, {
        id: 'api.web_socket_router.bad_action.app_error',
        message: 'Invalid websocket action.',
      });
  }
}
