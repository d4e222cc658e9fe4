import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AdminLogForwarder } from './core/admin-log.ts';
import type { Config } from './core/config/index.ts';
import { createLogger, type Logger } from './core/log.ts';
import { createMetrics, type Metrics } from './core/metrics/registry.ts';
import { TokenSigner } from './core/signed-token.ts';
import { type Vault, vaultFromConfig } from './core/vault/index.ts';
import { buildHttpServer } from './http/index.ts';
import { JobRunner } from './jobs/index.ts';
import {
  type MigrationReport,
  migrateToLatest,
  openStore,
  type Store,
  StoredSecrets,
} from './store/index.ts';

export interface BuildAppOptions {
  /** Use this logger instead of one built from config.log (tests capture lines through it). */
  log?: Logger;
}

export interface App {
  readonly config: Config;
  readonly log: Logger;
  /** Copies log lines at or above log.adminLevel to admins once something attaches a DM sender. */
  readonly adminLog: AdminLogForwarder;
  readonly metrics: Metrics;
  readonly store: Store;
  readonly vault: Vault;
  readonly secrets: StoredSecrets;
  readonly jobs: JobRunner;
  readonly http: FastifyInstance;
  /** Signs and verifies action contexts, OAuth state and links; one key for every replica, kept in the database. */
  signer(): Promise<TokenSigner>;
  /** Migrate, start jobs, listen. Resolves with the URL the server listens on. */
  start(): Promise<{ url: string; migrations: MigrationReport }>;
  /** Stop intake (503 + readiness off), drain requests and jobs within the grace period, close the database. */
  stop(): Promise<void>;
}

/**
 * The composition root: builds every part from the config and wires them, doing no network I/O
 * (house style rule 15). The order of start() and stop() is the contract documented in
 * docs/architecture.md: migrate → jobs → listen; stop intake → drain jobs → close the database.
 */
export function buildApp(config: Config, options: BuildAppOptions = {}): App {
  const adminLog = new AdminLogForwarder({ verbose: config.log.adminVerbose });
  const log = options.log ?? createLogger(config, undefined, adminLog);
  const metrics = createMetrics();
  const { vault, keyFile } = vaultFromConfig(config);
  if (keyFile) {
    log.warn(
      { keyFile },
      'no encryption keys configured: secrets are encrypted with a generated key kept in the data folder; set MM365_ENCRYPTION_KEYS for production',
    );
  }
  const store = openStore(config);
  const secrets = new StoredSecrets(store.db, vault);
  const jobs = new JobRunner({
    store,
    log: log.child({ part: 'jobs' }),
    registry: metrics.registry,
    schema: config.jobs.schema,
    work: config.jobs.enabled,
  });
  let draining = false;
  const http = buildHttpServer({
    config,
    log,
    metrics,
    probes: [{ name: 'database', check: () => store.ping() }],
    isDraining: () => draining,
  });

  let signer: Promise<TokenSigner> | undefined;
  let stopping: Promise<void> | undefined;
  return {
    config,
    log,
    adminLog,
    metrics,
    store,
    vault,
    secrets,
    jobs,
    http,
    signer() {
      signer ??= secrets
        .getOrCreate('core.signing-key', () => randomBytes(32).toString('base64'))
        .then((value) => new TokenSigner(Buffer.from(value, 'base64')));
      return signer;
    },
    async start() {
      const migrations = await migrateToLatest(store);
      if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'database migrated');
      await jobs.start();
      await http.listen({ host: config.server.host, port: config.server.port });
      const address = http.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}`;
      log.info({ url, database: store.driver }, 'mm365 is listening');
      return { url, migrations };
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        const grace = config.server.shutdownGraceMs;
        // Intake first: close() stops accepting, answers 503 to new requests on open connections and waits
        // for in-flight ones. Jobs drain in parallel; the database closes last because both still use it.
        await Promise.all([http.close(), jobs.stop(grace)]);
        await store.close();
        log.info('mm365 stopped');
      })();
      return stopping;
    },
  };
}
