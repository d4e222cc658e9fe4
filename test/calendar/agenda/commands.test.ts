/**
 * The agenda commands over a real cache (both drivers) on a fixed Friday: `tomorrow` is the next working
 * day by Outlook's working hours, else the summary days, else Mon–Fri; `day +1` is the literal tomorrow.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AgendaDeps,
  agendaSubcommands,
  CalendarCache,
  type CalendarEvent,
} from '../../../src/calendar/index.ts';
import { toRow } from '../../../src/calendar/sync/event-codec.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { CommandContext } from '../../../src/core/commands/index.ts';
import type { MmChannelId, MmTeamId, MmUserId } from '../../../src/core/ids.ts';
import { createLogger } from '../../../src/core/log.ts';
import { CalendarEvents } from '../../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../../src/store/calendar-sync.ts';
import { CalendarSummaries, migrateToLatest } from '../../../src/store/index.ts';
import { eventDefaults } from '../../helpers/calendar-event.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const la = 'America/Los_Angeles';
const local = (iso: string) => new Date(DateTime.fromISO(iso, { zone: la }).toMillis());
/** Friday 27 November 2026, 16:00 in Los Angeles (Saturday 00:00 UTC). */
const clock = new ManualClock(local('2026-11-27T16:00'));

function ev(id: string, subject: string, startIso: string): CalendarEvent {
  const start = local(startIso);
  return {
    id,
    iCalUId: null,
    type: 'singleInstance',
    seriesMasterId: null,
    subject,
    bodyPreview: '',
    start,
    end: new Date(start.getTime() + 3_600_000),
    ...eventDefaults(),
  };
}

