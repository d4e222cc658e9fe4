import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { type Clock, systemClock } from '../core/clock.ts';
import type { CommandSet } from '../core/commands/index.ts';
import type { Config } from '../core/config/index.ts';
import type { Logger } from '../core/log.ts';
import { metricPrefix } from '../core/metrics/registry.ts';
import type { TokenSigner } from '../core/signed-token.ts';
import { accountsPorts } from './accounts-adapter.ts';
import { type BotIdentity, inspectBot } from './bot/bootstrap.ts';
import { CommandRegistrar, type TeamSyncReport } from './bot/command-registrar.ts';
import { type Check, diagnose } from './bot/diagnose.ts';
import { MattermostHttp, type MattermostHttpOptions } from './client/http.ts';
import { MattermostRest } from './client/rest.ts';
import type { MmEventHandler } from './events.ts';
import { openDialog as openDialogFor } from './inbound/action-route.ts';
import { AdminCheck } from './inbound/admin-check.ts';
import type { InboundDeps } from './inbound/deps.ts';
import type { ActionDefinition, DialogDefinition, DialogSpec } from './inbound/interactions.ts';
import { paths } from './inbound/paths.ts';
import { inboundPlugin } from './inbound/plugin.ts';
import { InteractivePosts } from './messages/interactive.ts';
import { Messenger } from './messages/messenger.ts';
import type { AccountStatusPort, MattermostStores } from './ports.ts';
import { MattermostOAuthClient } from './signin/oauth-client.ts';
import { Signin } from './signin/signin.ts';
import { UserTokenManager } from './signin/user-token-manager.ts';
import { BotSocket } from './websocket/bot-socket.ts';

import './errors.ts';

export type { BotIdentity } from './bot/bootstrap.ts';
export type { TeamSyncReport } from './bot/command-registrar.ts';
export type { Check } from './bot/diagnose.ts';
export { MattermostError } from './client/http.ts';
export { mattermostErrors } from './errors.ts';
export type { EventSource, MmEvent, MmEventHandler, MmPostView } from './events.ts';
export type {
  ActionContext,
  ActionDefinition,
  ActionReply,
  ButtonSpec,
  DialogContext,
  DialogDefinition,
  DialogReply,
  DialogSpec,
} from './inbound/interactions.ts';
export { paths as mattermostPaths } from './inbound/paths.ts';
export type { AttachmentSpec, SelectSpec } from './messages/interactive.ts';
export { TXN_PROP } from './messages/messenger.ts';
export type * from './ports.ts';

export interface MattermostEdgeDeps {
  config: Pick<
    Config['mattermost'],
    'url' | 'botToken' | 'adminUserIds' | 'oauthClientId' | 'oauthClientSecret'
  >;
  /** Where Mattermost and browsers reach us (server.publicUrl); read lazily, so port 0 works in tests. */
  publicUrl: () => string;
  stores: MattermostStores;
  accounts: AccountStatusPort;
  signer: () => Promise<TokenSigner>;
  log: Logger;
  registry: Registry;
  clock?: Clock;
  /** Tuning, mostly for tests. */
  options?: {
    /** How long a slash command or action may take before "Working on it…". Default 2500 ms. */
    ackMs?: number;
    http?: Partial<Omit<MattermostHttpOptions, 'baseUrl' | 'token' | 'log'>>;
    socket?: { minReconnectMs?: number; maxReconnectMs?: number; pingMs?: number };
    /** Open the bot WebSocket in start(). Default true. */
    websocket?: boolean;
  };
}

/** The periodic command re-check: the lead registers a queue with this name and cron, calling recheckCommands(). */
export const COMMAND_RECHECK_JOB = { name: 'mattermost.commands-recheck', cron: '*/15 * * * *' } as const;

