/**
 * Front door of the Microsoft edge (house style rule 1): everything that speaks Entra ID and Graph. Only
 * this folder imports msal-node; the rest of the product gets what createMicrosoftEdge returns.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Feature } from '../core/accounts/account.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Config } from '../core/config/index.ts';
import type { Logger } from '../core/log.ts';
import { MicrosoftAuth } from './auth/microsoft-auth.ts';
import type { TokenCacheStore } from './auth/token-cache-store.ts';
import { type MicrosoftEndpoints, resolveEndpoints, trustExtraCa } from './clouds.ts';
import { MicrosoftDiagnostics } from './diagnostics.ts';
import { GraphClient } from './graph/graph-client.ts';
import type { GraphFeature } from './graph/graph-metrics.ts';
import { GraphSession } from './graph/graph-session.ts';
import type { NotificationInbox } from './inbound/ports.ts';
import { graphWebhookPlugin, webhookPaths } from './inbound/webhook-plugin.ts';
import { NotificationProcessor, type NotificationStore } from './notifications/processor.ts';
import { ValidationTokenVerifier } from './notifications/validation-tokens.ts';
import { MicrosoftSignIn } from './sign-in.ts';
import { NotificationCertificates } from './subscriptions/certificates.ts';
import type { CertificateStore, SubscriptionStore } from './subscriptions/ports.ts';
import { type SubscriptionAuth, SubscriptionManager } from './subscriptions/subscription-manager.ts';

export type { ReconnectReason } from './auth/auth-errors.ts';
export type { AuthorizeRequest, MicrosoftAuth } from './auth/microsoft-auth.ts';
export { featureAppRoles, featureScopes } from './auth/scopes.ts';
export type { TokenCacheStore } from './auth/token-cache-store.ts';
export { clouds, type MicrosoftEndpoints, resolveEndpoints, trustExtraCa } from './clouds.ts';
export type { CheckResult, MicrosoftDiagnostics } from './diagnostics.ts';
export { microsoftErrors } from './errors.ts';
export type { BatchItem, BatchResult } from './graph/batch.ts';
export type { GraphCall, GraphClient, GraphResponse } from './graph/graph-client.ts';
export type { DeltaResult, GraphSession } from './graph/graph-session.ts';
export type { InboundNotificationRow, NotificationInbox, SubscriptionLookup } from './inbound/ports.ts';
export type { GraphNotification } from './notifications/notification-schema.ts';
export type {
  NotificationProcessor,
  NotificationStore,
  SubscriptionHandler,
} from './notifications/processor.ts';
export type { CompletedSignIn, MicrosoftSignIn } from './sign-in.ts';
export type { CertificateStore, SubscriptionRecord, SubscriptionStore } from './subscriptions/ports.ts';
export type {
  SubscriptionAuth,
  SubscriptionManager,
  SubscriptionSpec,
} from './subscriptions/subscription-manager.ts';

export interface MicrosoftEdgeDeps {
  config: Config['microsoft'];
  /**
   * Public HTTPS URL where Graph reaches the webhook plugin, prefix included
   * (`${server.publicUrl}/microsoft`): notifications go to `/notifications`, lifecycle events to `/lifecycle`.
   */
  webhookBaseUrl: string | (() => string);
  tokenCache: TokenCacheStore;
  inbox: NotificationInbox;
  notifications: NotificationStore;
  subscriptions: SubscriptionStore;
  certificates: CertificateStore;
  registry: Registry;
  log: Logger;
  clock?: Clock;
  /** Graph client tuning (tests shorten timeouts). */
  graph?: { timeoutMs?: number; maxAttempts?: number; maxRetryAfterMs?: number };
}

/** A queue the composition root creates with jobs' defineQueue and registers `handler` for. */
export interface EdgeQueue<S extends z.ZodType> {
  name: string;
  schema: S;
  concurrency: 'standard' | 'singleton' | 'ordered';
  handler: (payload: z.output<S>) => Promise<void>;
}