describe.each(drivers)('agenda commands on %s', (driver) => {
  let t: TestStore;
  let outlook: () => Promise<number[] | null>;

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    const db = t.store.db;
    await db.deleteFrom('calendar_event').execute();
    await db.deleteFrom('calendar_sync').execute();
    await db.deleteFrom('calendar_summary').execute();
    const syncs = new CalendarSyncs(db);
    for (const [user, zone] of [
      ['u', 'Pacific Standard Time'],
      ['custom', 'Customized Time Zone'],
    ] as const) {
      await syncs.begin(user, new Date(clock.now()));
      await syncs.update(user, { status: 'active', timeZone: zone }, new Date(clock.now()));
    }
    await syncs.begin('starting', new Date(clock.now()));
    await new CalendarEvents(db).upsert(
      'u',
      [ev('sat', 'Saturday hike', '2026-11-28T09:00'), ev('mon', 'Monday planning', '2026-11-30T09:00')].map(
        toRow,
      ),
      1,
      new Date(clock.now()),
    );
    outlook = async () => [1, 2, 3, 4, 5];
  });

  const run = async (name: string, args: string[] = [], user = 'u') => {
    const deps: AgendaDeps = {
      cache: new CalendarCache(t.store.db, clock),
      db: t.store.db,
      clock,
      log: silent,
      mailbox: { workingDays: () => outlook() },
    };
    const sub = agendaSubcommands(deps).find((s) => s.name === name);
    if (!sub) throw new Error(`no ${name}`);
    const ctx: CommandContext = {
      userId: user as MmUserId,
      channelId: 'c' as MmChannelId,
      teamId: 't' as MmTeamId,
      isAdmin: false,
      isConnected: true,
      args,
      rest: args.join(' '),
      requestId: 'r',
      triggerId: '',
    };
    return (await sub.run(ctx)).text;
  };

  it('on a Friday, tomorrow is Monday by Outlook working hours, and says why', async () => {
    const text = await run('tomorrow');
    expect(text).toContain('#### Your next working day, Monday 30 November 2026');
    expect(text).toContain(
      'Tomorrow (Saturday) is not one of your working days (Mon–Fri, from your working hours in Outlook), so this is your next working day. For tomorrow itself: `/mscalendar day +1`.',
    );
    expect(text).toContain('Monday planning');
    expect(text).not.toContain('Saturday hike');
  });

  it('a Saturday working day in Outlook makes tomorrow plain tomorrow', async () => {
    outlook = async () => [1, 2, 3, 4, 5, 6];
    const text = await run('tomorrow');
    expect(text).toContain('#### Tomorrow, Saturday 28 November 2026');
    expect(text).toContain('Saturday hike');
    expect(text).not.toContain('next working day');
  });

  it('without Outlook working hours (or when Graph fails), the summary days, else Mon–Fri', async () => {
    outlook = async () => {
      throw new Error('graph down');
    };
    await new CalendarSummaries(t.store.db).put(
      'u',
      { enabled: false, localTime: '08:00', weekdays: [2, 3] },
      new Date(clock.now()),
    );
    const summaryDays = await run('tomorrow');
    expect(summaryDays).toContain('#### Your next working day, Tuesday 1 December 2026');
    expect(summaryDays).toContain('(Tue, Wed, from your daily-summary days)');
    await t.store.db.deleteFrom('calendar_summary').execute();
    outlook = async () => null;
    const fallback = await run('tomorrow');
    expect(fallback).toContain('#### Your next working day, Monday 30 November 2026');
    expect(fallback).toContain('(Mon–Fri, from the usual week; set working hours in Outlook to change it)');
  });

  it('day +1 is the literal tomorrow; day <weekday|date> any day in the cache window', async () => {
    expect(await run('day', ['+1'])).toContain('#### Tomorrow, Saturday 28 November 2026');
    expect(await run('day', ['+1'])).toContain('Saturday hike');
    expect(await run('day', ['monday'])).toContain('Monday planning');
    expect(await run('day', ['2026-11-30'])).toContain('#### Monday 30 November 2026');
    expect(await run('day', ['0'])).toContain('#### Today, Friday 27 November 2026\nNo meetings.');
    expect(await run('day', ['soon'])).toContain('"soon" is not a day.');
    expect(await run('day')).toContain('Use `/mscalendar day +1`');
  });

  it('an unknown mailbox zone: the agenda is in UTC and says why and how to fix it', async () => {
    const text = await run('today', [], 'custom');
    expect(text).toMatch(
      /^Times are shown in UTC because your mailbox's time zone \(Customized Time Zone\) is not a standard zone we can convert\. To fix it, pick a named time zone in Outlook/,
    );
    // 16:00 Friday in Los Angeles is already Saturday in UTC.
    expect(text).toContain('#### Today, Saturday 28 November 2026');
  });

  it('viewcal too long for one post stops at a day boundary and says where to go on', async () => {
    const busy: CalendarEvent[] = [];
    for (let d = 0; d < 14; d++) {
      for (let h = 0; h < 12; h++) {
        const date = DateTime.fromISO('2026-11-28T08:00', { zone: la }).plus({ days: d, hours: h });
        busy.push(ev(`b${d}-${h}`, `Busy ${d}/${h} ${'y'.repeat(150)}`, date.toISO() as string));
      }
    }
    await new CalendarEvents(t.store.db).upsert('u', busy.map(toRow), 1, new Date(clock.now()));
    const text = await run('viewcal', ['14']);
    expect(text.length).toBeLessThan(16_383);
    const cut =
      /The days from (\d{4}-\d\d-\d\d) on did not fit in one message: `\/mscalendar day \1` shows that day/.exec(
        text,
      );
    expect(cut).not.toBeNull();
    // Every day before the cut is whole; the cut day is not shown at all.
    const cutDay = DateTime.fromISO(cut?.[1] as string, { zone: la });
    expect(text).not.toContain(cutDay.toFormat('cccc d LLLL yyyy'));
    expect(text).toContain(cutDay.minus({ days: 1 }).toFormat('cccc d LLLL yyyy'));
    expect(text).not.toContain('not shown');
    const dayBefore = cutDay
      .minus({ days: 1 })
      .diff(DateTime.fromISO('2026-11-28', { zone: la }), 'days').days;
    expect(text).toContain(`Busy ${dayBefore}/11 `);
  });

  it('a calendar still loading is said so, never shown as an empty day', async () => {
    for (const name of ['today', 'tomorrow', 'viewcal']) {
      expect(await run(name, [], 'starting')).toContain('Your calendar is not available right now');
    }
  });
});
