import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type MattermostSim, startMattermostSim } from '../../sim/mattermost/index.ts';
import type { CommandSet } from '../../src/core/commands/index.ts';
import type { MmUserId } from '../../src/core/ids.ts';
import { createMetrics } from '../../src/core/metrics/registry.ts';
import { TokenSigner } from '../../src/core/signed-token.ts';
import { Vault } from '../../src/core/vault/index.ts';
import { buildHttpServer } from '../../src/http/index.ts';
import {
  createMattermostEdge,
  type MattermostEdge,
  type MattermostEdgeDeps,
} from '../../src/mattermost/index.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { MattermostChannelCursors } from '../../src/store/mattermost-channel-cursor.ts';
import { MattermostCommands } from '../../src/store/mattermost-command.ts';
import { MattermostLinkUses } from '../../src/store/mattermost-link-use.ts';
import { MattermostOAuthFlows } from '../../src/store/mattermost-oauth-flow.ts';
import { MattermostPostIntents } from '../../src/store/mattermost-post-intent.ts';
import { MattermostUserTokens } from '../../src/store/mattermost-user-token.ts';
import { MattermostWebSessions } from '../../src/store/mattermost-web-session.ts';
import { openTestStore, type TestDriver, type TestStore } from '../helpers/database.ts';
import { captureLog } from '../helpers/log.ts';

/**
 * The Mattermost edge under test, for real: the simulator (HTTP + WebSocket) on a free port, a migrated test
 * store, the product's HTTP shell listening on 127.0.0.1:0 (the sim's demo config allows loopback callbacks),
 * and the edge wired as the composition root would. Nothing here asserts; the tests do.
 */
export interface EdgeWorld {
  sim: MattermostSim;
  store: TestStore;
  vault: Vault;
  signer: TokenSigner;
  http: FastifyInstance;
  edge: MattermostEdge;
  publicUrl: string;
  botId: string;
  botToken: string;
  connected: Set<string>;
  log: ReturnType<typeof captureLog>;
  stores: MattermostEdgeDeps['stores'];
  close(): Promise<void>;
}

/** Calls the simulator's REST or control API with a token; returns status and parsed body. */
/** Simulator JSON, read loosely by tests (they assert on the fields they care about). */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary simulator JSON and assert on it
export type SimJson = any;

export async function mm(
  sim: MattermostSim,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; control?: boolean } = {},
): Promise<{ status: number; body: SimJson }> {
  const token = opts.control ? sim.ready.controlToken : (opts.token ?? sim.ready.adminToken);
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text (429s, OK)
  }
  return { status: res.status, body };
}

/** A bot account made the way an admin would: created, made system admin (unless told not to), given a token. */
export async function makeBot(
  sim: MattermostSim,
  opts: { username?: string; admin?: boolean; teams?: string[] } = {},
): Promise<{ id: string; token: string }> {
  const bot = await mm(sim, 'POST', '/api/v4/bots', { body: { username: opts.username ?? 'm365' } });
  if (bot.status !== 201) throw new Error(`bot create: ${JSON.stringify(bot.body)}`);
  const id = bot.body.user_id as string;
  if (opts.admin !== false) {
    await mm(sim, 'PUT', `/api/v4/users/${id}/roles`, { body: { roles: 'system_user system_admin' } });
  }
  for (const team of opts.teams ?? ['acme']) {
    const teamId = sim.ready.teams[team]?.id;
    await mm(sim, 'POST', `/api/v4/teams/${teamId}/members`, { body: { team_id: teamId, user_id: id } });
  }
  const token = await mm(sim, 'POST', `/api/v4/users/${id}/tokens`, { body: { description: 'mm365' } });
  return { id, token: token.body.token as string };
}

export function user(sim: MattermostSim, name: string): { id: MmUserId; token: string } {
  const u = sim.ready.users[name];
  if (!u) throw new Error(`no user ${name}`);
  return { id: u.id as MmUserId, token: u.token };
}

export function channel(sim: MattermostSim, name = 'town-square'): string {
  const id = sim.ready.teams.acme?.channels[name];
  if (!id) throw new Error(`no channel ${name}`);
  return id;
}

export async function postLog(sim: MattermostSim, channelId: string): Promise<SimJson[]> {
  return (await mm(sim, 'GET', `/_sim/channels/${channelId}/post-log`, { control: true })).body as SimJson[];
}

export async function counters(sim: MattermostSim): Promise<SimJson> {
  return (await mm(sim, 'GET', '/_sim/counters', { control: true })).body;
}

