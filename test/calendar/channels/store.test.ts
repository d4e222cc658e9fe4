import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRow } from '../../../src/calendar/sync/event-codec.ts';
import { CalendarChannelLinks } from '../../../src/store/calendar-channel-link.ts';
import { CalendarEvents } from '../../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';
import { calendarEvent } from './fixtures.ts';

describe.each(drivers)('calendar_channel_link on %s', (driver) => {
  let t: TestStore;
  const at = new Date('2026-01-05T00:00:00Z');
  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    const syncs = new CalendarSyncs(t.store.db);
    for (const u of ['alice', 'bob', 'carol']) {
      await syncs.begin(u, at);
      await syncs.update(u, { status: u === 'carol' ? 'inactive' : 'active' }, at);
    }
    const cache = new CalendarEvents(t.store.db);
    // The same meeting in alice's and bob's mailboxes (different ids, same iCalUId), a series for alice.
    await cache.upsert('alice', [toRow(calendarEvent('a1', { iCalUId: 'meet' }))], 1, at);
    await cache.upsert('bob', [toRow(calendarEvent('b1', { iCalUId: 'meet' }))], 1, at);
    await cache.upsert('carol', [toRow(calendarEvent('c1', { iCalUId: 'meet' }))], 1, at);
    await cache.upsert(
      'alice',
      [
        toRow(calendarEvent('m', { iCalUId: 'series', type: 'seriesMaster' })),
        toRow(
          calendarEvent('o1', {
            iCalUId: 'occ-1',
            type: 'occurrence',
            seriesMasterId: 'm',
            start: new Date('2026-01-05T17:00:00Z'),
          }),
        ),
        toRow(
          calendarEvent('o2', {
            iCalUId: 'occ-2',
            type: 'occurrence',
            seriesMasterId: 'm',
            start: new Date('2026-01-06T17:00:00Z'),
          }),
        ),
        toRow(calendarEvent('x', { iCalUId: 'cancelled', isCancelled: true })),
      ],
      1,
      at,
    );
  });
  afterAll(() => t.close());

  it('adds a link once per (channel, meeting), lists and removes it', async () => {
    const links = new CalendarChannelLinks(t.store.db);
    const link = {
      channelId: 'ch1',
      icalUid: 'meet',
      scope: 'single' as const,
      subject: 'S',
      linkedBy: 'alice',
      createdAt: at,
    };
    expect(await links.add(link)).toBe(true);
    expect(await links.add({ ...link, linkedBy: 'bob' })).toBe(false);
    expect((await links.get('ch1', 'meet'))?.linkedBy).toBe('alice');
    expect(await links.listChannel('ch1')).toHaveLength(1);
    expect((await links.listByKeys(['meet', 'nope'])).map((l) => l.channelId)).toEqual(['ch1']);
    expect(await links.remove('ch1', 'meet')).toBe(true);
    expect(await links.remove('ch1', 'meet')).toBe(false);
  });

  it('finds each linked occurrence once however many synced attendees hold it; series by the master', async () => {
    const links = new CalendarChannelLinks(t.store.db);
    const base = { scope: 'single' as const, subject: 'S', linkedBy: 'alice', createdAt: at };
    await links.add({ ...base, channelId: 'ch1', icalUid: 'meet' });
    await links.add({ ...base, channelId: 'ch2', icalUid: 'meet' });
    await links.add({ ...base, channelId: 'ch1', icalUid: 'series', scope: 'series' });
    await links.add({ ...base, channelId: 'ch1', icalUid: 'cancelled' });
    const found = await links.occurrencesStarting(
      new Date('2026-01-05T00:00:00Z'),
      new Date('2026-01-07T00:00:00Z'),
    );
    expect(found.map((f) => `${f.channelId} ${f.icalUid} ${f.start.toISOString()} ${f.user}`).sort()).toEqual(
      [
        'ch1 meet 2026-01-05T17:00:00.000Z alice',
        'ch1 series 2026-01-05T17:00:00.000Z alice',
        'ch1 series 2026-01-06T17:00:00.000Z alice',
        'ch2 meet 2026-01-05T17:00:00.000Z alice',
      ],
    );
    expect(await links.occurrenceAt('ch1', 'series', new Date('2026-01-06T17:00:00Z'))).toMatchObject({
      user: 'alice',
      eventId: 'o2',
    });
    expect(await links.occurrenceAt('ch1', 'series', new Date('2026-01-06T18:00:00Z'))).toBeUndefined();
    expect(await links.occurrenceAt('ch1', 'cancelled', new Date('2026-01-05T17:00:00Z'))).toBeUndefined();
    const next = await links.nextStarts('ch1', new Date('2026-01-05T18:00:00Z'));
    expect([...next.entries()].map(([k, d]) => `${k} ${d.toISOString()}`)).toEqual([
      'series 2026-01-06T17:00:00.000Z',
    ]);
  });
});
