import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config/index.ts';
import type { Logger } from '../core/log.ts';
import type { Metrics } from '../core/metrics/registry.ts';
import type { Vault } from '../core/vault/index.ts';
import { defineQueue, type JobRunner, type QueueDefinition } from '../jobs/index.ts';
import { createMicrosoftEdge, type MicrosoftEdge } from '../microsoft/index.ts';
import type { Store } from '../store/index.ts';
import { MicrosoftCertificates } from '../store/microsoft-certificate.ts';
import { MicrosoftNotifications } from '../store/microsoft-notification.ts';
import { MicrosoftSubscriptions } from '../store/microsoft-subscription.ts';
import { MicrosoftTokenCaches } from '../store/microsoft-token-cache.ts';

export interface WiredMicrosoft {
  edge: MicrosoftEdge;
  /** Registers the webhook routes under /microsoft. */
  routes(app: FastifyInstance): Promise<void>;
  /** After jobs start: the renewal cron. */
  schedule(): Promise<void>;
}

/**
 * The Microsoft edge over our tables and jobs (composition only). Notifications are recorded and their job
 * enqueued in one transaction (a crash after Graph's 202 loses nothing); each subscription's notifications
 * are processed in order (ordered queue keyed by subscription), different subscriptions in parallel.
 */
export function wireMicrosoft(deps: {
  config: Config;
  store: Store;
  vault: Vault;
  jobs: JobRunner;
  metrics: Metrics;
  log: Logger;
  publicUrl: () => string;
}): WiredMicrosoft {
  const { store, vault, jobs } = deps;
  const notifications = new MicrosoftNotifications(store.db);
  let notificationQueue: QueueDefinition | undefined;
  const edge = createMicrosoftEdge({
    config: deps.config.microsoft,
    webhookBaseUrl: () => `${deps.publicUrl()}/microsoft`,
    tokenCache: new MicrosoftTokenCaches(store.db, vault),
    inbox: {
      record: (rows) =>
        notifications.record(rows, (tx, row) =>
          jobs.send(
            notificationQueue as QueueDefinition,
            { id: row.id, subscriptionId: row.subscriptionId },
            { tx, singletonKey: row.subscriptionId },
          ),
        ),
    },
    notifications,
    subscriptions: new MicrosoftSubscriptions(store.db),
    certificates: new MicrosoftCertificates(store.db, vault),
    registry: deps.metrics.registry,
    log: deps.log,
  });
  const q = edge.queues;
  notificationQueue = defineQueue({
    name: q.notification.name,
    schema: q.notification.schema,
    concurrency: q.notification.concurrency,
    retry: { limit: 8, delaySeconds: 2, backoff: true, maxDelaySeconds: 900 },
  });
  const renewQueue = defineQueue({
    name: q.renewSubscriptions.name,
    schema: q.renewSubscriptions.schema,
    concurrency: 'singleton',
    retry: { limit: 2, delaySeconds: 30, backoff: true },
  });
  jobs.register(
    notificationQueue,
    (p) => q.notification.handler(p as { id: string; subscriptionId: string }),
    {
      localConcurrency: 4,
    },
  );
  jobs.register(renewQueue, () => q.renewSubscriptions.handler({}));
  const housekeepingQueue = defineQueue({
    name: q.housekeeping.name,
    schema: q.housekeeping.schema,
    concurrency: 'singleton',
    retry: { limit: 2, delaySeconds: 300, backoff: true },
  });
  jobs.register(housekeepingQueue, () => q.housekeeping.handler({}));
  return {
    edge,
    routes: (app) => edge.registerWebhook(app, '/microsoft'),
    async schedule() {
      await jobs.schedule(renewQueue, '*/5 * * * *', {});
      // Daily, off the hour: abandons notification rows stuck pending so they stop hiding new deliveries.
      await jobs.schedule(housekeepingQueue, '41 4 * * *', {});
    },
  };
}