export interface EdgeWorldOptions {
  driver?: TestDriver;
  commandSets?: CommandSet[];
  botAdmin?: boolean;
  oauth?: boolean;
  websocket?: boolean;
  ackMs?: number;
  http?: NonNullable<MattermostEdgeDeps['options']>['http'];
  socket?: NonNullable<MattermostEdgeDeps['options']>['socket'];
  /** The edge's clock (the simulator keeps wall time). */
  clock?: MattermostEdgeDeps['clock'];
  /** Runs after the edge is built and before start(): register actions and dialogs here. */
  setup?: (edge: MattermostEdge) => void;
  /** Extra routes on the product's server (e.g. a page that needs a signed-in user), added before listen. */
  routes?: (app: FastifyInstance, edge: MattermostEdge) => void;
}

export async function startEdgeWorld(opts: EdgeWorldOptions = {}): Promise<EdgeWorld> {
  const sim = await startMattermostSim({ port: 0 });
  const store = await openTestStore(opts.driver ?? 'pglite');
  await migrateToLatest(store.store);
  const bot = await makeBot(sim, { admin: opts.botAdmin });
  const vault = new Vault([{ id: 'k1', key: randomBytes(32) }]);
  const signer = new TokenSigner(randomBytes(32));
  const log = captureLog('info');
  const metrics = createMetrics();
  const http = buildHttpServer({
    config: { server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 1024 * 1024, shutdownGraceMs: 1000 } },
    log: log.log,
    metrics,
    probes: [],
    isDraining: () => false,
  });
  let publicUrl = '';
  let oauthApp: { id: string; secret: string } | undefined;
  const connected = new Set<string>();
  const db = store.store.db;
  const stores: MattermostEdgeDeps['stores'] = {
    commands: new MattermostCommands(db, vault),
    postIntents: new MattermostPostIntents(db),
    userTokens: new MattermostUserTokens(db, vault),
    oauthFlows: new MattermostOAuthFlows(db, vault),
    webSessions: new MattermostWebSessions(db),
    linkUses: new MattermostLinkUses(db),
    channelCursors: new MattermostChannelCursors(db),
  };
  // The OAuth app needs our callback URL, known only after listen: registered with a placeholder, edited below.
  if (opts.oauth) {
    const app = await mm(sim, 'POST', '/api/v4/oauth/apps', {
      body: {
        name: 'mm365',
        description: 'test',
        homepage: 'http://127.0.0.1',
        callback_urls: ['http://127.0.0.1/x'],
        is_trusted: true,
      },
    });
    oauthApp = { id: app.body.id, secret: app.body.client_secret };
  }
  const edge = createMattermostEdge({
    config: {
      url: sim.url,
      botToken: bot.token,
      adminUserIds: [],
      oauthClientId: oauthApp?.id,
      oauthClientSecret: oauthApp?.secret,
    },
    publicUrl: () => publicUrl,
    stores,
    accounts: { isConnected: async (userId) => connected.has(userId) },
    signer: async () => signer,
    log: log.log,
    registry: metrics.registry,
    clock: opts.clock,
    options: {
      ackMs: opts.ackMs ?? 2500,
      websocket: opts.websocket ?? false,
      http: { backoffBaseMs: 20, ...opts.http },
      socket: { minReconnectMs: 30, maxReconnectMs: 200, pingMs: 5000, ...opts.socket },
    },
  });
  for (const set of opts.commandSets ?? []) edge.registerCommands(set);
  opts.setup?.(edge);
  await http.register(edge.plugin);
  opts.routes?.(http, edge);
  await http.listen({ host: '127.0.0.1', port: 0 });
  publicUrl = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  if (oauthApp) {
    // Now that our callback URL is known, the admin edits the app (PUT /oauth/apps/{id}).
    const app = await mm(sim, 'GET', `/api/v4/oauth/apps/${oauthApp.id}`);
    const edited = await mm(sim, 'PUT', `/api/v4/oauth/apps/${oauthApp.id}`, {
      body: { ...app.body, callback_urls: [`${publicUrl}/mattermost/oauth/callback`] },
    });
    if (edited.status !== 200) throw new Error(`oauth app edit: ${JSON.stringify(edited.body)}`);
  }
  await edge.start();
  return {
    sim,
    store,
    vault,
    signer,
    http,
    edge,
    publicUrl,
    botId: bot.id,
    botToken: bot.token,
    connected,
    log,
    stores,
    async close() {
      await edge.stop();
      await http.close();
      await sim.close();
      await store.close();
    },
  };
}
