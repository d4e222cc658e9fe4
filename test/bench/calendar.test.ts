/**
 * The calendar benchmark's harness at tiny scale (5 users, 3 simulated hours, many changes), so CI proves it
 * runs end to end: the simulator, our calendar modules (sync, reminders, summary, status) on the virtual job
 * runner, notifications through the webhook, the plugin replay, and the tallies. It asserts the harness works and its tallies agree with
 * themselves, not performance figures (benchmarks measure those; docs/performance.md quotes them).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseCron } from '../../bench/calendar/cron.ts';
import { runCalendarDay } from '../../bench/calendar/harness.ts';
import { parseCalendarArgs } from '../../bench/calendar/index.ts';
import { VirtualJobRunner } from '../../bench/calendar/virtual-jobs.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { defineQueue } from '../../src/jobs/index.ts';

describe('calendar benchmark harness', () => {
  it('runs a small simulated day: changes reach the cache, every reminder is sent once, status follows blocks', async () => {
    const r = await runCalendarDay({
      users: 5,
      hours: 3,
      driver: 'pg',
      changes: { move: 0.5, cancel: 0.3, invite: 1 },
    });
    expect(r.errors).toEqual([]);
    expect(r.changes.move + r.changes.cancel + r.changes.invite).toBeGreaterThan(0);
    // Changes were notified to our webhook and caught up with delta (one call each, at least one).
    expect(r.notifications.delivered).toBeGreaterThan(0);
    expect(r.ours.byRoute['GET /me/calendarView/delta']).toBeGreaterThan(0);
    expect(r.jobs['calendar.sync']?.completed).toBeGreaterThan(0);
    // Reminders: the final calendars decide what is expected; ours sends each once, misses none.
    expect(r.reminders.expected).toBeGreaterThan(0);
    expect(r.reminders).toMatchObject({
      sent: r.reminders.expected,
      missed: 0,
      unexpected: 0,
      duplicates: 0,
    });
    // The plugin's replay polled every 5 minutes: 36 runs of one $batch for 5 users.
    expect(r.plugin?.batchRequests).toBe(36);
    expect(r.plugin?.batchItems).toBe(180);
    expect(r.ours.graphCalls).toBeLessThan((r.plugin?.httpRequests ?? 0) + (r.plugin?.subRequests ?? 0));
    // Status sync: every busy block of the final calendars turned the user DND, within a minute of its start.
    expect(r.statusLagMs?.blocks).toBeGreaterThan(0);
    expect(r.statusLagMs?.missed).toBe(0);
    expect(r.statusLagMs?.p99).toBeLessThanOrEqual(60_000);
    expect(r.reminderLeadMinutes?.min).toBeGreaterThan(9);
  }, 60_000);

  it('reads its scale from the command line after the benchmark name', () => {
    expect(parseCalendarArgs(['calendar', '--users', '50', '--hours', '3', '--no-plugin'])).toMatchObject({
      users: 50,
      hours: 3,
      plugin: false,
    });
    expect(parseCalendarArgs([])).toMatchObject({ users: 1000, hours: 24, plugin: true });
    expect(() => parseCalendarArgs(['--users', 'many'])).toThrow(/positive whole number/);
  });
});

describe('the benchmark’s virtual job runner', () => {
  const silent = createLogger({ log: { level: 'silent', format: 'json' } });
  const queue = defineQueue({
    name: 'bench.test',
    schema: z.object({ n: z.number() }),
    retry: { limit: 1, delaySeconds: 10, backoff: true },
  });

  it('runs a job when the clock reaches its startAfter, and retries a failure after its delay', async () => {
    const t0 = Date.UTC(2026, 0, 7, 9, 0);
    const clock = new ManualClock(t0);
    const jobs = new VirtualJobRunner(clock, silent);
    const ran: string[] = [];
    let failOnce = true;
    jobs.register(queue, async ({ n }) => {
      ran.push(`${n}@${(clock.now() - t0) / 1000}s`);
      if (n === 2 && failOnce) {
        failOnce = false;
        throw new Error('first attempt fails');
      }
    });
    await jobs.send(queue, { n: 1 }, { startAfter: t0 + 30_000 });
    await jobs.send(queue, { n: 2 });
    expect(await jobs.runDue()).toBe(1);
    expect(jobs.nextDue()).toBe(t0 + 10_000); // the retry, 10 s later
    clock.advance(10_000);
    expect(await jobs.runDue()).toBe(1);
    clock.advance(20_000);
    expect(await jobs.runDue()).toBe(1);
    expect(ran).toEqual(['2@0s', '2@10s', '1@30s']);
    expect(jobs.stats.get('bench.test')).toMatchObject({ sent: 2, completed: 2, failed: 1, gaveUp: 0 });
    expect(jobs.errors).toEqual(['bench.test (attempt 1): first attempt fails']);
  });

  it('fires a cron in its zone, and day fields as cron does (either restricted day field matches)', () => {
    // 08:00 in Tokyo on weekdays = 23:00 UTC the day before.
    const tokyo = parseCron('0 8 * * 1,2,3,4,5', 'Asia/Tokyo');
    expect(tokyo.matches(Date.UTC(2026, 0, 6, 23, 0))).toBe(true); // Wed 08:00 JST
    expect(tokyo.matches(Date.UTC(2026, 0, 9, 23, 0))).toBe(false); // Sat 08:00 JST
    expect(parseCron('*/5 * * * *').matches(Date.UTC(2026, 0, 7, 9, 35))).toBe(true);
    expect(parseCron('*/5 * * * *').matches(Date.UTC(2026, 0, 7, 9, 36))).toBe(false);
    const either = parseCron('0 0 1 * 0'); // the 1st, or any Sunday
    expect(either.matches(Date.UTC(2026, 0, 4, 0, 0))).toBe(true); // Sunday the 4th
    expect(either.matches(Date.UTC(2026, 1, 1, 0, 0))).toBe(true); // the 1st (a Sunday too)
    expect(either.matches(Date.UTC(2026, 2, 1, 0, 0))).toBe(true); // Sunday 1 March
    expect(either.matches(Date.UTC(2026, 3, 1, 0, 0))).toBe(true); // Wednesday 1 April
    expect(either.matches(Date.UTC(2026, 3, 2, 0, 0))).toBe(false);
    expect(() => parseCron('61 * * * *')).toThrow(/not supported/);
  });
});
