import type { FastifyInstance } from 'fastify';
import {
  ConnectFlow,
  connectionSubcommands,
  connectPaths,
  type MicrosoftSessions,
  registerKeepAlive,
  type reportDead,
} from '../accounts/index.ts';
import type { AccountService, Feature } from '../core/accounts/index.ts';
import type { Clock } from '../core/clock.ts';
import type { Subcommand } from '../core/commands/index.ts';
import type { Config } from '../core/config/index.ts';
import { isAppError } from '../core/errors.ts';
import { type MmUserId, parseMmUserId } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import type { TokenSigner } from '../core/signed-token.ts';
import type { Vault } from '../core/vault/index.ts';
import { connectPages } from '../http/index.ts';
import type { JobRunner } from '../jobs/index.ts';
import type { MattermostEdge } from '../mattermost/index.ts';
import type { MicrosoftEdge, ReconnectReason } from '../microsoft/index.ts';
import { ConnectRequests, type Store } from '../store/index.ts';

export interface WiredAccounts {
  accounts: AccountService;
  flow: ConnectFlow;
  /** What a feature needs to report a dead session (accounts' reportDead). */
  deadSessionDeps: Parameters<typeof reportDead>[0];
  routes(app: FastifyInstance): Promise<void>;
  schedule(): Promise<void>;
}

/**
 * Connected accounts over both edges: the connect flow's ports satisfied by the Mattermost edge (users, bot
 * DMs, browser sign-in) and the Microsoft edge (sign-in, sessions); connect/disconnect/status on both slash
 * commands; the keep-alive job. Composition only.
 */
export function wireAccounts(deps: {
  config: Config;
  store: Store;
  vault: Vault;
  jobs: JobRunner;
  log: Logger;
  clock: Clock;
  signer: TokenSigner;
  accounts: AccountService;
  mattermost: MattermostEdge;
  microsoft: MicrosoftEdge;
  publicUrl: () => string;
  /** Each feature's own subcommands, by trigger, listed after connect/disconnect/status. */
  subcommands?: Partial<Record<'mscalendar' | 'msteams', Subcommand[]>>;
  /** What each feature offers, shown in the DM once the user is connected. */
  welcome?: Partial<Record<Feature, string>>;
  /** Features hear about connections here (the calendar starts or stops its sync). */
  onConnected?: (mmUserId: MmUserId, feature: Feature) => Promise<void>;
  onDisconnected?: (mmUserId: MmUserId, feature: Feature) => Promise<void>;
}): WiredAccounts {
  const { mattermost, microsoft, accounts, log } = deps;
  const redirectUri = () => `${deps.publicUrl()}${connectPaths.microsoftCallback}`;

  const sessions: MicrosoftSessions = {
    async refresh(mmUserId) {
      const account = await accounts.get(mmUserId);
      const feature: Feature = account?.features[0] ?? 'calendar';
      try {
        await microsoft.auth.userToken(mmUserId, feature, { forceRefresh: true });
        return { ok: true };
      } catch (err) {
        if (isAppError(err) && err.code === 'MM365_MICROSOFT_RECONNECT_REQUIRED') {
          const reason = err.details?.reason as ReconnectReason | undefined;
          // No stored sign-in at all counts as expired: the user has to sign in again either way.
          return { ok: false, reason: !reason || reason === 'not_connected' ? 'refresh_expired' : reason };
        }
        throw err;
      }
    },
    // Fully disconnected: the user's subscriptions go first, then their tokens.
    forget: (mmUserId) => microsoft.disconnect(mmUserId),
  };

  const flow = new ConnectFlow({
    accounts,
    requests: new ConnectRequests(deps.store.db),
    signer: deps.signer,
    vault: deps.vault,
    directory: {
      async user(id) {
        try {
          const u = await mattermost.rest.getUser(id);
          if (u.delete_at > 0) return undefined;
          return { id: parseMmUserId(u.id), username: u.username, email: u.email, isBot: u.is_bot === true };
        } catch (err) {
          if ((err as { status?: number }).status === 404) return undefined;
          throw err;
        }
      },
    },
    posts: {
      dmPost: async (to, text) => (await mattermost.messenger.dm(to, text)).id,
      updatePost: async (postId, text) => {
        await mattermost.rest.patchPost(postId, { message: text });
      },
    },
    webSignIn: { linkFor: (userId, returnTo) => mattermost.signin.linkFor(userId, returnTo) },
    signIn: {
      authorizeUrl: ({ feature, state, loginHint }) =>
        microsoft.signIn.start({
          feature,
          state,
          redirectUri: redirectUri(),
          ...(loginHint ? { loginHint } : {}),
          ...(deps.config.microsoft.forceConsent ? { prompt: 'consent' as const } : {}),
        }),
      async redeem({ feature, code, codeVerifier }) {
        const done = await microsoft.signIn.complete({
          feature,
          code,
          codeVerifier,
          redirectUri: redirectUri(),
        });
        return { identity: done.identity, persist: (mmUserId: MmUserId) => done.persist(mmUserId) };
      },
    },
    sessions,
    clock: deps.clock,
    log: log.child({ part: 'accounts' }),
    ...(deps.onConnected ? { onConnected: deps.onConnected } : {}),
    ...(deps.welcome ? { welcome: deps.welcome } : {}),
    ...(deps.onDisconnected ? { onDisconnected: deps.onDisconnected } : {}),
  });

  const sets = [
    {
      trigger: 'mscalendar',
      description: 'Microsoft Calendar: your Outlook calendar in Mattermost',
      hint: '[command]',
      connectHint: '`/mscalendar connect`',
      feature: 'calendar' as const,
    },
    {
      trigger: 'msteams',
      description: 'Microsoft Teams: chats and channels in sync with Mattermost',
      hint: '[command]',
      connectHint: '`/msteams connect`',
      feature: 'teams' as const,
    },
  ];
  for (const { feature, ...set } of sets) {
    mattermost.registerCommands({
      ...set,
      subcommands: [
        ...connectionSubcommands(feature, flow),
        ...(deps.subcommands?.[set.trigger as 'mscalendar' | 'msteams'] ?? []),
      ],
    });
  }

  const messenger = {
    dm: async (to: MmUserId, text: string) => void (await mattermost.messenger.dm(to, text)),
  };
  const keepAlive = registerKeepAlive({ accounts, sessions, messenger, links: flow, jobs: deps.jobs, log });

  return {
    accounts,
    flow,
    deadSessionDeps: { accounts, messenger, links: flow },
    routes: async (app) =>
      app.register(
        connectPages({
          paths: connectPaths,
          whoIs: (request, reply) => mattermost.signin.requireUser(request, reply),
          start: (token, user) => flow.start(token, user),
          complete: (query, user) => flow.complete(query, user),
        }),
      ),
    schedule: () => keepAlive.schedule(),
  };
}
