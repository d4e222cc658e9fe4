/**
 * The daily summary follows the mailbox time zone: a full sync round that reads a new zone queues one
 * re-schedule, inside the round's transaction; the job puts the user's cron on the new zone. Fake Graph and
 * jobs, a real store on both drivers.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CalendarCache } from '../../../src/calendar/cache.ts';
import type { CalendarDelta, CalendarGraph } from '../../../src/calendar/ports.ts';
import { DailySummary, summaryRescheduleQueue } from '../../../src/calendar/summary/daily-summary.ts';
import { CalendarSync } from '../../../src/calendar/sync/calendar-sync.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/log.ts';
import type { JobRunner } from '../../../src/jobs/index.ts';
import { CalendarSummaries, type Database, migrateToLatest } from '../../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });

class ZoneGraph implements CalendarGraph {
  zone: string | null = 'Pacific Standard Time';
  async mailboxTimeZone(): Promise<string | null> {
    return this.zone;
  }
  async delta(): Promise<CalendarDelta> {
    return { events: [], removed: [], cursor: 'c', complete: true };
  }
  async subscribe(): Promise<string> {
    return 'sub-1';
  }
  async unsubscribe(): Promise<void> {}
  listen(): void {}
}

/** Records what the summary asks of the job runner (the queue's rules are pg-boss's, tested in test/jobs). */
class RecordingJobs {
  sent: { queue: string; payload: unknown; inTx: boolean; key: string | undefined }[] = [];
  schedules = new Map<string, { cron: string; tz: string | undefined }>();
  register(): void {}
  async send(
    q: { name: string },
    payload: unknown,
    options: { tx?: Kysely<Database>; singletonKey?: string } = {},
  ): Promise<string> {
    this.sent.push({ queue: q.name, payload, inTx: options.tx !== undefined, key: options.singletonKey });
    return 'job';
  }
  async schedule(
    _q: unknown,
    cron: string,
    _p: unknown,
    o: { tz?: string; key?: string } = {},
  ): Promise<void> {
    this.schedules.set(o.key ?? '', { cron, tz: o.tz });
  }
  async unschedule(_q: unknown, key?: string): Promise<void> {
    this.schedules.delete(key ?? '');
  }
}

