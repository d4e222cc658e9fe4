import { type Kysely, sql } from 'kysely';
import { fromKysely, fromPglite, type Job, type JobResult, PgBoss, type SendOptions } from 'pg-boss';
import { Counter, Histogram, type Registry } from 'prom-client';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { metricPrefix } from '../core/metrics/registry.ts';
import type { Database, Store } from '../store/index.ts';
import type { PayloadOf, QueueConcurrency, QueueDefinition } from './queue.ts';

const policyOf: Record<QueueConcurrency, string> = {
  standard: 'standard',
  singleton: 'singleton',
  ordered: 'key_strict_fifo',
  once: 'stately',
};

/** What a handler gets: the validated payload, the attempt number and an abort signal for shutdown/expiry. */
export interface JobContext {
  id: string;
  /** 0 on the first attempt. */
  retryCount: number;
  signal: AbortSignal;
  log: Logger;
}

export type JobHandler<Q extends QueueDefinition> = (payload: PayloadOf<Q>, ctx: JobContext) => Promise<void>;

export interface WorkOptions {
  /** Jobs fetched per round trip; they run side by side. This process runs up to batchSize × localConcurrency at once. */
  batchSize?: number;
  /** Fetch loops this process runs for the queue. */
  localConcurrency?: number;
  /** How often an idle worker looks for new jobs when no notification wakes it (a backstop, see start()). */
  pollingIntervalSeconds?: number;
}

export interface SendJobOptions {
  singletonKey?: string;
  startAfter?: Date | number;
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Kysely<Database>;
}

interface Registration {
  def: QueueDefinition;
  handler: JobHandler<QueueDefinition>;
  options: WorkOptions;
}

export interface JobRunnerDeps {
  store: Store;
  log: Logger;
  registry: Registry;
  schema: string;
  /** When false, queues are created and jobs can be sent, but this process runs none. */
  work: boolean;
}

/**
 * The typed front of pg-boss (house style: jobs/ holds no handler logic; domains register theirs).
 *
 * Lifecycle: register queues and handlers → start() (creates the schema and queues, starts workers and
 * cron) → send()/schedule() → stop() (stops fetching, waits for active handlers up to the grace period).
 * Payloads are validated on send (a bad payload is a caller bug: MM365_JOB_PAYLOAD_INVALID) and again on
 * receipt (a row edited by hand fails that job alone). One job failing never affects another.
 */
export class JobRunner {
  readonly #deps: JobRunnerDeps;
  readonly #boss: PgBoss;
  readonly #queues = new Map<string, Registration | { def: QueueDefinition }>();
  readonly #jobsTotal: Counter<'queue' | 'outcome'>;
  readonly #jobDuration: Histogram<'queue'>;
  #started = false;

