import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarCache } from '../../src/calendar/cache.ts';
import type { CalendarEvent } from '../../src/calendar/ports.ts';
import { toRow } from '../../src/calendar/sync/event-codec.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { CalendarEvents } from '../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { eventDefaults } from '../helpers/calendar-event.ts';
import { openTestStore, type TestStore } from '../helpers/database.ts';

function ev(id: string, start: string, end: string, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id,
    iCalUId: null,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: id,
    bodyPreview: '',
    start: new Date(start),
    end: new Date(end),
    ...eventDefaults(),
    ...over,
  };
}
const allDay = (id: string, date: string, next: string) =>
  ev(id, `${date}T00:00:00Z`, `${next}T00:00:00Z`, { isAllDay: true, startDate: date, endDate: next });

describe('CalendarCache (the read side)', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore('pglite');
    await migrateToLatest(t.store);
    const at = new Date();
    const syncs = new CalendarSyncs(t.store.db);
    await syncs.begin('alice', at);
    await syncs.update('alice', { status: 'active', timeZone: 'Pacific Standard Time' }, at);
    await syncs.begin('custom', at);
    await syncs.update('custom', { status: 'active', timeZone: 'Customized Time Zone' }, at);
    await syncs.begin('starting', at);
    await new CalendarEvents(t.store.db).upsert(
      'alice',
      [
        // Pacific: Jan 5 local day is 08:00Z Jan 5 → 08:00Z Jan 6.
        toRow(ev('late-monday-local', '2026-01-06T06:00:00Z', '2026-01-06T07:00:00Z')),
        toRow(ev('early-tuesday-local', '2026-01-06T09:00:00Z', '2026-01-06T10:00:00Z')),
        toRow(ev('declined', '2026-01-05T18:00:00Z', '2026-01-05T19:00:00Z', { response: 'declined' })),
        toRow(allDay('monday-all-day', '2026-01-05', '2026-01-06')),
        toRow(allDay('tuesday-all-day', '2026-01-06', '2026-01-07')),
      ],
      1,
      at,
    );
  });
  afterAll(() => t.close());

  it('answers "today" from the user’s midnight in their mailbox zone, all-day events by local date, declined left out', async () => {
    // 2026-01-06T05:00Z is still Monday Jan 5 in Los Angeles (21:00).
    const cache = new CalendarCache(t.store.db, new ManualClock(Date.parse('2026-01-06T05:00:00Z')));
    const today = await cache.day('alice');
    expect(today.day).toMatchObject({ date: '2026-01-05', hours: 24 });
    expect(today.zone).toMatchObject({ iana: 'America/Los_Angeles', fallback: false });
    expect(today.events.map((e) => e.id)).toEqual(['monday-all-day', 'late-monday-local']);
    const withDeclined = await cache.day('alice', 0, { includeDeclined: true });
    expect(withDeclined.events.map((e) => e.id)).toContain('declined');
    const tomorrow = await cache.day('alice', 1);
    expect(tomorrow.events.map((e) => e.id)).toEqual(['tuesday-all-day', 'early-tuesday-local']);
  });

  it('flags a customized zone (UTC used) and refuses users whose calendar is not synced', async () => {
    const cache = new CalendarCache(t.store.db, new ManualClock(Date.parse('2026-01-06T05:00:00Z')));
    expect(await cache.zone('custom')).toEqual({
      iana: 'UTC',
      source: 'Customized Time Zone',
      fallback: true,
    });
    await expect(cache.day('starting')).rejects.toMatchObject({
      code: 'MM365_CALENDAR_NOT_SYNCED',
      details: { status: 'starting' },
    });
    await expect(cache.day('nobody')).rejects.toMatchObject({
      code: 'MM365_CALENDAR_NOT_SYNCED',
      status: 409,
    });
  });
});
