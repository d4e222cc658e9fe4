import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client4, WebSocketClient } from '@mattermost/client';
import { WebSocket as WsWebSocket } from 'ws';
import { type MattermostSim, startMattermostSim } from '../../../sim/mattermost/index.ts';

/**
 * Test scaffolding for the Mattermost simulator's contract tests: a sim per file, vendor clients pointed at it,
 * and tiny local HTTP servers standing in for the integration (command URL, action URL, dialog URL).
 * Nothing here asserts; the tests do.
 */
export async function startSim(seed?: unknown): Promise<MattermostSim> {
  return startMattermostSim(seed === undefined ? {} : { seed });
}

/** A Client4 for `token`, set up as a Node service should (no cookies). */
export function client(sim: MattermostSim, token?: string): Client4 {
  const c = new Client4();
  c.setUrl(sim.url);
  c.setIncludeCookies(false);
  if (token) c.setToken(token);
  return c;
}

export function userToken(sim: MattermostSim, name: string): string {
  const u = sim.ready.users[name];
  if (!u) throw new Error(`no seeded user ${name}`);
  return u.token;
}

export function userId(sim: MattermostSim, name: string): string {
  const u = sim.ready.users[name];
  if (!u) throw new Error(`no seeded user ${name}`);
  return u.id;
}

export function channelId(sim: MattermostSim, team: string, channel: string): string {
  const id = sim.ready.teams[team]?.channels[channel];
  if (!id) throw new Error(`no seeded channel ${team}/${channel}`);
  return id;
}

/**
 * Client4 has no `openInteractiveDialog` (it is an integration-side call); a subclass reaches the client's own
 * `doFetch`, exactly as the reference suggests, without patching the client.
 */
export class IntegrationClient extends Client4 {
  openInteractiveDialog(request: { trigger_id: string; url: string; dialog: unknown }): Promise<unknown> {
    return this.doFetch(`${this.getBaseRoute()}/actions/dialogs/open`, {
      method: 'post',
      body: JSON.stringify(request),
    });
  }
}

export function integrationClient(sim: MattermostSim): IntegrationClient {
  const c = new IntegrationClient();
  c.setUrl(sim.url);
  c.setIncludeCookies(false);
  return c;
}

/** The error a Client4 call threw, for asserting on `server_error_id` and `status_code`. */
export async function refusal(
  p: Promise<unknown>,
): Promise<{ server_error_id: string; status_code: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { server_error_id?: string; status_code?: number };
    return { server_error_id: err.server_error_id ?? '', status_code: err.status_code ?? 0 };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

export interface WsMessage {
  event?: string;
  data?: Record<string, unknown>;
  seq?: number;
  broadcast?: Record<string, unknown>;
}

/**
 * A `@mattermost/client` WebSocketClient. With `headerAuth` the upgrade carries `Authorization: Bearer` (the
 * only way the server lets a client resume); otherwise the client's own `authentication_challenge` is used.
 * Fast reconnects keep tests short. Every event is recorded in `events`.
 */
export function wsClient(
  sim: MattermostSim,
  token: string,
  opts: { headerAuth?: boolean; retryMs?: number } = {},
) {
  const headerAuth = opts.headerAuth ?? true;
  const ws = new WebSocketClient({
    minWebSocketRetryTime: opts.retryMs ?? 50,
    reconnectJitterRange: 10,
    newWebSocketFn: (url: string) =>
      new WsWebSocket(
        url,
        headerAuth ? { headers: { Authorization: `Bearer ${token}` } } : {},
      ) as unknown as WebSocket,
  });
  const events: WsMessage[] = [];
  const hellos: string[] = [];
  let missed = 0;
  ws.addMessageListener((raw) => {
    const msg = raw as unknown as WsMessage;
    events.push(msg);
    if (msg.event === 'hello') hellos.push(String(msg.data?.connection_id));
  });
  ws.addMissedMessageListener(() => {
    missed++;
  });
  const url = `${sim.url.replace(/^http/, 'ws')}/api/v4/websocket`;
  return {
    ws,
    events,
    hellos,
    missed: () => missed,
    connect: () => ws.initialize(url, headerAuth ? '' : token),
    close: () => ws.close(),
    of: (event: string) => events.filter((e) => e.event === event),
  };
}

/** Polls `check` every 20 ms until it returns true or `ms` passes. */
export async function until(check: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A local integration server: records every request and answers with `respond` (status, content type, body).
 * Listens on 127.0.0.1, port 0.
 */
export async function integrationServer(
  respond: (
    req: Recorded,
  ) =>
    | { status?: number; json?: unknown; text?: string }
    | Promise<{ status?: number; json?: unknown; text?: string }>,
): Promise<{ url: string; requests: Recorded[]; close: () => Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const rec: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const out = await respond(rec);
      if (out.json !== undefined) {
        res.writeHead(out.status ?? 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(out.json));
      } else {
        res.writeHead(out.status ?? 200, { 'Content-Type': 'text/plain' });
        res.end(out.text ?? '');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Calls the control API. */
export async function control(
  sim: MattermostSim,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${sim.ready.controlToken}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
