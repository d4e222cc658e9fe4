/**
 * Channel reminders and change posts against a real store (PGlite) and fake ports: exactly once per
 * channel and occurrence, whoever's cache holds the meeting; changes seen by several attendees, once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelChangeNotices, noticeOf } from '../../../src/calendar/channels/change-notices.ts';
import { ChannelReminders } from '../../../src/calendar/channels/channel-reminders.ts';
import type { ChannelPoster } from '../../../src/calendar/events/ports.ts';
import type { CalendarEvent } from '../../../src/calendar/ports.ts';
import type { CalendarRound } from '../../../src/calendar/sync/calendar-sync.ts';
import { toRow } from '../../../src/calendar/sync/event-codec.ts';
import { resolveZone } from '../../../src/calendar/time-zones.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/log.ts';
import type { QueueDefinition, SendJobOptions } from '../../../src/jobs/index.ts';
import { CalendarChannelLinks } from '../../../src/store/calendar-channel-link.ts';
import { CalendarEvents } from '../../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { openTestStore, type TestStore } from '../../helpers/database.ts';
import { calendarEvent } from './fixtures.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const start = new Date('2026-01-05T17:00:00Z');
const zone = resolveZone('Pacific Standard Time');

/** Posts once per key, as the Mattermost messenger does; records every call. */
class FakePoster implements ChannelPoster {
  readonly posts = new Map<string, { channelId: string; text: string }>();
  calls = 0;
  async post(channelId: string, text: string, key: string): Promise<void> {
    this.calls++;
    if (!this.posts.has(key)) this.posts.set(key, { channelId, text });
  }
  async dm(): Promise<void> {}
  inChannel(channelId: string): string[] {
    return [...this.posts.values()].filter((p) => p.channelId === channelId).map((p) => p.text);
  }
}

class FakeJobs {
  readonly sent: { queue: string; payload: unknown; options: SendJobOptions }[] = [];
  register(): void {}
  async schedule(): Promise<void> {}
  async send(def: QueueDefinition, payload: unknown, options: SendJobOptions = {}): Promise<string | null> {
    this.sent.push({ queue: def.name, payload, options });
    return 'id';
  }
}

let t: TestStore;
const at = new Date('2026-01-05T09:00:00Z');

beforeAll(async () => {
  t = await openTestStore('pglite');
  await migrateToLatest(t.store);
  const syncs = new CalendarSyncs(t.store.db);
  for (const u of ['alice', 'bob']) {
    await syncs.begin(u, at);
    await syncs.update(u, { status: 'active', timeZone: 'Pacific Standard Time' }, at);
  }
  const cache = new CalendarEvents(t.store.db);
  const meeting = {
    iCalUId: 'meet',
    start,
    end: new Date(start.getTime() + 1_800_000),
    joinUrl: 'https://teams.microsoft.com/l/meetup-join/x',
  };
  await cache.upsert(
    'alice',
    [toRow(calendarEvent('a1', { ...meeting, isOrganizer: true, subject: 'Sync' }))],
    1,
    at,
  );
  await cache.upsert('bob', [toRow(calendarEvent('b1', { ...meeting, subject: 'Sync' }))], 1, at);
  const links = new CalendarChannelLinks(t.store.db);
  for (const channelId of ['ch1', 'ch2']) {
    await links.add({
      channelId,
      icalUid: 'meet',
      scope: 'single',
      subject: 'Sync',
      linkedBy: 'alice',
      createdAt: at,
    });
  }
});
afterAll(() => t.close());

