import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../src/calendar/ports.ts';
import { fromRow, toRow } from '../../src/calendar/sync/event-codec.ts';
import { CalendarEvents } from '../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../helpers/database.ts';

function event(id: string, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id,
    iCalUId: `uid-${id}`,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: `Subject ${id}`,
    bodyPreview: '',
    start: new Date('2026-01-05T17:00:00Z'),
    end: new Date('2026-01-05T18:00:00Z'),
    isAllDay: false,
    startDate: null,
    endDate: null,
    timeZone: 'Pacific Standard Time',
    showAs: 'busy',
    response: 'accepted',
    responseRequested: true,
    isCancelled: false,
    isOrganizer: false,
    organizer: { name: 'Bob', email: 'bob@contoso.example' },
    attendees: [],
    location: '',
    joinUrl: null,
    lastModified: new Date('2026-01-01T00:00:00Z'),
    webLink: null,
    importance: 'normal',
    sensitivity: 'normal',
    categories: [],
    partial: false,
    ...over,
  };
}

describe.each(drivers)('calendar tables on %s', (driver) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  const at = new Date('2026-01-05T00:00:00Z');

  it('upserts by (user, event id), keeps users apart, round-trips the event, removes tombstones', async () => {
    const cache = new CalendarEvents(t.store.db);
    await cache.upsert('u1', [toRow(event('a')), toRow(event('b'))], 1, at);
    await cache.upsert('u2', [toRow(event('a', { subject: 'other user' }))], 1, at);
    await cache.upsert('u1', [toRow(event('a', { subject: 'changed', isCancelled: true }))], 1, at);
    expect(await cache.count('u1')).toBe(2);
    const a = await cache.get('u1', 'a');
    expect(a?.isCancelled).toBe(true);
    const back = fromRow(a as NonNullable<typeof a>);
    expect(back).toEqual(event('a', { subject: 'changed', isCancelled: true }));
    expect(back.start).toBeInstanceOf(Date);
    expect(fromRow((await cache.get('u2', 'a')) as NonNullable<typeof a>).subject).toBe('other user');
    expect(await cache.remove('u1', ['b', 'never-there'])).toBe(1);
    expect(await cache.count('u1')).toBe(1);
    expect(await cache.count('u2')).toBe(1);
  });

  it('queries a window by overlap, leaves declined and series masters out, and matches all-day dates loosely', async () => {
    const cache = new CalendarEvents(t.store.db);
    const h = (iso: string) => new Date(`2026-02-10T${iso}Z`);
    await cache.upsert(
      'w',
      [
        toRow(event('before', { start: h('06:00:00'), end: h('08:00:00') })),
        toRow(event('overlap-start', { start: h('07:30:00'), end: h('08:30:00') })),
        toRow(event('inside', { start: h('09:00:00'), end: h('10:00:00') })),
        toRow(event('declined', { start: h('09:00:00'), end: h('10:00:00'), response: 'declined' })),
        toRow(event('master', { type: 'seriesMaster', start: h('09:00:00'), end: h('09:15:00') })),
        toRow(event('after', { start: h('18:00:00'), end: h('19:00:00') })),
        toRow(
          event('allday', {
            isAllDay: true,
            startDate: '2026-02-10',
            endDate: '2026-02-11',
            start: new Date('2026-02-10T00:00:00Z'),
            end: new Date('2026-02-11T00:00:00Z'),
          }),
        ),
      ],
      1,
      at,
    );
    // 08:00–18:00 UTC (a Pacific working day): "before" ends exactly at the start, "after" starts at the end.
    const ids = (await cache.listWindow('w', h('08:00:00'), h('18:00:00'))).map((r) => r.eventId);
    expect(ids).toEqual(['allday', 'overlap-start', 'inside']);
    const withDeclined = await cache.listWindow('w', h('08:00:00'), h('18:00:00'), { includeDeclined: true });
    expect(withDeclined.map((r) => r.eventId)).toContain('declined');
    expect(withDeclined.find((r) => r.eventId === 'declined')?.declined).toBe(true);
    // The Pacific local day of Feb 11 (08:00Z Feb 11 → 08:00Z Feb 12) still sees the all-day row (margin).
    const next = await cache.listWindow(
      'w',
      new Date('2026-02-11T08:00:00Z'),
      new Date('2026-02-12T08:00:00Z'),
    );
    expect(next.map((r) => r.eventId)).toEqual(['allday']);
    expect(
      await cache.listWindow('w', new Date('2026-02-12T20:00:00Z'), new Date('2026-02-13T08:00:00Z')),
    ).toEqual([]);
  });

  it('sweeps rows of older generations and lists a series', async () => {
    const cache = new CalendarEvents(t.store.db);
    await cache.upsert(
      's',
      [toRow(event('old')), toRow(event('occ', { seriesMasterId: 'm', type: 'occurrence' }))],
      1,
      at,
    );
    await cache.upsert('s', [toRow(event('occ', { seriesMasterId: 'm', type: 'occurrence' }))], 2, at);
    expect((await cache.listSeries('s', 'm')).map((r) => r.eventId)).toEqual(['occ']);
    expect(await cache.sweep('s', 2)).toBe(1);
    expect(await cache.get('s', 'old')).toBeUndefined();
    expect(await cache.removeAll('s')).toBe(1);
  });

  it('sync state: begin, update, coalesced catch-up requests, stale list, delete', async () => {
    const syncs = new CalendarSyncs(t.store.db);
    const row = await syncs.begin('u', at);
    expect(row).toMatchObject({ user: 'u', status: 'starting', cursor: null, generation: 0 });
    // A starting user can be flagged (a change during the first round is caught up after it)…
    expect(await syncs.requestCatchUp('u', at, new Date(at.getTime() - 600_000))).toBe(true);
    // …but only once while the flag is fresh.
    expect(await syncs.requestCatchUp('u', at, new Date(at.getTime() - 600_000))).toBe(false);
    // A flag older than the stale bound counts as lost: it may be raised again.
    const later = new Date(at.getTime() + 3_600_000);
    expect(await syncs.requestCatchUp('u', later, new Date(later.getTime() - 600_000))).toBe(true);
    await syncs.update(
      'u',
      {
        status: 'active',
        cursor: 'https://graph/delta?$deltatoken=x',
        generation: 3,
        lastFullSyncAt: at,
        catchUpRequestedAt: null,
      },
      at,
    );
    expect(await syncs.get('u')).toMatchObject({
      status: 'active',
      cursor: 'https://graph/delta?$deltatoken=x',
      generation: 3,
      catchUpRequestedAt: null,
    });
    expect(await syncs.listStale(new Date(at.getTime() + 1), 10)).toEqual(['u']);
    expect(await syncs.listStale(at, 10)).toEqual([]);
    await syncs.update('u', { status: 'inactive' }, at);
    expect(await syncs.requestCatchUp('u', later, later)).toBe(false);
    expect(await syncs.requestCatchUp('nobody', later, later)).toBe(false);
    // begin() on reconnect moves it back to starting and keeps the generation counter.
    expect(await syncs.begin('u', later)).toMatchObject({ status: 'starting', generation: 3 });
    // lock() reads the row inside a transaction (FOR UPDATE) and nothing for an unknown user.
    const locked = await t.store.db
      .transaction()
      .execute(async (tx) => [
        await new CalendarSyncs(tx).lock('u'),
        await new CalendarSyncs(tx).lock('nobody'),
      ]);
    expect(locked[0]).toMatchObject({ user: 'u', status: 'starting' });
    expect(locked[1]).toBeUndefined();
    await syncs.delete('u');
    expect(await syncs.get('u')).toBeUndefined();
  });
});