export interface MattermostEdge {
  /** The inbound routes (slash commands, actions, dialogs, sign-in); register on the HTTP shell. */
  plugin: (app: FastifyInstance) => Promise<void>;
  /** Domains add their slash commands, actions and dialogs; call before start(). */
  registerCommands(set: CommandSet): void;
  registerAction(def: ActionDefinition<never>): void;
  registerDialog(def: DialogDefinition<never>): void;
  /**
   * Opens a dialog for `userId` with a slash command's trigger_id (Mattermost honours it for 30 s after the
   * command was typed). Its state is signed like a click's dialog, so the submission reaches the registered
   * DialogDefinition verified. Throws MM365_MM_UNKNOWN_ACTION for an unregistered callback id.
   */
  openDialog(triggerId: string, userId: string, dialog: DialogSpec, data: unknown): Promise<void>;
  /** Subscribe to converted Mattermost events from the bot's socket. */
  onEvent(handler: MmEventHandler): () => void;
  /** Check the bot, register commands in its teams, open the socket. Network I/O; call after listen(). */
  start(): Promise<BotIdentity>;
  stop(): Promise<void>;
  /** Re-register commands in every team of the bot (the periodic job and doctor call this). */
  recheckCommands(): Promise<TeamSyncReport[]>;
  /** doctor's Mattermost checks (token, bot, roles, commands, OAuth app, callbacks); never throws. */
  diagnose(): Promise<Check[]>;
  /** Objects matching the accounts domain's ports (UserMessenger, MattermostDirectory, BotPosts). */
  readonly accounts: ReturnType<typeof accountsPorts>;
  /**
   * A REST client acting as `userId` with their stored OAuth token (refreshed when near its end), for
   * posting, reacting or setting status as them. Throws MM365_MM_USER_TOKEN_MISSING when they must sign in.
   */
  restAs(userId: string): Promise<MattermostRest>;
  /** The bot as checked by start(); throws before it. */
  bot(): BotIdentity;
  readonly rest: MattermostRest;
  readonly messenger: Messenger;
  readonly interactive: InteractivePosts;
  readonly signin: Signin;
  readonly userTokens: UserTokenManager;
  readonly socket: BotSocket;
}

/**
 * The Mattermost edge's one front door (house style rule 1). Builds every part without network I/O;
 * start() talks to Mattermost. Needs mattermost.url and botToken (the sandbox supplies both).
 */
