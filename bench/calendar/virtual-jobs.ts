/**
 * A job runner on a simulated clock, for the calendar benchmark: a day of 1,000 users cannot wait for
 * pg-boss, which runs on the database's clock. It implements the part of src/jobs' JobRunner that the
 * calendar modules and the Microsoft edge call (register, declare, send with startAfter / singletonKey / tx,
 * schedule with a cron and zone, unschedule) and runs jobs when the simulated clock reaches them.
 *
 * Semantics kept from pg-boss (see src/jobs/queue.ts): payloads are validated on send; an `ordered` queue
 * needs a singletonKey; a failed job is retried after its queue's delay (doubled with backoff, capped),
 * up to its retry limit; a schedule sends one job per matching minute. Jobs run one at a time, in due
 * order, which satisfies `singleton` (one active per key) and `ordered` (FIFO per key) trivially; like
 * pg-boss's `singleton` policy, a second send with the same key while one is queued is accepted, and like
 * its `stately` policy (our `once`), refused (null) while a first attempt with that key still waits.
 *
 * Differences from pg-boss, on purpose: a job sent with `{ tx }` is queued at once rather than at commit.
 * No job runs before the sending code returns (the runner is driven by the benchmark loop), so a committed
 * transaction behaves the same; a rolled-back one would leave its job queued. Rollbacks only follow
 * errors, and every handler error is counted and printed, so a run with none is unaffected. For the same
 * reason a retry of an `ordered` job does not hold back later jobs of its key (pg-boss's key_strict_fifo
 * would).
 */
import type { Clock } from '../../src/core/clock.ts';
import type { Logger } from '../../src/core/log.ts';
import type {
  JobHandler,
  JobRunner,
  PayloadOf,
  QueueDefinition,
  SendJobOptions,
} from '../../src/jobs/index.ts';
import { type CronMatcher, parseCron } from './cron.ts';

interface QueuedJob {
  id: string;
  queue: string;
  payload: unknown;
  due: number;
  seq: number;
  retryCount: number;
  key: string | undefined;
}

interface Schedule {
  def: QueueDefinition;
  cron: CronMatcher;
  payload: unknown;
}

export interface QueueStats {
  sent: number;
  completed: number;
  failed: number;
  /** Failed on the last attempt (pg-boss: failed for good, or abandoned on an ordered queue). */
  gaveUp: number;
  /** Sends refused by a `once` queue because the key already waits (planned twice, queued once). */
  refused: number;
}

export class VirtualJobRunner {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #defs = new Map<string, QueueDefinition>();
  readonly #handlers = new Map<string, JobHandler<QueueDefinition>>();
  readonly #schedules = new Map<string, Schedule>();
  #queue: QueuedJob[] = [];
  #seq = 0;
  readonly stats = new Map<string, QueueStats>();
  /** The last few handler errors, for the report. */
  readonly errors: string[] = [];

  constructor(clock: Clock, log: Logger) {
    this.#clock = clock;
    this.#log = log;
  }

  /** This runner where the modules expect pg-boss's: it implements every method they call. */
  asJobRunner(): JobRunner {
    return this as unknown as JobRunner;
  }

  declare(def: QueueDefinition): void {
    this.#defs.set(def.name, def);
  }

  register<Q extends QueueDefinition>(def: Q, handler: JobHandler<Q>): void {
    if (this.#handlers.has(def.name)) throw new Error(`queue ${def.name} already has a handler`);
    this.#defs.set(def.name, def);
    this.#handlers.set(def.name, handler as JobHandler<QueueDefinition>);
  }

  async send<Q extends QueueDefinition>(
    def: Q,
    payload: PayloadOf<Q>,
    options: SendJobOptions = {},
  ): Promise<string | null> {
    if (!this.#defs.has(def.name)) throw new Error(`queue ${def.name} was not declared or registered`);
    const parsed = def.schema.parse(payload);
    if (def.concurrency === 'ordered' && !options.singletonKey) {
      throw new Error(`queue ${def.name} is ordered per key: send() needs a singletonKey`);
    }
    const due = options.startAfter === undefined ? this.#clock.now() : new Date(options.startAfter).getTime();
    if (
      def.concurrency === 'once' &&
      options.singletonKey !== undefined &&
      this.#queue.some((j) => j.queue === def.name && j.key === options.singletonKey && j.retryCount === 0)
    ) {
      this.#stat(def.name).refused++;
      return null;
    }
    return this.#enqueue(def.name, parsed, due, 0, options.singletonKey);
  }

  async schedule<Q extends QueueDefinition>(
    def: Q,
    cron: string,
    payload: PayloadOf<Q>,
    options: { tz?: string; key?: string } = {},
  ): Promise<void> {
    this.#schedules.set(`${def.name}|${options.key ?? ''}`, {
      def,
      cron: parseCron(cron, options.tz ?? 'UTC'),
      payload: def.schema.parse(payload),
    });
  }

