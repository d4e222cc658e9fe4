import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/core/log.ts';
import { createMetrics } from '../../src/core/metrics/registry.ts';
import { defineQueue, JobRunner } from '../../src/jobs/index.ts';
import { migrateToLatest, openStore, type Store } from '../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });

function runner(store: Store, work = true): JobRunner {
  return new JobRunner({ store, log: silent, registry: createMetrics().registry, schema: 'pgboss', work });
}

const greet = defineQueue({
  name: 'test.greet',
  schema: z.object({ name: z.string().min(1) }),
  retry: { limit: 2, delaySeconds: 0, backoff: false },
});

describe.each(drivers)('JobRunner on %s', (driver) => {
  let t: TestStore | undefined;
  const runners: JobRunner[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop(1000);
    await t?.close();
    t = undefined;
  });

  async function started(configure: (r: JobRunner) => void): Promise<JobRunner> {
    t ??= await openTestStore(driver);
    await migrateToLatest(t.store);
    const r = runner(t.store);
    configure(r);
    await r.start();
    runners.push(r);
    return r;
  }

  it('runs a sent job with its validated payload', async () => {
    const seen: string[] = [];
    const r = await started((r) =>
      r.register(
        greet,
        async (p) => {
          seen.push(p.name);
        },
        { pollingIntervalSeconds: 0.5 },
      ),
    );
    expect(await r.send(greet, { name: 'alice' })).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor('the job to run', () => seen.length === 1);
    expect(seen).toEqual(['alice']);
    await waitFor('the job to be completed', async () => (await r.countJobs(greet)).completed === 1);
  });

  it('queues a job planned twice once on a `once` queue: a second send with its key waits for the first to run', async () => {
    const planned = defineQueue({
      name: 'test.planned',
      schema: z.object({ n: z.number() }),
      concurrency: 'once',
      retry: { limit: 0, delaySeconds: 0, backoff: false },
    });
    const seen: number[] = [];
    const r = await started((r) =>
      r.register(
        planned,
        async (p) => {
          seen.push(p.n);
        },
        { pollingIntervalSeconds: 0.5 },
      ),
    );
    const at = new Date(Date.now() + 1_500);
    expect(await r.send(planned, { n: 1 }, { singletonKey: 'k', startAfter: at })).toMatch(/^[0-9a-f-]{36}$/);
    // Planned again by an overlapping window while the first still waits: refused, not queued.
    expect(await r.send(planned, { n: 2 }, { singletonKey: 'k', startAfter: at })).toBeNull();
    // Another key is its own job.
    expect(await r.send(planned, { n: 3 }, { singletonKey: 'other', startAfter: at })).not.toBeNull();
    await waitFor('both jobs to run', () => seen.length === 2, 15_000);
    expect(seen.sort()).toEqual([1, 3]);
    // Once it ran, the key may be queued again.
    await waitFor('the jobs to complete', async () => (await r.countJobs(planned)).completed === 2);
    expect(await r.send(planned, { n: 4 }, { singletonKey: 'k' })).not.toBeNull();
    await waitFor('the new job to run', () => seen.length === 3);
  });

  it('refuses an invalid payload and an undeclared queue at send time', async () => {
    const r = await started((r) => r.declare(greet));
    await expect(r.send(greet, { name: '' })).rejects.toMatchObject({ code: 'MM365_JOB_PAYLOAD_INVALID' });
    const other = defineQueue({ name: 'test.other', schema: z.object({}) });
    await expect(r.send(other, {})).rejects.toMatchObject({ code: 'MM365_JOB_QUEUE_UNKNOWN' });
  });

  it('retries a failing job until it succeeds, within its retry limit', async () => {
    let attempts = 0;
    const r = await started((r) =>
      r.register(
        greet,
        async (_p, ctx) => {
          attempts++;
          if (ctx.retryCount < 2) throw new Error(`transient failure ${ctx.retryCount}`);
        },
        { pollingIntervalSeconds: 0.5 },
      ),
    );
    await r.send(greet, { name: 'bob' });
    await waitFor(
      'the job to complete on its third attempt',
      async () => (await r.countJobs(greet)).completed === 1,
    );
    expect(attempts).toBe(3);
  });

  it('fails a job for good after its retry limit', async () => {
    let attempts = 0;
    const r = await started((r) =>
      r.register(
        greet,
        async () => {
          attempts++;
          throw new Error('permanent failure');
        },
        { pollingIntervalSeconds: 0.5 },
      ),
    );
    await r.send(greet, { name: 'carol' });
    await waitFor('the job to fail', async () => (await r.countJobs(greet)).failed === 1);
    expect(attempts).toBe(3);
  });

  it('settles each job of a batch on its own: a failing job never fails its neighbours', async () => {
    const attempts: Record<string, number> = {};
    const r = await started((r) => r.declare(greet));
    // Sent before any worker runs, so both land in one fetched batch.
    await r.send(greet, { name: 'good' });
    await r.send(greet, { name: 'bad' });
    const worker = runner((t as TestStore).store);
    worker.register(
      greet,
      async (p) => {
        attempts[p.name] = (attempts[p.name] ?? 0) + 1;
        if (p.name === 'bad') throw new Error('only this one fails');
      },
      { pollingIntervalSeconds: 0.5, batchSize: 10 },
    );
    await worker.start();
    runners.push(worker);
    await waitFor('the bad job to fail for good', async () => (await r.countJobs(greet)).failed === 1);
    expect(await r.countJobs(greet)).toEqual({ completed: 1, failed: 1 });
    expect(attempts).toEqual({ good: 1, bad: 3 });
  });

  it('runs a delayed job once its start time has come, not before', async () => {
    const ranAt: number[] = [];
    const r = await started((r) =>
      r.register(
        greet,
        async () => {
          ranAt.push(Date.now());
        },
        { pollingIntervalSeconds: 0.5 },
      ),
    );
    const due = Date.now() + 1500;
    await r.send(greet, { name: 'later' }, { startAfter: due });
    await waitFor('the delayed job to run', () => ranAt.length === 1);
    expect(ranAt[0]).toBeGreaterThanOrEqual(due - 50);
  });

  it('enqueues inside a transaction: a rollback leaves no job, a commit leaves one', async () => {
    const r = await started((r) => r.declare(greet));
    const store = (t as TestStore).store;
    await store.db
      .transaction()
      .execute(async (tx) => {
        await r.send(greet, { name: 'rolled-back' }, { tx });
        throw new Error('abort');
      })
      .catch(() => {});
    await store.db.transaction().execute(async (tx) => {
      await r.send(greet, { name: 'committed' }, { tx });
    });
    const rows = await sql<{
      data: { name: string };
    }>`select data from pgboss.job where name = 'test.greet'`.execute(store.db);
    expect(rows.rows.map((row) => row.data.name)).toEqual(['committed']);
  });

  it('stores a cron schedule', async () => {
    const daily = defineQueue({ name: 'test.daily', schema: z.object({ kind: z.literal('summary') }) });
    const r = await started((r) => r.declare(daily));
    await r.schedule(daily, '0 8 * * 1-5', { kind: 'summary' }, { tz: 'Europe/Berlin', key: 'u1' });
    const rows = await sql<{
      cron: string;
      timezone: string;
      key: string;
    }>`select cron, timezone, key from pgboss.schedule where name = 'test.daily'`.execute(
      (t as TestStore).store.db,
    );
    expect(rows.rows).toEqual([{ cron: '0 8 * * 1-5', timezone: 'Europe/Berlin', key: 'u1' }]);
    await r.unschedule(daily, 'u1');
    const after = await sql`select 1 from pgboss.schedule where name = 'test.daily'`.execute(
      (t as TestStore).store.db,
    );
    expect(after.rows).toHaveLength(0);
  });
});