describe('channel reminders', () => {
  let poster: FakePoster;
  let jobs: FakeJobs;
  let reminders: ChannelReminders;
  const clock = new ManualClock(new Date(start.getTime() - 10 * 60_000));
  beforeEach(() => {
    poster = new FakePoster();
    jobs = new FakeJobs();
    reminders = new ChannelReminders({ db: t.store.db, jobs, poster, clock, log: silent });
  });

  it('plans one job per linked channel and occurrence, 10 minutes before, though two attendees hold it', async () => {
    const due = await reminders.plan(start.getTime() - 10 * 60_000 - 30_000);
    expect(due.map((d) => d.channelId).sort()).toEqual(['ch1', 'ch2']);
    expect(jobs.sent.map((s) => s.options)).toEqual([
      { singletonKey: `ch1:meet:${start.toISOString()}`, startAfter: new Date(start.getTime() - 600_000) },
      { singletonKey: `ch2:meet:${start.toISOString()}`, startAfter: new Date(start.getTime() - 600_000) },
    ]);
    expect(await reminders.plan(start.getTime() - 5 * 60_000)).toEqual([]);
  });

  it('posts once per channel however often it runs; a moved occurrence is skipped', async () => {
    const r = { channelId: 'ch1', icalUid: 'meet', start };
    expect(await reminders.deliver(r)).toBe('sent');
    expect(await reminders.deliver(r)).toBe('sent');
    expect(poster.calls).toBe(2);
    expect(poster.inChannel('ch1')).toEqual([
      expect.stringMatching(
        /^⏰ Upcoming event: \*\*Sync\*\* starts in 10 minutes\.\nWhen: Mon, Jan 5, 9:00 AM – 9:30 AM \(America\/Los_Angeles\)\n\[Join the meeting\]/,
      ),
    ]);
    expect(await reminders.deliver({ ...r, start: new Date(start.getTime() + 60_000) })).toBe('skipped');
  });

  it('keeps working from another attendee when the linker disconnects; nothing when no one connected holds it', async () => {
    const syncs = new CalendarSyncs(t.store.db);
    await syncs.update('alice', { status: 'inactive' }, at);
    try {
      expect(await reminders.deliver({ channelId: 'ch2', icalUid: 'meet', start })).toBe('sent');
      await syncs.update('bob', { status: 'inactive' }, at);
      expect(await reminders.deliver({ channelId: 'ch1', icalUid: 'meet', start })).toBe('skipped');
      expect(await reminders.plan(start.getTime() - 10 * 60_000 - 30_000)).toEqual([]);
    } finally {
      await syncs.update('alice', { status: 'active' }, at);
      await syncs.update('bob', { status: 'active' }, at);
    }
  });
});