describe.each(drivers)('daily summary and mailbox zone changes on %s', (driver) => {
  let t: TestStore;
  let graph: ZoneGraph;
  let jobs: RecordingJobs;
  let sync: CalendarSync;
  let summary: DailySummary;
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
  const reschedules = () => jobs.sent.filter((s) => s.queue === summaryRescheduleQueue.name);

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.store.db.deleteFrom('calendar_sync').execute();
    await t.store.db.deleteFrom('calendar_summary').execute();
    graph = new ZoneGraph();
    jobs = new RecordingJobs();
    // The fakes cover the parts of JobRunner these classes call (send, schedule, unschedule, register).
    const runner = jobs as unknown as JobRunner;
    sync = new CalendarSync({
      graph,
      db: t.store.db,
      jobs: runner,
      sessions: { sessionLost: async () => {} },
      users: { listActive: async () => [] },
      clock,
      log: silent,
    });
    summary = new DailySummary({
      db: t.store.db,
      jobs: runner,
      cache: new CalendarCache(t.store.db, clock),
      messenger: { dm: async () => {} },
      clock,
      log: silent,
    });
    sync.onZoneChange((tx, user) => summary.onZoneChanged(tx, user));
  });

  it('queues one re-schedule per zone change, inside the round, and none when the zone stays', async () => {
    await sync.start('u1'); // unknown → Pacific: the first round
    expect(reschedules()).toEqual([
      { queue: 'calendar.summary-reschedule', payload: { user: 'u1' }, inTx: true, key: 'u1' },
    ]);
    await sync.fullSync('u1');
    await sync.fullSync('u1');
    expect(reschedules()).toHaveLength(1);
    graph.zone = 'W. Europe Standard Time';
    await sync.fullSync('u1');
    await sync.fullSync('u1');
    expect(reschedules()).toHaveLength(2);
    graph.zone = 'Customized Time Zone';
    await sync.fullSync('u1');
    expect(reschedules()).toHaveLength(3);
  });

  it('a zone listener that fails rolls the round back, so the change is seen again by the retry', async () => {
    await sync.start('u1');
    graph.zone = 'Tokyo Standard Time';
    let fail = true;
    sync.onZoneChange(async () => {
      if (fail) throw new Error('queue down');
    });
    await expect(sync.fullSync('u1')).rejects.toThrow('queue down');
    expect((await new CalendarCache(t.store.db, clock).zone('u1')).iana).toBe('America/Los_Angeles');
    fail = false;
    await sync.fullSync('u1');
    expect((await new CalendarCache(t.store.db, clock).zone('u1')).iana).toBe('Asia/Tokyo');
    // Queued by the failed round (rolled back with it in real pg-boss) and by the retry.
    expect(reschedules().map((r) => r.payload)).toEqual([{ user: 'u1' }, { user: 'u1' }, { user: 'u1' }]);
  });

  it('the re-schedule job moves an enabled summary to the new zone, same time and days', async () => {
    await sync.start('u1');
    await summary.update('u1', { enabled: true, localTime: '08:30', weekdays: [1, 3] });
    expect(jobs.schedules.get('u1')).toEqual({ cron: '30 8 * * 1,3', tz: 'America/Los_Angeles' });
    graph.zone = 'W. Europe Standard Time';
    await sync.fullSync('u1');
    expect(await summary.reschedule('u1')).toBe('Europe/Berlin');
    expect(jobs.schedules.get('u1')).toEqual({ cron: '30 8 * * 1,3', tz: 'Europe/Berlin' });
    expect(await new CalendarSummaries(t.store.db).get('u1')).toEqual({
      enabled: true,
      localTime: '08:30',
      weekdays: [1, 3],
    });
  });

  it('leaves users without a summary (or not synced) alone', async () => {
    await sync.start('u1');
    expect(await summary.reschedule('u1')).toBeNull();
    expect(await summary.reschedule('nobody')).toBeNull();
    await new CalendarSummaries(t.store.db).put(
      'gone',
      { enabled: true, localTime: '08:00', weekdays: [1] },
      new Date(clock.now()),
    );
    expect(await summary.reschedule('gone')).toBeNull();
    expect(jobs.schedules.size).toBe(0);
  });

  it('an unknown mailbox zone: scheduled in UTC, and the reply says so and how to fix it', async () => {
    graph.zone = 'Customized Time Zone';
    await sync.start('u1');
    const run = summary.subcommand().run;
    const ctx = {
      userId: 'u1',
      channelId: 'c',
      teamId: 't',
      isAdmin: false,
      isConnected: true,
      rest: '',
      requestId: 'r',
      triggerId: '',
    } as const;
    const reply = await run({ ...ctx, args: ['time', '8:30am'] } as never);
    expect(reply.text).toContain('Your daily summary is sent at 08:30 UTC on Mon–Fri.');
    expect(reply.text).toContain(
      "Times are shown in UTC because your mailbox's time zone (Customized Time Zone) is not a standard zone",
    );
    expect(reply.text).toContain('pick a named time zone in Outlook');
    expect(jobs.schedules.get('u1')).toEqual({ cron: '30 8 * * 1,2,3,4,5', tz: 'UTC' });
    // Invalid times are refused with an example, nothing stored.
    for (const bad of ['25:00', '8', '12:60', '13pm', 'noon', '']) {
      await expect(run({ ...ctx, args: ['time', bad] } as never)).rejects.toMatchObject({
        code: 'MM365_CALENDAR_SUMMARY_TIME_INVALID',
      });
    }
  });
});
