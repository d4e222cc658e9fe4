/**
 * The calendar sync end to end: the real Microsoft simulator, the real Microsoft edge wired as the app wires
 * it (webhook, notification jobs, subscription manager), real sign-ins, and the calendar's own queues.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarCache } from '../../src/calendar/cache.ts';
import type { CalendarEvent, CalendarGraph, ChangeSignal } from '../../src/calendar/ports.ts';
import { fromRow } from '../../src/calendar/sync/event-codec.ts';
import { type CalendarSyncModule, registerCalendarSync } from '../../src/calendar/sync/register.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { createCalendarGraph } from '../../src/microsoft/calendar/index.ts';
import { CalendarEvents } from '../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../src/store/calendar-sync.ts';
import { waitFor } from '../helpers/wait.ts';
import { type MsHarness, signInForCalendar, startMsHarness } from '../microsoft/harness.ts';
import { type WiredEdge, wireEdge } from '../microsoft/wiring.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });

let h: MsHarness;
let w: WiredEdge;
let calendar: CalendarSyncModule;
/** While true, change notifications are dropped before the calendar sees them (as if Graph lost them). */
let dropChanges = false;
const lost: { user: string; reason: string }[] = [];
const ids: Record<string, string> = {};

const signIn = (user: string, mail: string) => signInForCalendar(w.edge, user, mail);

const cache = () => new CalendarEvents(h.t.store.db);
const syncs = () => new CalendarSyncs(h.t.store.db);
async function cached(user: string): Promise<CalendarEvent[]> {
  const far = new Date(Date.now() + 60 * 86_400_000);
  const rows = await cache().listWindow(user, new Date(Date.now() - 2 * 86_400_000), far, {
    includeDeclined: true,
  });
  return rows.map(fromRow);
}
async function counters(): Promise<{ users: Record<string, number>; routes: Record<string, number> }> {
  return h.control('GET', '/counters');
}
/** Notifications recorded so far; and a wait until more than `n` are recorded and all are processed. */
async function recorded(): Promise<number> {
  return (await h.t.store.db.selectFrom('microsoft_notification').select('id').execute()).length;
}
async function processedBeyond(n: number): Promise<void> {
  await waitFor('the new notification to be recorded and processed', async () => {
    const rows = await h.t.store.db.selectFrom('microsoft_notification').select('processed_at').execute();
    return rows.length > n && rows.every((r) => r.processed_at !== null);
  });
}
function at(hoursFromNow: number): string {
  return new Date(Date.now() + hoursFromNow * 3_600_000).toISOString().slice(0, 19);
}

beforeAll(async () => {
  h = await startMsHarness('pglite');
  await h.control('PATCH', '/settings', { allowHttpNotificationUrl: true });
  for (const k of ['alice', 'bob', 'carol']) ids[k] = h.sim.ready.users[k]?.id ?? '';
  w = wireEdge({ store: h.t.store, vault: h.vault, microsoft: h.microsoft, work: true });
  const real = createCalendarGraph({
    asUser: (p, f) => w.edge.asUser(p, f),
    subscriptions: w.edge.subscriptions,
    processor: w.edge.processor,
  });
  const graph: CalendarGraph = {
    ...real,
    listen: (listener) =>
      real.listen(async (user: string, signal: ChangeSignal) => {
        if (dropChanges && signal === 'changed') return;
        await listener(user, signal);
      }),
  };
  calendar = registerCalendarSync({
    graph,
    db: h.t.store.db,
    jobs: w.jobs,
    sessions: {
      async sessionLost(user, reason) {
        lost.push({ user, reason });
      },
    },
    users: { listActive: async () => ['mm-alice', 'mm-carol'] },
    clock: systemClock,
    log: silent,
    work: { pollingIntervalSeconds: 0.5 },
  });
  await w.start();
  await signIn('mm-alice', 'alice@contoso.example');
  await signIn('mm-bob', 'bob@contoso.example');
}, 60_000);

afterAll(async () => {
  await w?.stop();
  await h?.close();
});