describe('change posts', () => {
  const round = (user: string, over: Partial<CalendarRound> = {}): CalendarRound => ({
    user,
    full: false,
    first: false,
    previousWindow: null,
    at,
    ...over,
  });
  const copy = (id: string, over: Partial<CalendarEvent> = {}) =>
    calendarEvent(id, {
      iCalUId: 'meet',
      start,
      end: new Date(start.getTime() + 1_800_000),
      subject: 'Sync',
      ...over,
    });

  it('says what changed: time, place, subject; cancellations; organizer deletions only', () => {
    const before = copy('a1', { isOrganizer: true });
    expect(noticeOf({ before, after: { ...before, location: 'Room 9' } }, zone, at)?.lines).toEqual([
      '✏️ The event **Sync** changed:',
      '- Where: Room 9',
    ]);
    const moved = noticeOf(
      {
        before,
        after: {
          ...before,
          start: new Date(start.getTime() + 3_600_000),
          end: new Date(start.getTime() + 5_400_000),
        },
      },
      zone,
      at,
    );
    expect(moved?.lines[1]).toBe(
      '- When: Mon, Jan 5, 10:00 AM – 10:30 AM (America/Los_Angeles) (was Mon, Jan 5, 9:00 AM – 9:30 AM (America/Los_Angeles))',
    );
    expect(noticeOf({ before, after: { ...before, isCancelled: true } }, zone, at)?.kind).toBe('cancelled');
    expect(noticeOf({ before, after: null }, zone, at)?.kind).toBe('deleted');
    // The organizer's copy deleted and an attendee's copy cancelled are one event for the channel.
    expect(noticeOf({ before, after: null }, zone, at)?.fingerprint).toBe(
      noticeOf(
        { before: { ...before, isOrganizer: false }, after: { ...before, isCancelled: true } },
        zone,
        at,
      )?.fingerprint,
    );
    expect(noticeOf({ before: { ...before, isOrganizer: false }, after: null }, zone, at)).toBeNull();
    expect(noticeOf({ before: null, after: before }, zone, at)).toBeNull();
    expect(noticeOf({ before, after: { ...before, bodyPreview: 'new notes' } }, zone, at)).toBeNull();
    expect(
      noticeOf({ before, after: { ...before, location: 'x' } }, zone, new Date(start.getTime() + 7_200_000)),
    ).toBeNull();
  });

  it('queues one post per linked channel per change, with the same key from every attendee’s round; the first round is the baseline', async () => {
    const jobs = new FakeJobs();
    const notices = new ChannelChangeNotices({ jobs, poster: new FakePoster(), log: silent });
    const change = (id: string) => ({ before: copy(id), after: copy(id, { location: 'Room 9' }) });
    await notices.listener(t.store.db, round('alice', { first: true }), [change('a1')]);
    expect(jobs.sent).toEqual([]);
    await notices.listener(t.store.db, round('alice'), [change('a1')]);
    await notices.listener(t.store.db, round('bob'), [change('b1')]);
    const keys = jobs.sent.map((s) => s.options.singletonKey);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(2);
    expect(jobs.sent.every((s) => s.options.tx === t.store.db)).toBe(true);
    expect(jobs.sent.map((s) => (s.payload as { channelId: string }).channelId).sort()).toEqual([
      'ch1',
      'ch1',
      'ch2',
      'ch2',
    ]);
  });

  it('lets a changed series master speak for its occurrences', async () => {
    const links = new CalendarChannelLinks(t.store.db);
    await links.add({
      channelId: 'ch3',
      icalUid: 'series',
      scope: 'series',
      subject: 'Weekly',
      linkedBy: 'alice',
      createdAt: at,
    });
    const cache = new CalendarEvents(t.store.db);
    const master = calendarEvent('m', {
      iCalUId: 'series',
      type: 'seriesMaster',
      subject: 'Weekly',
      start,
      end: new Date(start.getTime() + 1_800_000),
    });
    await cache.upsert('alice', [toRow(master)], 1, at);
    const occ = (i: number) =>
      calendarEvent(`o${i}`, {
        iCalUId: `occ-${i}`,
        type: 'occurrence',
        seriesMasterId: 'm',
        subject: 'Weekly',
        start: new Date(start.getTime() + i * 7 * 86_400_000),
        end: new Date(start.getTime() + i * 7 * 86_400_000 + 1_800_000),
      });
    const jobs = new FakeJobs();
    const notices = new ChannelChangeNotices({ jobs, poster: new FakePoster(), log: silent });
    const renamed = (e: CalendarEvent) => ({ before: e, after: { ...e, subject: 'Weekly sync' } });
    await notices.listener(t.store.db, round('alice'), [renamed(master), renamed(occ(1)), renamed(occ(2))]);
    expect(jobs.sent.map((s) => (s.payload as { channelId: string; text: string }).channelId)).toEqual([
      'ch3',
    ]);
    // An occurrence changed on its own (an exception) is posted, found through its master's link.
    jobs.sent.length = 0;
    await cache.upsert('alice', [toRow(occ(1))], 1, at);
    await notices.listener(t.store.db, round('alice'), [
      { before: occ(1), after: { ...occ(1), type: 'exception', location: 'Room 1' } },
    ]);
    expect(jobs.sent.map((s) => (s.payload as { text: string }).text)).toEqual([
      '✏️ The event **Weekly** changed:\n- Where: Room 1',
    ]);
  });
});