export interface MicrosoftEdge {
  readonly endpoints: MicrosoftEndpoints;
  readonly auth: MicrosoftAuth;
  readonly signIn: MicrosoftSignIn;
  readonly graph: GraphClient;
  /** Graph as a connected user (delegated token of `partition` with `feature`'s scopes). */
  asUser(partition: string, feature: Feature): GraphSession;
  /** Graph as the app (client credentials). */
  asApp(feature: GraphFeature): GraphSession;
  readonly subscriptions: SubscriptionManager;
  /**
   * Disconnect a user entirely: their subscriptions (owner key = partition) are deleted at Graph while the
   * token still works, then their tokens are dropped. Safe to repeat.
   */
  disconnect(partition: string): Promise<void>;
  /** Features register their SubscriptionHandler per subscription kind here. */
  readonly processor: NotificationProcessor;
  /** Registers the webhook plugin (encapsulated, own parsers) under `prefix`, e.g. '/microsoft'. */
  registerWebhook(app: FastifyInstance, prefix: string): Promise<void>;
  /** Checks for `mm365 doctor`: client credentials, application permissions, webhook reachability. */
  readonly diagnostics: MicrosoftDiagnostics;
  readonly queues: {
    /** One job per recorded notification; ordered per subscription (send with singletonKey = payload.subscriptionId). */
    notification: EdgeQueue<typeof notificationJob>;
    /** Cron (every 5 min): renew subscriptions before they expire, recreate lost ones. */
    renewSubscriptions: EdgeQueue<typeof renewJob>;
    /** Cron (daily): abandon notifications stuck pending for a day, delete processed ones after a week. */
    housekeeping: EdgeQueue<typeof renewJob>;
  };
}

const notificationJob = z.object({ id: z.string().min(1), subscriptionId: z.string().min(1) });
const renewJob = z.object({});

/**
 * Builds the edge. No network I/O: msal fetches the authority metadata on the first token call. Trusts
 * microsoft.caFile process-wide when set (a corporate proxy's CA, or the simulator's).
 */
export function createMicrosoftEdge(deps: MicrosoftEdgeDeps): MicrosoftEdge {
  if (deps.config.caFile) trustExtraCa(deps.config.caFile);
  const endpoints = resolveEndpoints(deps.config);
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ part: 'microsoft' });
  const auth = new MicrosoftAuth({
    endpoints,
    clientId: deps.config.clientId ?? '',
    clientSecret: deps.config.clientSecret ?? '',
    cache: deps.tokenCache,
    log,
  });
  const graph = new GraphClient({
    baseUrl: endpoints.graphBaseUrl,
    registry: deps.registry,
    log,
    ...deps.graph,
  });
  const asUser = (partition: string, feature: Feature) =>
    new GraphSession(graph, {
      token: ({ forceRefresh }) => auth.userToken(partition, feature, { forceRefresh }),
      feature,
      mailbox: partition,
    });
  const asApp = (feature: GraphFeature) => new GraphSession(graph, { token: () => auth.appToken(), feature });
  const certificates = new NotificationCertificates(deps.certificates, clock);
  const base = () =>
    (typeof deps.webhookBaseUrl === 'string' ? deps.webhookBaseUrl : deps.webhookBaseUrl()).replace(
      /\/+$/,
      '',
    );
  const subscriptions = new SubscriptionManager({
    store: deps.subscriptions,
    certificates,
    graph: (a: SubscriptionAuth) => (a.kind === 'app' ? asApp('core') : asUser(a.partition, a.feature)),
    urls: () => ({
      notification: `${base()}${webhookPaths.notifications}`,
      lifecycle: `${base()}${webhookPaths.lifecycle}`,
    }),
    clock,
    log,
    onGap: (row) => processor.catchUp(row, 'subscriptionRemoved'),
  });
  const processor: NotificationProcessor = new NotificationProcessor({
    notifications: deps.notifications,
    subscriptions: deps.subscriptions,
    manager: subscriptions,
    certificates,
    clock,
    log,
  });
  const verifier = new ValidationTokenVerifier({
    jwksUrl: endpoints.jwksUrl,
    clientId: deps.config.clientId ?? '',
    tenantId: endpoints.tenantId,
    authorityHost: new URL(endpoints.authority).origin,
  });
  return {
    endpoints,
    auth,
    signIn: new MicrosoftSignIn(auth, graph),
    diagnostics: new MicrosoftDiagnostics(auth, base),
    graph,
    asUser,
    asApp,
    subscriptions,
    processor,
    async disconnect(partition) {
      await subscriptions.removeOwner(partition);
      await auth.forget(partition);
    },
    async registerWebhook(app, prefix) {
      await app.register(graphWebhookPlugin, {
        prefix,
        inbox: deps.inbox,
        subscriptions: deps.subscriptions,
        validationTokens: verifier,
        registry: deps.registry,
      });
    },
    queues: {
      notification: {
        name: 'microsoft.notification',
        schema: notificationJob,
        concurrency: 'ordered',
        handler: async (p) => {
          await processor.process(p.id);
        },
      },
      renewSubscriptions: {
        name: 'microsoft.subscriptions-renew',
        schema: renewJob,
        concurrency: 'singleton',
        handler: async () => {
          await subscriptions.renewDue();
        },
      },
      housekeeping: {
        name: 'microsoft.notifications-housekeeping',
        schema: renewJob,
        concurrency: 'singleton',
        handler: async () => {
          await processor.housekeeping();
        },
      },
    },
  };
}
