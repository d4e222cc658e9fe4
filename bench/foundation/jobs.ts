import { z } from 'zod';
import { createLogger } from '../../src/core/log.ts';
import { createMetrics } from '../../src/core/metrics/registry.ts';
import { defineQueue, JobRunner } from '../../src/jobs/index.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { figure, percentile } from './report.ts';
import { forEachDriver } from './scratch-db.ts';

/** Jobs sent and completed per second, and send → start latency, on each driver with 4 local workers. */
export async function jobsBench(): Promise<void> {
  await forEachDriver(async (store, driver) => {
    const runner = new JobRunner({
      store,
      log: createLogger({ log: { level: 'silent', format: 'json' } }),
      registry: createMetrics().registry,
      schema: 'pgboss',
      work: true,
    });
    const queue = defineQueue({ name: 'bench.noop', schema: z.object({ sentAt: z.number() }) });
    const latencies: number[] = [];
    const n = 500;
    let done = 0;
    let finished: () => void = () => {};
    const all = new Promise<void>((r) => {
      finished = r;
    });
    runner.register(
      queue,
      async (p) => {
        latencies.push(Date.now() - p.sentAt);
        if (++done === n) finished();
      },
      { localConcurrency: 4 },
    );
    try {
      await migrateToLatest(store);
      await runner.start();
      const t = performance.now();
      for (let i = 0; i < n; i++) await runner.send(queue, { sentAt: Date.now() });
      const sendSeconds = (performance.now() - t) / 1000;
      await all;
      const totalSeconds = (performance.now() - t) / 1000;
      latencies.sort((a, b) => a - b);
      figure(`${driver}: job send`, n / sendSeconds, 'jobs/s', `${n} sequential sends`);
      figure(`${driver}: job send → complete`, n / totalSeconds, 'jobs/s', `${n} jobs, batch 10, 4 loops`);
      figure(`${driver}: send → handler start p50`, percentile(latencies, 50), 'ms', `${n} jobs`);
      figure(`${driver}: send → handler start p99`, percentile(latencies, 99), 'ms', `${n} jobs`);
      // Idle queue: one job at a time, as a chat message arrives; NOTIFY should wake a worker at once.
      const idle: number[] = [];
      for (let i = 0; i < 20; i++) {
        const before = latencies.length;
        await runner.send(queue, { sentAt: Date.now() });
        while (latencies.length === before) await new Promise((r) => setTimeout(r, 5));
        idle.push(latencies.at(-1) as number);
        await new Promise((r) => setTimeout(r, 100));
      }
      idle.sort((a, b) => a - b);
      figure(`${driver}: idle send → handler start p50`, percentile(idle, 50), 'ms', '20 jobs, 100 ms apart');
      figure(
        `${driver}: idle send → handler start max`,
        idle.at(-1) as number,
        'ms',
        '20 jobs, 100 ms apart',
      );
    } finally {
      await runner.stop(2000);
    }
  });
}
