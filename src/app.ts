import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { AccountService } from './core/accounts/index.ts';
import { AdminLogForwarder } from './core/admin-log.ts';
import { systemClock } from './core/clock.ts';
import type { Config } from './core/config/index.ts';
import { createLogger, type Logger } from './core/log.ts';
import { createMetrics, type Metrics } from './core/metrics/registry.ts';
import { TokenSigner } from './core/signed-token.ts';
import { type Vault, vaultFromConfig } from './core/vault/index.ts';
import { buildHttpServer } from './http/index.ts';
import { JobRunner } from './jobs/index.ts';
import {
  ConnectedAccounts,
  type MigrationReport,
  migrateToLatest,
  openStore,
  type Store,
  StoredSecrets,
} from './store/index.ts';
import { type WiredAccounts, wireAccounts } from './wiring/accounts.ts';
import { type WiredCalendar, wireCalendarFeature } from './wiring/calendar/index.ts';
import { type WiredMattermost, wireMattermost } from './wiring/mattermost.ts';
import { type WiredMicrosoft, wireMicrosoft } from './wiring/microsoft.ts';

/** The two edges, and the parts prepare() wires over them. */
export interface Upstreams {
  mattermost: WiredMattermost;
  microsoft: WiredMicrosoft;
  accounts?: WiredAccounts;
  calendar?: WiredCalendar;
}

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
  readonly accounts: AccountService;
  /** The two edges, and what prepare() wires over them; undefined when the upstreams are not configured. */
  readonly upstreams: Upstreams | undefined;
  /** Signs and verifies action contexts, OAuth state and links; one key for every replica, kept in the database. */
  signer(): Promise<TokenSigner>;
  /** Migrate and register everything, without taking traffic (start() does it first; doctor only this). */
  prepare(): Promise<MigrationReport>;
  /** Where Mattermost, Graph and browsers reach this service. */
  publicUrl(): string;
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
  const probes = [{ name: 'database', check: () => store.ping() }];
  const http = buildHttpServer({ config, log, metrics, probes, isDraining: () => draining });
  const accounts = new AccountService(new ConnectedAccounts(store.db), config.accounts, systemClock);

  let signer: Promise<TokenSigner> | undefined;
  const getSigner = () => {
    signer ??= secrets
      .getOrCreate('core.signing-key', () => randomBytes(32).toString('base64'))
      .then((value) => new TokenSigner(Buffer.from(value, 'base64')));
    return signer;
  };
  // Where Mattermost, Graph and browsers reach us: configured, or the address we listen on once we do.
  let listeningUrl = `http://${config.server.host}:${config.server.port}`;
  const publicUrl = () => (config.server.publicUrl ?? listeningUrl).replace(/\/+$/, '');

  // Both upstreams configured (the sandbox configures both): build the edges now; no network I/O until start().
  const upstreams =
    config.mattermost.url && config.microsoft.tenantId
      ? (() => {
          const common = { config, store, vault, jobs, metrics, publicUrl };
          const microsoft = wireMicrosoft({ ...common, log: log.child({ part: 'microsoft' }) });
          const mattermost = wireMattermost({
            ...common,
            log: log.child({ part: 'mattermost' }),
            signer: getSigner,
            isConnected: (userId, feature) => accounts.isConnected(userId, feature),
            isInactive: (userId, feature) => accounts.isInactive(userId, feature),
          });
          probes.push({
            name: 'mattermost',
            check: async () => {
              await mattermost.edge.rest.getMe();
            },
          });
          return { mattermost, microsoft } as Upstreams;
        })()
      : undefined;

  let stopping: Promise<void> | undefined;
  let prepared: Promise<MigrationReport> | undefined;
  /**
   * Everything before taking traffic: migrations, then (with upstreams) the accounts layer, which needs the
   * signing key from the database; commands, jobs and routes are registered here, before they start.
   */
  const prepare = () => {
    prepared ??= (async () => {
      const migrations = await migrateToLatest(store);
      if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'database migrated');
      if (upstreams) {
        // The calendar: its cache (started when a user connects, stopped while the token still works when
        // they disconnect) and every feature over it (src/wiring/calendar/).
        const calendar = wireCalendarFeature({
          config,
          store,
          jobs,
          clock: systemClock,
          log,
          registry: metrics.registry,
          accountService: accounts,
          microsoft: upstreams.microsoft.edge,
          mattermost: upstreams.mattermost.edge,
          accounts: () => upstreams.accounts,
        });
        upstreams.calendar = calendar;
        upstreams.accounts = wireAccounts({
          config,
          store,
          vault,
          jobs,
          log,
          clock: systemClock,
          signer: await getSigner(),
          accounts,
          mattermost: upstreams.mattermost.edge,
          microsoft: upstreams.microsoft.edge,
          publicUrl,
          subcommands: { mscalendar: calendar.subcommands },
          welcome: { calendar: calendar.welcome },
          onConnected: async (user, feature) => {
            if (feature === 'calendar') await calendar.onConnected(user);
          },
          onDisconnected: async (user, feature) => {
            if (feature === 'calendar') await calendar.onDisconnected(user);
          },
        });
        await http.register(upstreams.mattermost.edge.plugin);
        await upstreams.microsoft.routes(http);
        await upstreams.accounts.routes(http);
      }
      return migrations;
    })();
    return prepared;
  };

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
    accounts,
    upstreams,
    signer: getSigner,
    prepare,
    publicUrl,
    async start() {
      const migrations = await prepare();
      await jobs.start();
      await http.listen({ host: config.server.host, port: config.server.port });
      const address = http.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}`;
      listeningUrl = url;
      if (upstreams) {
        // Mattermost must be able to call us back before the commands it will call are registered.
        const bot = await upstreams.mattermost.edge.start();
        adminLog.attach(adminDms(upstreams.mattermost.edge, config));
        await Promise.all([
          upstreams.mattermost.schedule(),
          upstreams.microsoft.schedule(),
          upstreams.accounts?.schedule(),
          upstreams.calendar?.schedule(),
        ]);
        log.info({ bot: bot.username, mattermost: config.mattermost.url }, 'connected to Mattermost');
      }
      log.info({ url, publicUrl: publicUrl(), database: store.driver }, 'mm365 is listening');
      return { url, migrations };
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        const grace = config.server.shutdownGraceMs;
        await upstreams?.mattermost.edge
          .stop()
          .catch((err: unknown) => log.warn({ err }, 'closing the Mattermost socket failed'));
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

/**
 * Admin log DMs go to every integration admin: Mattermost's system admins (bots excluded) and the ids in
 * mattermost.adminUserIds, as the Calendar plugin does. The list is read at most every 10 minutes; the cache
 * belongs to one app, so apps wired to different servers in one process never share it.
 */
function adminDms(edge: WiredMattermost['edge'], config: Config): (text: string) => Promise<void> {
  let cache: { ids: string[]; at: number } | undefined;
  return async (text) => {
    if (!cache || Date.now() - cache.at > 600_000) {
      const admins = (await edge.rest.usersWithRole('system_admin'))
        .filter((u) => !u.is_bot && u.delete_at === 0)
        .map((u) => u.id);
      cache = { ids: [...new Set([...admins, ...config.mattermost.adminUserIds])], at: Date.now() };
    }
    await Promise.all(cache.ids.map((id) => edge.messenger.dm(id, text)));
  };
}