export function createMattermostEdge(deps: MattermostEdgeDeps): MattermostEdge {
  const { config, log, stores } = deps;
  if (!config.url || !config.botToken)
    throw new Error('the Mattermost edge needs mattermost.url and botToken');
  const clock = deps.clock ?? systemClock;
  const baseUrl = config.url.replace(/\/+$/, '');
  const retries = new Counter({
    name: `${metricPrefix}mattermost_retries_total`,
    help: 'Mattermost REST calls repeated after a 429, a 5xx or a network error, by status (0 = network).',
    labelNames: ['status'] as const,
    registers: [deps.registry],
  });
  const slowAcks = new Counter({
    name: `${metricPrefix}mattermost_slow_acks_total`,
    help: 'Slash commands and actions answered "Working on it…" because the handler was slow, by kind.',
    labelNames: ['kind'] as const,
    registers: [deps.registry],
  });
  const onRetry = deps.options?.http?.onRetry;
  const httpFor = (token: string) =>
    new MattermostHttp({
      ...deps.options?.http,
      baseUrl,
      token,
      log,
      onRetry: (info) => {
        retries.inc({ status: String(info.status) });
        onRetry?.(info);
      },
    });
  const http = httpFor(config.botToken);
  const rest = new MattermostRest(http);
  let identity: BotIdentity | undefined;
  const bot = (): BotIdentity => {
    if (!identity) throw new Error('the Mattermost edge has not started');
    return identity;
  };
  const botUserId = () => bot().userId;
  const url = (path: string) => `${deps.publicUrl().replace(/\/+$/, '')}${path}`;

  const sets: CommandSet[] = [];
  const actions = new Map<string, ActionDefinition>();
  const dialogs = new Map<string, DialogDefinition>();
  const messenger = new Messenger({ rest, intents: stores.postIntents, clock, log, botUserId });
  const interactive = new InteractivePosts({
    rest,
    messenger,
    signer: deps.signer,
    clock,
    actionUrl: () => url(paths.action),
  });
  const oauth =
    config.oauthClientId && config.oauthClientSecret
      ? new MattermostOAuthClient(http, {
          clientId: config.oauthClientId,
          clientSecret: config.oauthClientSecret,
          redirectUri: () => url(paths.oauthCallback),
        })
      : undefined;
  const signin = new Signin({
    rest,
    oauth,
    flows: stores.oauthFlows,
    sessions: stores.webSessions,
    links: stores.linkUses,
    userTokens: stores.userTokens,
    messenger,
    signer: deps.signer,
    clock,
    log,
    publicUrl: deps.publicUrl,
  });
  const userTokens = new UserTokenManager(stores.userTokens, oauth, clock, log);
  const registrar = new CommandRegistrar({
    rest,
    store: stores.commands,
    log,
    get commandUrl() {
      return url(paths.command);
    },
    botUserId,
    sets: () => sets,
  });
  const socket = new BotSocket({
    baseUrl,
    token: config.botToken,
    rest,
    cursors: stores.channelCursors,
    log,
    botUserId,
    ...deps.options?.socket,
  });
  socket.subscribe(async (event) => {
    if (event.kind === 'MmBotAddedToTeam') await registrar.syncTeam(event.teamId);
  });
  const inbound: InboundDeps = {
    signer: deps.signer,
    clock,
    log,
    rest,
    messenger,
    commandTokens: stores.commands,
    accounts: deps.accounts,
    admins: new AdminCheck(rest, clock, config.adminUserIds),
    commandSets: () => sets,
    actions,
    dialogs,
    get dialogUrl() {
      return url(paths.dialog);
    },
    mattermostUrl: baseUrl,
    ackMs: deps.options?.ackMs ?? 2500,
    slowAcks,
  };
  let socketStarted = false;

  return {
    plugin: inboundPlugin(inbound, signin),
    registerCommands(set) {
      if (sets.some((s) => s.trigger === set.trigger)) throw new Error(`/${set.trigger} is registered twice`);
      sets.push(set);
    },
    registerAction(def) {
      if (actions.has(def.id)) throw new Error(`action ${def.id} is registered twice`);
      actions.set(def.id, def as ActionDefinition);
    },
    registerDialog(def) {
      if (dialogs.has(def.id)) throw new Error(`dialog ${def.id} is registered twice`);
      dialogs.set(def.id, def as DialogDefinition);
    },
    openDialog: (triggerId, userId, dialog, data) =>
      openDialogFor(inbound, triggerId, clock.now(), userId, dialog, data),
    onEvent: (handler) => socket.subscribe(handler),
    async start() {
      identity = await inspectBot(rest);
      for (const line of identity.missing) log.warn({ code: 'MM365_MM_BOT_ROLES_MISSING' }, line);
      await registrar.syncAll();
      if (deps.options?.websocket !== false) {
        await socket.start();
        socketStarted = true;
      }
      return identity;
    },
    async stop() {
      if (socketStarted) await socket.stop();
    },
    recheckCommands: () => registrar.syncAll(),
    diagnose: () =>
      diagnose({
        rest,
        commands: stores.commands,
        sets,
        commandUrl: url(paths.command),
        oauth: config.oauthClientId ? { clientId: config.oauthClientId } : undefined,
        redirectUri: url(paths.oauthCallback),
      }),
    accounts: accountsPorts(rest, messenger),
    restAs: async (userId) => new MattermostRest(httpFor(await userTokens.accessTokenFor(userId))),
    bot,
    rest,
    messenger,
    interactive,
    signin,
    userTokens,
    socket,
  };
}
