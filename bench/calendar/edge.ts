/**
 * The Microsoft edge for the benchmark, assembled from the product's own pieces as createMicrosoftEdge and
 * src/wiring/microsoft.ts assemble them (GraphClient, GraphSession per user, SubscriptionManager,
 * NotificationProcessor, the webhook plugin over our tables, the notification / renewal / housekeeping
 * queues), with one difference: tokens come from SimTokens instead of msal (see sim-tokens.ts).
 *
 * Notifications flow the real way: the simulator POSTs them to the webhook plugin (plain HTTP on 127.0.0.1;
 * the simulator's `allowHttpNotificationUrl` knob is on, since Graph would want HTTPS), which verifies the
 * clientState, records the row and queues the notification job in one transaction; the job runs the
 * processor, which hands the change to the calendar's listener (CalendarSync.onSignal).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Clock } from '../../src/core/clock.ts';
import type { Logger } from '../../src/core/log.ts';
import type { Vault } from '../../src/core/vault/index.ts';
import { defineQueue, type JobRunner, type QueueDefinition } from '../../src/jobs/index.ts';
import { GraphClient } from '../../src/microsoft/graph/graph-client.ts';
import { GraphSession } from '../../src/microsoft/graph/graph-session.ts';
import { graphWebhookPlugin, webhookPaths } from '../../src/microsoft/inbound/webhook-plugin.ts';
import { NotificationProcessor } from '../../src/microsoft/notifications/processor.ts';
import { ValidationTokenVerifier } from '../../src/microsoft/notifications/validation-tokens.ts';
import { NotificationCertificates } from '../../src/microsoft/subscriptions/certificates.ts';
import { SubscriptionManager } from '../../src/microsoft/subscriptions/subscription-manager.ts';
import type { Store } from '../../src/store/index.ts';
import { MicrosoftCertificates } from '../../src/store/microsoft-certificate.ts';
import { MicrosoftNotifications } from '../../src/store/microsoft-notification.ts';
import { MicrosoftSubscriptions } from '../../src/store/microsoft-subscription.ts';
import type { SimTokens } from './sim-tokens.ts';

export interface BenchEdge {
  asUser(partition: string, feature: 'calendar'): GraphSession;
  subscriptions: SubscriptionManager;
  processor: NotificationProcessor;
  /** Webhook requests received and still being answered (the benchmark waits for deliveries to settle). */
  webhook: { received: number; inFlight: number };
  /** After the calendar registered its handler: queues registered, webhook listening. */
  start(): Promise<void>;
  /** The renewal and housekeeping crons, as src/wiring/microsoft.ts schedules them. */
  schedule(): Promise<void>;
  close(): Promise<void>;
}

export function benchEdge(deps: {
  ready: { graph: string; authority: string; tenantId: string };
  clientId: string;
  /** Partition (our user id) → the simulator user key the token is for. */
  userKeyOf(partition: string): string;
  tokens: SimTokens;
  store: Store;
  vault: Vault;
  jobs: JobRunner;
  registry: Registry;
  clock: Clock;
  log: Logger;
}): BenchEdge {
  const { store, jobs, clock, log } = deps;
  const graph = new GraphClient({ baseUrl: deps.ready.graph, registry: deps.registry, log });
  const asUser = (partition: string, feature: 'calendar') =>
    new GraphSession(graph, {
      token: ({ forceRefresh }) => deps.tokens.user(deps.userKeyOf(partition), deps.clientId, forceRefresh),
      feature,
      mailbox: partition,
    });
  const notifications = new MicrosoftNotifications(store.db);
  const subscriptionStore = new MicrosoftSubscriptions(store.db);
  const certificates = new NotificationCertificates(new MicrosoftCertificates(store.db, deps.vault), clock);
  let base = '';
  const subscriptions = new SubscriptionManager({
    store: subscriptionStore,
    certificates,
    graph: (a) => {
      if (a.kind === 'app') throw new Error('the calendar benchmark makes no app-only subscriptions');
      return asUser(a.partition, 'calendar');
    },
    urls: () => ({
      notification: `${base}/microsoft${webhookPaths.notifications}`,
      lifecycle: `${base}/microsoft${webhookPaths.lifecycle}`,
    }),
    clock,
    log,
    onGap: (row) => processor.catchUp(row, 'subscriptionRemoved'),
  });
  const processor: NotificationProcessor = new NotificationProcessor({
    notifications,
    subscriptions: subscriptionStore,
    manager: subscriptions,
    certificates,
    clock,
    log,
  });
  // The queue definitions of src/wiring/microsoft.ts.
  const notificationQueue: QueueDefinition = defineQueue({
    name: 'microsoft.notification',
    schema: processorJob,
    concurrency: 'ordered',
    retry: { limit: 8, delaySeconds: 2, backoff: true, maxDelaySeconds: 900 },
  });
  const renewQueue = defineQueue({
    name: 'microsoft.subscriptions-renew',
    schema: emptyJob,
    concurrency: 'singleton',
    retry: { limit: 2, delaySeconds: 30, backoff: true },
  });
  const housekeepingQueue = defineQueue({
    name: 'microsoft.notifications-housekeeping',
    schema: emptyJob,
    concurrency: 'singleton',
    retry: { limit: 2, delaySeconds: 300, backoff: true },
  });
  const http: FastifyInstance = Fastify({ logger: false });
  const webhook = { received: 0, inFlight: 0 };
  http.addHook('onRequest', async () => {
    webhook.received++;
    webhook.inFlight++;
  });
  http.addHook('onResponse', async () => {
    webhook.inFlight--;
  });
  return {
    asUser,
    subscriptions,
    processor,
    webhook,
    async start() {
      jobs.register(notificationQueue, async (p) => {
        await processor.process((p as { id: string }).id);
      });
      jobs.register(renewQueue, async () => {
        await subscriptions.renewDue();
      });
      jobs.register(housekeepingQueue, async () => {
        await processor.housekeeping();
      });
      await http.register(graphWebhookPlugin, {
        prefix: '/microsoft',
        inbox: {
          record: (rows) =>
            notifications.record(rows, (tx, row) =>
              jobs.send(
                notificationQueue,
                { id: row.id, subscriptionId: row.subscriptionId },
                { tx, singletonKey: row.subscriptionId },
              ),
            ),
        },
        subscriptions: subscriptionStore,
        validationTokens: new ValidationTokenVerifier({
          jwksUrl: `${deps.ready.authority}/discovery/v2.0/keys`,
          clientId: deps.clientId,
          tenantId: deps.ready.tenantId,
          authorityHost: new URL(deps.ready.authority).origin,
        }),
        registry: deps.registry,
      });
      await http.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
    },
    async schedule() {
      await jobs.schedule(renewQueue, '*/5 * * * *', {});
      await jobs.schedule(housekeepingQueue, '41 4 * * *', {});
    },
    async close() {
      await http.close();
    },
  };
}

const processorJob = z.object({ id: z.string().min(1), subscriptionId: z.string().min(1) });
const emptyJob = z.object({});