describe('calendar sync against the Microsoft simulator', () => {
  it('start: subscribes to the user’s events and fills the cache from one delta round, with few Graph calls', async () => {
    await h.control('DELETE', '/counters');
    await calendar.userConnected('mm-alice');
    const row = await waitFor('alice’s first sync', async () => {
      const r = await syncs().get('mm-alice');
      return r?.status === 'active' ? r : undefined;
    });
    expect(row.cursor).toMatch(/deltatoken/);
    expect(row.timeZone).toBe('Pacific Standard Time');
    expect(row.subscriptionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.windowEnd?.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const events = await cached('mm-alice');
    const standups = events.filter((e) => e.subject === 'Daily standup');
    expect(standups.length).toBeGreaterThanOrEqual(15); // weekday occurrences over ~31 days
    expect(standups[0]).toMatchObject({ type: 'occurrence', isOrganizer: true, response: 'organizer' });
    expect(standups[0]?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect(standups[0]?.attendees.map((a) => a.email).sort()).toEqual([
      'bob@contoso.example',
      'carol@contoso.example',
    ]);
    const offsite = events.find((e) => e.subject === 'Company offsite');
    expect(offsite).toMatchObject({ isAllDay: true, showAs: 'oof' });
    expect(offsite?.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const review = events.find((e) => e.subject === 'Design review');
    expect(review).toMatchObject({
      isOrganizer: false,
      response: 'notResponded',
      organizer: { email: 'bob@contoso.example' },
    });
    // One mailbox-settings read, one subscription, one delta page (100 per page): nothing else, no polling.
    const c = await counters();
    expect(c.routes).toEqual({
      'POST /v1.0/subscriptions': 1,
      'GET /v1.0/{user}/mailboxSettings/timeZone': 1,
      'GET /v1.0/{user}/calendarView/delta': 1,
    });
    expect(c.users[ids.alice as string]).toBe(3);
  });

  it('an invitation created, updated, cancelled and deleted reaches the invitee’s cache through notification + catch-up', async () => {
    const bob = w.edge.asUser('mm-bob', 'calendar');
    await h.control('DELETE', '/counters');
    const created = await bob.json<{ id: string; iCalUId: string }>({
      method: 'POST',
      path: '/me/events',
      body: {
        subject: 'Quarterly planning',
        start: { dateTime: at(48), timeZone: 'UTC' },
        end: { dateTime: at(49), timeZone: 'UTC' },
        location: { displayName: 'Room 4 https://contoso.zoom.us/j/123456789' },
        attendees: [{ type: 'required', emailAddress: { address: 'alice@contoso.example', name: 'Alice' } }],
      },
    });
    const copy = await waitFor('the invitation in alice’s cache', async () =>
      (await cached('mm-alice')).find((e) => e.iCalUId === created.iCalUId),
    );
    expect(copy).toMatchObject({
      subject: 'Quarterly planning',
      isOrganizer: false,
      response: 'notResponded',
      isCancelled: false,
      joinUrl: 'https://contoso.zoom.us/j/123456789',
    });
    // Alice's side cost: catch-up delta calls only (no GET of the event, no calendarView poll).
    const afterCreate = await counters();
    const deltaCalls = Object.entries(afterCreate.routes)
      .filter(([k]) => k.includes('calendarView/delta'))
      .reduce((n, [, v]) => n + v, 0);
    expect(deltaCalls).toBeGreaterThanOrEqual(1);
    expect(deltaCalls).toBeLessThanOrEqual(2); // one per notification at most (the sim sends one)
    expect(afterCreate.users[ids.alice as string]).toBe(deltaCalls);

    const movedStart = at(50);
    await bob.request({
      method: 'PATCH',
      path: `/me/events/${created.id}`,
      body: {
        subject: 'Quarterly planning (moved)',
        start: { dateTime: movedStart, timeZone: 'UTC' },
        end: { dateTime: at(51), timeZone: 'UTC' },
      },
    });
    const moved = await waitFor('the update in alice’s cache', async () =>
      (await cached('mm-alice')).find((e) => e.iCalUId === created.iCalUId && e.subject.endsWith('(moved)')),
    );
    expect(moved.start.toISOString()).toBe(`${movedStart}.000Z`);

    await bob.request({
      method: 'POST',
      path: `/me/events/${created.id}/cancel`,
      body: { comment: 'no longer needed' },
    });
    const cancelled = await waitFor('the cancellation in alice’s cache', async () =>
      (await cached('mm-alice')).find((e) => e.iCalUId === created.iCalUId && e.isCancelled),
    );
    expect(cancelled.id).toBe(copy.id);

    const alice = w.edge.asUser('mm-alice', 'calendar');
    await alice.request({ method: 'DELETE', path: `/me/events/${copy.id}` });
    await waitFor(
      'the deletion in alice’s cache',
      async () => (await cache().get('mm-alice', copy.id)) === undefined,
    );
  });

  it('a recurring series: occurrences cached; an edited occurrence, a deleted one and the deleted series follow', async () => {
    const alice = w.edge.asUser('mm-alice', 'calendar');
    const first = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const series = await alice.json<{ id: string }>({
      method: 'POST',
      path: '/me/events',
      body: {
        subject: 'Team sync',
        start: { dateTime: `${first}T16:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${first}T16:30:00`, timeZone: 'UTC' },
        recurrence: {
          pattern: { type: 'daily', interval: 1 },
          range: { type: 'numbered', startDate: first, numberOfOccurrences: 5 },
        },
      },
    });
    const bySeries = async () =>
      (await cached('mm-alice'))
        .filter((e) => e.seriesMasterId === series.id)
        .sort((a, b) => +a.start - +b.start);
    const occurrences = await waitFor('five occurrences', async () => {
      const o = await bySeries();
      return o.length === 5 ? o : undefined;
    });
    expect(occurrences.every((o) => o.subject === 'Team sync' && o.type === 'occurrence')).toBe(true);
    expect(occurrences[0]?.start.toISOString()).toBe(`${first}T16:00:00.000Z`);
    const [one, two] = occurrences as [CalendarEvent, CalendarEvent];
    await alice.request({
      method: 'PATCH',
      path: `/me/events/${one.id}`,
      body: { subject: 'Team sync (demo day)' },
    });
    await waitFor('the edited occurrence', async () =>
      (await bySeries()).some((o) => o.subject === 'Team sync (demo day)'),
    );
    await alice.request({ method: 'DELETE', path: `/me/events/${two.id}` });
    await waitFor('the deleted occurrence', async () => (await bySeries()).length === 4);
    expect((await bySeries()).map((o) => o.id)).not.toContain(two.id);
    await alice.request({ method: 'DELETE', path: `/me/events/${series.id}` });
    await waitFor('the deleted series', async () => (await bySeries()).length === 0);
  });

  it('subscriptionRemoved: the edge recreates the subscription and the calendar catches up on the gap', async () => {
    const before = await syncs().get('mm-alice');
    dropChanges = true;
    let created: { id: string };
    try {
      const seen = await recorded();
      created = await w.edge.asUser('mm-alice', 'calendar').json<{ id: string }>({
        method: 'POST',
        path: '/me/events',
        body: {
          subject: 'During the gap',
          start: { dateTime: at(34), timeZone: 'UTC' },
          end: { dateTime: at(35), timeZone: 'UTC' },
        },
      });
      await processedBeyond(seen);
    } finally {
      dropChanges = false;
    }
    expect(await cache().get('mm-alice', created.id)).toBeUndefined();
    await h.control('POST', `/subscriptions/${before?.subscriptionId}/lifecycle`, {
      event: 'subscriptionRemoved',
    });
    const row = await waitFor('the recreated subscription', async () => {
      const [r] = await w.subscriptions.listByOwner('mm-alice', 'calendar.events');
      return r?.graphId && r.graphId !== before?.subscriptionId && r.status === 'active' ? r : undefined;
    });
    await waitFor(
      'the catch-up after removal',
      async () => (await cache().get('mm-alice', created.id)) !== undefined,
    );
    // The next full round records the new subscription id on the sync row.
    await calendar.sync.run('mm-alice', 'full');
    expect((await syncs().get('mm-alice'))?.subscriptionId).toBe(row.graphId);
  });

  it('a declined invitation stays cached, flagged, and windows leave it out unless asked', async () => {
    const bob = w.edge.asUser('mm-bob', 'calendar');
    const created = await bob.json<{ iCalUId: string }>({
      method: 'POST',
      path: '/me/events',
      body: {
        subject: 'Optional sync',
        start: { dateTime: at(72), timeZone: 'UTC' },
        end: { dateTime: at(73), timeZone: 'UTC' },
        attendees: [{ type: 'optional', emailAddress: { address: 'alice@contoso.example' } }],
      },
    });
    const copy = await waitFor('the invitation', async () =>
      (await cached('mm-alice')).find((e) => e.iCalUId === created.iCalUId),
    );
    await w.edge
      .asUser('mm-alice', 'calendar')
      .request({ method: 'POST', path: `/me/events/${copy.id}/decline`, body: {} });
    await waitFor('the decline', async () => (await cache().get('mm-alice', copy.id))?.declined === true);
    const window = await cache().listWindow(
      'mm-alice',
      new Date(Date.now()),
      new Date(Date.now() + 80 * 3_600_000),
    );
    expect(window.map((r) => r.eventId)).not.toContain(copy.id);
  });

  it('a `missed` lifecycle event makes the sync catch up on changes whose notifications were lost', async () => {
    const sub = await syncs().get('mm-alice');
    dropChanges = true;
    try {
      const seen = await recorded();
      const created = await w.edge.asUser('mm-alice', 'calendar').json<{ id: string }>({
        method: 'POST',
        path: '/me/events',
        body: {
          subject: 'Focus time',
          start: { dateTime: at(30), timeZone: 'UTC' },
          end: { dateTime: at(31), timeZone: 'UTC' },
        },
      });
      // The notification arrives and is dropped: give it time to be processed, and check nothing changed.
      await processedBeyond(seen);
      expect(await cache().get('mm-alice', created.id)).toBeUndefined();
      await h.control('POST', `/subscriptions/${sub?.subscriptionId}/lifecycle`, { event: 'missed' });
      await waitFor(
        'the catch-up after missed',
        async () => (await cache().get('mm-alice', created.id)) !== undefined,
      );
    } finally {
      dropChanges = false;
    }
  });

  it('an expired delta cursor falls back to a full resync', async () => {
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '*/calendarView/delta',
      count: 1,
      status: 410,
      code: 'SyncStateNotFound',
      message: 'The sync state is not found.',
    });
    const before = (await syncs().get('mm-alice'))?.generation ?? 0;
    await calendar.sync.run('mm-alice', 'catch-up');
    const after = await syncs().get('mm-alice');
    expect(after?.generation).toBe(before + 1);
    expect(after?.status).toBe('active');
    expect((await cached('mm-alice')).some((e) => e.subject === 'Daily standup')).toBe(true);
  });

  it('rides out a Graph 429 on delta inside the edge (Retry-After), so the catch-up still succeeds', async () => {
    await h.control('DELETE', '/counters');
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '*/calendarView/delta',
      count: 1,
      status: 429,
      code: 'ApplicationThrottled',
      message: 'Application is over its MailboxConcurrency limit.',
      headers: { 'Retry-After': '1' },
    });
    const before = await syncs().get('mm-alice');
    expect(await calendar.sync.catchUp('mm-alice')).toBe('caught-up');
    const after = await syncs().get('mm-alice');
    expect(after?.generation).toBe(before?.generation); // no full resync
    expect(after?.lastError).toBeNull();
    const c = await h.control<{ statuses: Record<string, number>; routes: Record<string, number> }>(
      'GET',
      '/counters',
    );
    expect(c.statuses['429']).toBe(1);
    // The sim counts the refused attempt by status only; the retry is the one counted call.
    expect(c.routes['GET /v1.0/{user}/calendarView/delta']).toBe(1);
  });

  it('a user whose session died is reported once and stopped; the others keep syncing', async () => {
    await signIn('mm-carol', 'carol@contoso.example');
    await h.control('PATCH', '/users/carol', { accountEnabled: false });
    await calendar.userConnected('mm-carol');
    await waitFor('carol’s loss to be reported', () => lost.some((l) => l.user === 'mm-carol'));
    expect(lost.filter((l) => l.user === 'mm-carol')).toEqual([
      { user: 'mm-carol', reason: expect.any(String) },
    ]);
    expect(await syncs().get('mm-carol')).toMatchObject({
      status: 'inactive',
      lastError: expect.stringMatching(/session lost/),
    });

    const bob = w.edge.asUser('mm-bob', 'calendar');
    const created = await bob.json<{ iCalUId: string }>({
      method: 'POST',
      path: '/me/events',
      body: {
        subject: 'After carol left',
        start: { dateTime: at(26), timeZone: 'UTC' },
        end: { dateTime: at(27), timeZone: 'UTC' },
        attendees: [
          { type: 'required', emailAddress: { address: 'alice@contoso.example' } },
          { type: 'required', emailAddress: { address: 'carol@contoso.example' } },
        ],
      },
    });
    await waitFor('alice’s copy', async () =>
      (await cached('mm-alice')).some((e) => e.iCalUId === created.iCalUId),
    );
    // The reconcile queues a start for carol again (inactive) and nothing for alice (synced just now).
    expect(await calendar.sync.reconcile()).toBe(1);
  });

  it('stop: deletes the subscription at Graph, the cache and the sync row', async () => {
    const sub = (await syncs().get('mm-alice'))?.subscriptionId;
    await calendar.userDisconnected('mm-alice');
    expect(await syncs().get('mm-alice')).toBeUndefined();
    expect(await cache().count('mm-alice')).toBe(0);
    await expect(
      w.edge.asUser('mm-bob', 'calendar').json({ path: `/subscriptions/${sub}` }),
    ).rejects.toMatchObject({
      code: 'MM365_GRAPH_NOT_FOUND',
    });
    // A late notification for the stopped user queues nothing.
    await calendar.sync.onSignal('mm-alice', 'changed');
    expect(await syncs().get('mm-alice')).toBeUndefined();
  });

  it('stop after the token was forgotten (disconnect order): our rows go; the Graph subscription is left to expire', async () => {
    await signIn('mm-dave', 'dave@fabrikam.example');
    await calendar.userConnected('mm-dave');
    await waitFor('dave’s first sync', async () => (await syncs().get('mm-dave'))?.status === 'active');
    await w.edge.auth.forget('mm-dave');
    await calendar.userDisconnected('mm-dave');
    expect(await syncs().get('mm-dave')).toBeUndefined();
    expect(await cache().count('mm-dave')).toBe(0);
    expect(await w.subscriptions.listByOwner('mm-dave')).toEqual([]);
  });

  it('schedule(): the reconcile job runs at once and restarts a connected user who has no sync state', async () => {
    expect(await syncs().get('mm-alice')).toBeUndefined(); // stopped by the previous test, still "connected"
    await calendar.schedule();
    const row = await waitFor('alice restarted by the reconcile', async () => {
      const r = await syncs().get('mm-alice');
      return r?.status === 'active' ? r : undefined;
    });
    expect(row.generation).toBe(1);
    expect((await cached('mm-alice')).some((e) => e.subject === 'Daily standup')).toBe(true);
  });

  it('a mailbox in a zone no table knows is synced, and the cache answers in UTC flagged as a fallback', async () => {
    await h.control('PATCH', '/users/bob', { timeZone: 'Customized Time Zone' });
    await calendar.userConnected('mm-bob');
    const row = await waitFor('bob’s first sync', async () => {
      const r = await syncs().get('mm-bob');
      return r?.status === 'active' ? r : undefined;
    });
    expect(row.timeZone).toBe('Customized Time Zone');
    const reader = new CalendarCache(h.t.store.db, systemClock);
    const today = await reader.day('mm-bob');
    expect(today.zone).toEqual({ iana: 'UTC', source: 'Customized Time Zone', fallback: true });
    expect(today.day.start.toISOString()).toMatch(/T00:00:00\.000Z$/); // UTC midnight
    expect(today.day.hours).toBe(24);
  });
});
