/**
 * The Microsoft edge wired exactly as src/app.ts should wire it (the lead copies this): store tables as the
 * edge's ports, the notification inbox recording and enqueueing in one transaction, the queues registered
 * with the job runner, the webhook plugin under /microsoft in the HTTP shell.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/core/config/index.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import { createLogger } from '../../src/core/log.ts';
import { createMetrics, type Metrics } from '../../src/core/metrics/registry.ts';
import type { Vault } from '../../src/core/vault/index.ts';
import { buildHttpServer } from '../../src/http/index.ts';
import { defineQueue, JobRunner } from '../../src/jobs/index.ts';
import { createMicrosoftEdge, type MicrosoftEdge } from '../../src/microsoft/index.ts';
import type { Store } from '../../src/store/index.ts';
import { MicrosoftCertificates } from '../../src/store/microsoft-certificate.ts';
import { MicrosoftNotifications } from '../../src/store/microsoft-notification.ts';
import { MicrosoftSubscriptions } from '../../src/store/microsoft-subscription.ts';
import { MicrosoftTokenCaches } from '../../src/store/microsoft-token-cache.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });

export interface WiredEdge {
  edge: MicrosoftEdge;
  http: FastifyInstance;
  jobs: JobRunner;
  metrics: Metrics;
  notifications: MicrosoftNotifications;
  subscriptions: MicrosoftSubscriptions;
  url: string;
  /** Registers handlers, then starts jobs and the server (call once). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function wireEdge(opts: {
  store: Store;
  vault: Vault;
  microsoft: Config['microsoft'];
  /** false: a process that records and enqueues but runs no job (the "crashed before processing" case). */
  work: boolean;
}): WiredEdge {
  const { store, vault } = opts;
  const metrics = createMetrics();
  const notifications = new MicrosoftNotifications(store.db);
  const subscriptions = new MicrosoftSubscriptions(store.db);
  const jobs = new JobRunner({
    store,
    log: silent,
    registry: metrics.registry,
    schema: 'pgboss',
    work: opts.work,
  });
  let url = '';
  // Declared before the edge exists: the inbox enqueues into it inside the recording transaction.
  let notificationQueue: ReturnType<typeof defineQueue> | undefined;
  const edge = createMicrosoftEdge({
    config: opts.microsoft,
    webhookBaseUrl: () => `${url}/microsoft`,
    tokenCache: new MicrosoftTokenCaches(store.db, vault),
    inbox: {
      record: (rows) =>
        notifications.record(rows, (tx, row) =>
          jobs.send(
            notificationQueue as NonNullable<typeof notificationQueue>,
            { id: row.id, subscriptionId: row.subscriptionId },
            { tx, singletonKey: row.subscriptionId },
          ),
        ),
    },
    notifications,
    subscriptions,
    certificates: new MicrosoftCertificates(store.db, vault),
    registry: metrics.registry,
    log: silent,
    graph: { timeoutMs: 5000 },
  });
  const q = edge.queues;
  notificationQueue = defineQueue({
    name: q.notification.name,
    schema: q.notification.schema,
    concurrency: q.notification.concurrency,
    retry: { limit: 5, delaySeconds: 1, backoff: true, maxDelaySeconds: 60 },
  });
  const renewQueue = defineQueue({
    name: q.renewSubscriptions.name,
    schema: q.renewSubscriptions.schema,
    concurrency: q.renewSubscriptions.concurrency,
  });
  const housekeepingQueue = defineQueue({
    name: q.housekeeping.name,
    schema: q.housekeeping.schema,
    concurrency: q.housekeeping.concurrency,
  });
  const config = loadConfig({ env: { MM365_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' } });
  const http = buildHttpServer({ config, log: silent, metrics, probes: [], isDraining: () => false });
  return {
    edge,
    http,
    jobs,
    metrics,
    notifications,
    subscriptions,
    get url() {
      return url;
    },
    async start() {
      jobs.register(
        notificationQueue as NonNullable<typeof notificationQueue>,
        (p) => q.notification.handler(p as never),
        {
          pollingIntervalSeconds: 0.5,
        },
      );
      jobs.register(renewQueue, () => q.renewSubscriptions.handler({}));
      jobs.register(housekeepingQueue, () => q.housekeeping.handler({}));
      await edge.registerWebhook(http, '/microsoft');
      await jobs.start();
      if (opts.work) {
        await jobs.schedule(renewQueue, '*/5 * * * *', {});
        await jobs.schedule(housekeepingQueue, '17 3 * * *', {});
      }
      await http.listen({ host: '127.0.0.1', port: 0 });
      url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
    },
    async stop() {
      await http.close();
      await jobs.stop(2000);
    },
  };
}
