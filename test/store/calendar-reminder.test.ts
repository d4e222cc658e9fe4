import { afterEach, describe, expect, it } from 'vitest';
import { type CalendarEventRow, CalendarEvents } from '../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../src/store/calendar-sync.ts';
import { CalendarReminders, migrateToLatest } from '../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../helpers/database.ts';

const t0 = new Date('2026-11-23T17:00:00Z');
const row = (eventId: string, start: Date, extra: Partial<CalendarEventRow> = {}): CalendarEventRow => ({
  eventId,
  icalUid: null,
  seriesMasterId: null,
  type: 'singleInstance',
  start,
  end: new Date(start.getTime() + 1_800_000),
  isAllDay: false,
  isCancelled: false,
  declined: false,
  partial: false,
  data: '{}',
  ...extra,
});

describe.each(drivers)('reminders falling due on %s', (driver) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('finds timed, live meetings of synced users whose reminder time is in the window, with each user’s lead', async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    const db = t.store.db;
    const syncs = new CalendarSyncs(db);
    const events = new CalendarEvents(db);
    const reminders = new CalendarReminders(db);
    for (const user of ['alice', 'bob', 'carol']) {
      await syncs.begin(user, t0);
      if (user !== 'carol') await syncs.update(user, { status: 'active' }, t0);
    }
    const at = (min: number) => new Date(t0.getTime() + min * 60_000);
    await events.upsert(
      'alice',
      [
        row('in', at(10)),
        row('edge-start', at(10 - 0)),
        row('too-late', at(12)),
        row('declined', at(11), { declined: true }),
        row('cancelled', at(11), { isCancelled: true }),
        row('all-day', at(11), { isAllDay: true }),
        row('master', at(11), { type: 'seriesMaster' }),
      ],
      1,
      t0,
    );
    await events.upsert('bob', [row('bob-15', at(15)), row('bob-10', at(10))], 1, t0);
    await events.upsert('carol', [row('carol-not-synced', at(10))], 1, t0);
    await reminders.setLead('bob', 15, t0);

    const due = await reminders.due(t0, at(2));
    expect(due.map((d) => `${d.user}:${d.eventId}:${d.leadMinutes}`).sort()).toEqual([
      'alice:edge-start:10',
      'alice:in:10',
      'bob:bob-15:15',
    ]);
    await reminders.setLead('alice', 0, t0);
    expect((await reminders.due(t0, at(2))).map((d) => d.user)).toEqual(['bob']);
    expect(await reminders.lead('carol')).toBe(10);
  });
});