  constructor(deps: JobRunnerDeps) {
    this.#deps = deps;
    const conn = deps.store.jobsConnection;
    // LISTEN/NOTIFY wakes idle workers the moment a job is sent (polling stays as the backstop), so a
    // chat message waits milliseconds for its worker, not a polling interval.
    const common = {
      schema: deps.schema,
      schedule: deps.work,
      supervise: deps.work,
      useListenNotify: deps.work,
    };
    this.#boss =
      conn.kind === 'pg'
        ? new PgBoss({ connectionString: conn.connectionString, max: conn.max, ...common })
        : new PgBoss({ db: fromPglite(conn.pglite), backend: 'pglite', ...common });
    this.#boss.on('error', (err: Error) => deps.log.error({ err }, 'job runner error'));
    this.#boss.on('warning', (warning: { message: string; data?: unknown }) =>
      deps.log.warn({ data: warning.data }, `job runner: ${warning.message}`),
    );
    this.#jobsTotal = new Counter({
      name: `${metricPrefix}jobs_total`,
      help: 'Jobs finished by this process, by queue and outcome (completed, failed, abandoned, invalid).',
      labelNames: ['queue', 'outcome'] as const,
      registers: [deps.registry],
    });
    this.#jobDuration = new Histogram({
      name: `${metricPrefix}job_duration_seconds`,
      help: 'Time handlers spent per job, by queue.',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [deps.registry],
    });
  }

  /** Declares a queue this process sends to but does not work (another role or replica does). */
  declare(def: QueueDefinition): void {
    this.#assertNotStarted();
    if (!this.#queues.has(def.name)) this.#queues.set(def.name, { def });
  }

  /** Declares a queue and the handler this process runs for it. Call before start(). */
  register<Q extends QueueDefinition>(def: Q, handler: JobHandler<Q>, options: WorkOptions = {}): void {
    this.#assertNotStarted();
    const existing = this.#queues.get(def.name);
    if (existing && 'handler' in existing) throw new Error(`queue ${def.name} already has a handler`);
    this.#queues.set(def.name, { def, handler: handler as JobHandler<QueueDefinition>, options });
  }

  async start(): Promise<void> {
    if (this.#started) return;
    await this.#boss.start();
    this.#started = true;
    for (const entry of this.#queues.values()) {
      const { def } = entry;
      const queue = {
        policy: policyOf[def.concurrency],
        notify: true,
        retryLimit: def.retry.limit,
        retryDelay: def.retry.delaySeconds,
        retryBackoff: def.retry.backoff,
        expireInSeconds: def.expireInSeconds,
        ...(def.retry.maxDelaySeconds === undefined ? {} : { retryDelayMax: def.retry.maxDelaySeconds }),
      };
      const found = await this.#boss.getQueue(def.name);
      if (!found) await this.#boss.createQueue(def.name, queue);
      else if (found.policy !== queue.policy) {
        throw new Error(
          `queue ${def.name} exists with policy ${found.policy}, the code now wants ${queue.policy}: rename the queue`,
        );
      } else {
        const { policy: _policy, ...updatable } = queue;
        await this.#boss.updateQueue(def.name, updatable);
      }
      if ('handler' in entry && this.#deps.work) await this.#work(entry);
    }
  }

  async #work(entry: Registration): Promise<void> {
    const { def, options } = entry;
    const poll = options.pollingIntervalSeconds ?? 2;
    // A batch runs its jobs side by side and reports each job's outcome on its own, so one failure never
    // fails its neighbours. A full batch makes the worker fetch again at once (burst) instead of waiting
    // out the polling interval: without it throughput is capped at batchSize per interval.
    await this.#boss.work<
      unknown,
      unknown,
      {
        batchSize: number;
        localConcurrency: number;
        pollingIntervalSeconds: number;
        notifyPollingIntervalSeconds: number;
        perJobResults: true;
        burstWhenBatchFull: true;
      }
    >(
      def.name,
      {
        batchSize: options.batchSize ?? 10,
        localConcurrency: options.localConcurrency ?? 1,
        pollingIntervalSeconds: poll,
        // With NOTIFY on, pg-boss polls at this slower interval (default 30 s) as a backstop. But retries
        // and startAfter jobs fall due without a notification, so the backstop is what runs them: keep it
        // at the polling interval.
        notifyPollingIntervalSeconds: poll,
        perJobResults: true,
        burstWhenBatchFull: true,
      },
      async (jobs: Job<unknown>[]): Promise<JobResult[]> =>
        Promise.all(jobs.map(async (job) => ({ id: job.id, ...(await this.#runOne(entry, job)) }))),
    );
  }

  /** Runs one job; never throws: the outcome is returned so the batch can report it. */
  async #runOne(entry: Registration, job: Job<unknown>): Promise<Omit<JobResult, 'id'>> {
    const { def, handler } = entry;
    const log = this.#deps.log.child({ queue: def.name, jobId: job.id, attempt: job.retryCount });
    const parsed = def.schema.safeParse(job.data);
    if (!parsed.success) {
      // A payload the schema refuses will never pass: fail it for good rather than retry it.
      this.#jobsTotal.inc({ queue: def.name, outcome: 'invalid' });
      log.error({ issues: parsed.error.issues }, 'job payload does not match its queue schema');
      const output = { code: 'MM365_JOB_PAYLOAD_INVALID', message: parsed.error.message };
      // On an ordered queue a failed job would hold its key's successors back for good (see below).
      return def.concurrency === 'ordered'
        ? { status: 'completed', output: { abandoned: true, ...output } }
        : { status: 'deadletter', output };
    }
    const end = this.#jobDuration.startTimer({ queue: def.name });
    try {
      await handler(parsed.data, { id: job.id, retryCount: job.retryCount, signal: job.signal, log });
      this.#jobsTotal.inc({ queue: def.name, outcome: 'completed' });
      return { status: 'completed' };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // pg-boss's per-key FIFO keeps a key's slot while a job is active, in retry OR failed: a job of an
      // ordered queue that failed for good would block every later job with its key (e.g. all notifications
      // of one subscription). So its last failure is recorded as abandoned and the key moves on.
      if (def.concurrency === 'ordered' && job.retryCount >= def.retry.limit) {
        this.#jobsTotal.inc({ queue: def.name, outcome: 'abandoned' });
        log.error(
          { err },
          'job failed on its last attempt and was abandoned so later jobs of its key can run',
        );
        return { status: 'completed', output: { abandoned: true, message } };
      }
      this.#jobsTotal.inc({ queue: def.name, outcome: 'failed' });
      log.warn({ err }, 'job failed; it will be retried while its retry limit allows');
      return { status: 'failed', output: { message } };
    } finally {
      end();
    }
  }

  /**
   * Enqueues a job. Returns its id, or null when the queue's concurrency rule refused a duplicate (a
   * singleton key already queued). With `tx`, the job is written in that transaction.
   */
  async send<Q extends QueueDefinition>(
    def: Q,
    payload: PayloadOf<Q>,
    options: SendJobOptions = {},
  ): Promise<string | null> {
    if (!this.#queues.has(def.name)) {
      throw new AppError(
        'MM365_JOB_QUEUE_UNKNOWN',
        `queue ${def.name} was not declared or registered before start()`,
      );
    }
    const parsed = def.schema.safeParse(payload);
    if (!parsed.success) {
      throw new AppError(
        'MM365_JOB_PAYLOAD_INVALID',
        `payload for queue ${def.name} is invalid: ${parsed.error.message}`,
      );
    }
    if (def.concurrency === 'ordered' && !options.singletonKey) {
      throw new AppError(
        'MM365_JOB_PAYLOAD_INVALID',
        `queue ${def.name} is ordered per key: send() needs a singletonKey`,
      );
    }
    const send: SendOptions = {};
    if (options.singletonKey) send.singletonKey = options.singletonKey;
    if (options.startAfter !== undefined) send.startAfter = new Date(options.startAfter);
    if (options.tx) send.db = fromKysely(options.tx);
    return this.#boss.send(def.name, parsed.data as object, send);
  }

  /** Runs the queue's job on a cron schedule (in `tz`, default UTC). Idempotent per (queue, key). */
  async schedule<Q extends QueueDefinition>(
    def: Q,
    cron: string,
    payload: PayloadOf<Q>,
    options: { tz?: string; key?: string } = {},
  ): Promise<void> {
    const parsed = def.schema.parse(payload);
    await this.#boss.schedule(def.name, cron, parsed as object, {
      tz: options.tz ?? 'UTC',
      ...(options.key ? { key: options.key } : {}),
    });
  }

  async unschedule(def: QueueDefinition, key?: string): Promise<void> {
    await this.#boss.unschedule(def.name, key);
  }

  /** Jobs of a queue by state, for tests and `doctor`. */
  async countJobs(def: QueueDefinition): Promise<Record<string, number>> {
    const schema = this.#deps.schema;
    const rows = await sql<{
      state: string;
      n: string;
    }>`select state, count(*)::text as n from ${sql.table(`${schema}.job`)} where name = ${def.name} group by state`.execute(
      this.#deps.store.db,
    );
    return Object.fromEntries(rows.rows.map((r) => [r.state, Number(r.n)]));
  }

  /** Stops fetching, waits up to `graceMs` for active handlers, then returns. Safe to call twice. */
  async stop(graceMs: number): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#boss.stop({ graceful: true, timeout: graceMs, close: true });
  }

  #assertNotStarted(): void {
    if (this.#started) throw new Error('queues must be declared before the job runner starts');
  }
}