describe('JobRunner on pg with two workers', () => {
  let t: TestStore | undefined;
  const runners: JobRunner[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop(2000);
    for (const s of extraStores.splice(0)) await s.close();
    await t?.close();
  });
  const extraStores: Store[] = [];

  it('never runs two jobs of the same singleton key at once, across workers', async () => {
    t = await openTestStore('pg');
    await migrateToLatest(t.store);
    const queue = defineQueue({
      name: 'test.renew',
      schema: z.object({ key: z.string(), n: z.number() }),
      concurrency: 'singleton',
      retry: { limit: 0, delaySeconds: 0, backoff: false },
    });
    const active = new Map<string, number>();
    let overlap = 0;
    let maxParallelAcrossKeys = 0;
    const done: string[] = [];
    const handler = (worker: string) => async (p: { key: string; n: number }) => {
      const now = (active.get(p.key) ?? 0) + 1;
      active.set(p.key, now);
      if (now > 1) overlap++;
      maxParallelAcrossKeys = Math.max(
        maxParallelAcrossKeys,
        [...active.values()].reduce((a, b) => a + b, 0),
      );
      await new Promise((r) => setTimeout(r, 150));
      active.set(p.key, (active.get(p.key) ?? 1) - 1);
      done.push(`${worker}:${p.key}:${p.n}`);
    };
    // Two workers, each with its own connection pool as two replicas would have, each willing to run 3 at once.
    const second = openStore(t.config);
    extraStores.push(second);
    for (const [store, name] of [
      [t.store, 'w1'],
      [second, 'w2'],
    ] as const) {
      const r = runner(store);
      r.register(queue, handler(name), { localConcurrency: 3, pollingIntervalSeconds: 0.5 });
      await r.start();
      runners.push(r);
    }
    const sender = runners[0] as JobRunner;
    // Sent while workers poll: a singleton queue keeps at most one active job per key, and queues the rest.
    for (let n = 0; n < 4; n++) {
      for (const key of ['a', 'b']) await sender.send(queue, { key, n }, { singletonKey: key });
    }
    await waitFor('all 8 jobs to finish', () => done.length === 8, 30_000);
    expect(overlap).toBe(0);
    // Different keys did run side by side, so the rule is per key, not a global lock.
    expect(maxParallelAcrossKeys).toBe(2);
    expect(new Set(done.map((d) => d.split(':')[0])).size).toBeGreaterThanOrEqual(1);
    expect(done.filter((d) => d.includes(':a:'))).toHaveLength(4);
  });

  it('runs jobs of one key in creation order on an ordered queue, across workers', async () => {
    t = await openTestStore('pg');
    await migrateToLatest(t.store);
    const queue = defineQueue({
      name: 'test.ordered',
      schema: z.object({ key: z.string(), n: z.number() }),
      concurrency: 'ordered',
      retry: { limit: 0, delaySeconds: 0, backoff: false },
    });
    const order: Record<string, number[]> = { x: [], y: [] };
    const second = openStore(t.config);
    extraStores.push(second);
    for (const store of [t.store, second]) {
      const r = runner(store);
      r.register(
        queue,
        async (p) => {
          await new Promise((res) => setTimeout(res, 20 + Math.random() * 40));
          order[p.key]?.push(p.n);
        },
        { localConcurrency: 3, pollingIntervalSeconds: 0.5 },
      );
      await r.start();
      runners.push(r);
    }
    const sender = runners[0] as JobRunner;
    await expect(sender.send(queue, { key: 'x', n: 0 })).rejects.toMatchObject({
      code: 'MM365_JOB_PAYLOAD_INVALID',
    });
    for (let n = 0; n < 6; n++)
      for (const key of ['x', 'y']) await sender.send(queue, { key, n }, { singletonKey: key });
    await waitFor(
      'all 12 jobs to finish',
      () => (order.x?.length ?? 0) + (order.y?.length ?? 0) === 12,
      30_000,
    );
    expect(order).toEqual({ x: [0, 1, 2, 3, 4, 5], y: [0, 1, 2, 3, 4, 5] });
  });
});