  async unschedule(def: QueueDefinition, key?: string): Promise<void> {
    this.#schedules.delete(`${def.name}|${key ?? ''}`);
  }

  get scheduleCount(): number {
    return this.#schedules.size;
  }

  /** Queues one job for every schedule whose cron matches the minute starting at `minute`. */
  fireSchedules(minute: number): void {
    for (const s of this.#schedules.values()) {
      if (s.cron.matches(minute)) this.#enqueue(s.def.name, s.payload, minute, 0);
    }
  }

  /** Runs every job due by now (including jobs those jobs queue), one at a time; returns how many ran. */
  async runDue(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = this.#clock.now();
      let next = -1;
      for (let i = 0; i < this.#queue.length; i++) {
        const j = this.#queue[i] as QueuedJob;
        if (j.due > now) continue;
        const best = this.#queue[next];
        if (!best || j.due < best.due || (j.due === best.due && j.seq < best.seq)) next = i;
      }
      if (next === -1) return ran;
      const [job] = this.#queue.splice(next, 1) as [QueuedJob];
      await this.#run(job);
      ran++;
    }
  }

  /** When the earliest queued job falls due (ms), undefined when none is queued. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const j of this.#queue) if (next === undefined || j.due < next) next = j.due;
    return next;
  }

  /** Jobs still queued (due later, or retries waiting). */
  get pending(): number {
    return this.#queue.length;
  }

  #enqueue(queue: string, payload: unknown, due: number, retryCount: number, key?: string): string {
    const id = `job-${++this.#seq}`;
    this.#queue.push({ id, queue, payload, due, seq: this.#seq, retryCount, key });
    if (retryCount === 0) this.#stat(queue).sent++;
    return id;
  }

  #stat(queue: string): QueueStats {
    let s = this.stats.get(queue);
    if (!s) {
      s = { sent: 0, completed: 0, failed: 0, gaveUp: 0, refused: 0 };
      this.stats.set(queue, s);
    }
    return s;
  }

  async #run(job: QueuedJob): Promise<void> {
    const def = this.#defs.get(job.queue) as QueueDefinition;
    const handler = this.#handlers.get(job.queue);
    const stat = this.#stat(job.queue);
    if (!handler) throw new Error(`queue ${job.queue} has jobs but no handler in the benchmark`);
    try {
      await handler(def.schema.parse(job.payload), {
        id: job.id,
        retryCount: job.retryCount,
        signal: new AbortController().signal,
        log: this.#log,
      });
      stat.completed++;
    } catch (err) {
      stat.failed++;
      const message = `${job.queue} (attempt ${job.retryCount + 1}): ${err instanceof Error ? err.message : String(err)}`;
      if (this.errors.length < 20) this.errors.push(message);
      const { limit, delaySeconds, backoff, maxDelaySeconds } = def.retry;
      if (job.retryCount >= limit) {
        stat.gaveUp++;
        return;
      }
      let delay = delaySeconds * (backoff ? 2 ** job.retryCount : 1);
      if (maxDelaySeconds !== undefined) delay = Math.min(delay, maxDelaySeconds);
      this.#enqueue(job.queue, job.payload, this.#clock.now() + delay * 1000, job.retryCount + 1, job.key);
    }
  }
}