describe('JobRunner ordered queues and failures', () => {
  it('abandons a job that fails for good, so later jobs of its key still run, in order', async () => {
    const t = await openTestStore('pg');
    const r = runner(t.store);
    try {
      await migrateToLatest(t.store);
      const queue = defineQueue({
        name: 'test.ordered-failing',
        schema: z.object({ n: z.number() }),
        concurrency: 'ordered',
        retry: { limit: 1, delaySeconds: 0, backoff: false },
      });
      const ran: string[] = [];
      r.register(
        queue,
        async ({ n }, ctx) => {
          ran.push(`${n}#${ctx.retryCount}`);
          if (n === 1) throw new Error('poison');
        },
        { pollingIntervalSeconds: 0.5 },
      );
      await r.start();
      for (const n of [1, 2, 3]) await r.send(queue, { n }, { singletonKey: 'sub-1' });
      await waitFor('the later jobs to run', () => ran.includes('3#0'), 20_000);
      expect(ran).toEqual(['1#0', '1#1', '2#0', '3#0']);
      const abandoned = await sql<{
        output: { abandoned?: boolean };
      }>`select output from pgboss.job where name = 'test.ordered-failing' and data->>'n' = '1'`.execute(
        t.store.db,
      );
      expect(abandoned.rows[0]?.output.abandoned).toBe(true);
    } finally {
      await r.stop(1000);
      await t.close();
    }
  });
});

describe('JobRunner without workers', () => {
  it('sends but runs nothing when jobs are disabled for the process', async () => {
    const t = await openTestStore('pglite');
    try {
      await migrateToLatest(t.store);
      let ran = false;
      const r = runner(t.store, false);
      r.register(
        greet,
        async () => {
          ran = true;
        },
        { pollingIntervalSeconds: 0.5 },
      );
      await r.start();
      await r.send(greet, { name: randomUUID() });
      await new Promise((res) => setTimeout(res, 1500));
      expect(ran).toBe(false);
      expect((await r.countJobs(greet)).created).toBe(1);
      await r.stop(1000);
    } finally {
      await t.close();
    }
  });
});
