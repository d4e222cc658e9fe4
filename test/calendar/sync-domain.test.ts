/**
 * CalendarSync against fake ports and a PGlite store: the rules the simulator cannot show (trimmed delta
 * occurrences, coalescing, reconcile isolation, passing errors recorded and rethrown).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarDelta, CalendarEvent, CalendarGraph } from '../../src/calendar/ports.ts';
import { CalendarSync } from '../../src/calendar/sync/calendar-sync.ts';
import { fromRow } from '../../src/calendar/sync/event-codec.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { AppError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/log.ts';
import { CalendarEvents } from '../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { eventDefaults } from '../helpers/calendar-event.ts';
import { drivers, openTestStore, type TestStore } from '../helpers/database.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));

function ev(id: string, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id,
    iCalUId: `uid-${id}`,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: `S ${id}`,
    bodyPreview: '',
    start: new Date(Date.UTC(2026, 0, 6, 17)),
    end: new Date(Date.UTC(2026, 0, 6, 18)),
    ...eventDefaults(),
    response: 'organizer',
    isOrganizer: true,
    ...over,
  };
}
const trimmed = (id: string, master: string, day: number): CalendarEvent =>
  ev(id, {
    type: 'occurrence',
    seriesMasterId: master,
    subject: '',
    partial: true,
    start: new Date(Date.UTC(2026, 0, day, 17)),
    end: new Date(Date.UTC(2026, 0, day, 17, 15)),
  });

/** A scripted Graph: each delta() call returns the next queued answer (or throws it). */
class FakeGraph implements CalendarGraph {
  answers: (CalendarDelta | Error)[] = [];
  calls: string[] = [];
  async mailboxTimeZone(): Promise<string | null> {
    this.calls.push('tz');
    return 'W. Europe Standard Time';
  }
  async delta(_user: string, from: { window: unknown } | { cursor: string }): Promise<CalendarDelta> {
    this.calls.push('cursor' in from ? `delta:${from.cursor}` : 'delta:window');
    const next = this.answers.shift();
    if (!next) return { events: [], removed: [], cursor: 'c-idle', complete: true };
    if (next instanceof Error) throw next;
    return next;
  }
  async subscribe(): Promise<string> {
    this.calls.push('subscribe');
    return 'sub-1';
  }
  async unsubscribe(): Promise<void> {
    this.calls.push('unsubscribe');
  }
  listen(): void {}
}

describe.each(drivers)('CalendarSync rules on %s', (driver) => {
  let t: TestStore;
  let graph: FakeGraph;
  let sent: { user: string; mode: string }[];
  let failSendFor: string | undefined;
  let sync: CalendarSync;

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.store.db.deleteFrom('calendar_event').execute();
    await t.store.db.deleteFrom('calendar_sync').execute();
    graph = new FakeGraph();
    sent = [];
    failSendFor = undefined;
    sync = new CalendarSync({
      graph,
      db: t.store.db,
      jobs: {
        send: (async (_q: unknown, payload: { user: string; mode: string }) => {
          if (payload.user === failSendFor) throw new Error('queue down for this one');
          sent.push(payload);
          return 'job';
        }) as never,
      },
      sessions: { sessionLost: async () => {} },
      users: { listActive: async () => ['u-a', 'u-broken', 'u-c'] },
      clock,
      log: silent,
    });
  });

  const all = async (user: string) =>
    (await new CalendarEvents(t.store.db).listWindow(user, new Date(0), new Date(Date.UTC(2030, 0)))).map(
      fromRow,
    );

  it('completes trimmed occurrences from their series master, refreshes them when the master changes, and deletes them with it', async () => {
    const master = ev('M', {
      type: 'seriesMaster',
      subject: 'Standup',
      joinUrl: 'https://teams.microsoft.com/l/meetup-join/1',
    });
    graph.answers.push({
      events: [trimmed('O1', 'M', 6), master, trimmed('O2', 'M', 7)],
      removed: [],
      cursor: 'c1',
      complete: true,
    });
    await sync.start('u');
    let events = await all('u');
    expect(events.map((e) => [e.id, e.subject, e.joinUrl])).toEqual([
      ['O1', 'Standup', 'https://teams.microsoft.com/l/meetup-join/1'],
      ['O2', 'Standup', 'https://teams.microsoft.com/l/meetup-join/1'],
    ]);
    expect(events[1]?.start.toISOString()).toBe('2026-01-07T17:00:00.000Z');
    // The master is renamed; Graph resends it alone: the cached occurrences follow.
    graph.answers.push({
      events: [ev('M', { type: 'seriesMaster', subject: 'Standup (new room)' })],
      removed: [],
      cursor: 'c2',
      complete: true,
    });
    await sync.run('u', 'catch-up');
    events = await all('u');
    expect(events.map((e) => e.subject)).toEqual(['Standup (new room)', 'Standup (new room)']);
    // A new trimmed occurrence in a later round is completed from the cached master.
    graph.answers.push({ events: [trimmed('O3', 'M', 8)], removed: [], cursor: 'c3', complete: true });
    await sync.run('u', 'catch-up');
    expect((await all('u')).find((e) => e.id === 'O3')?.subject).toBe('Standup (new room)');
    // The series is deleted: a tombstone for the master removes its occurrences too.
    graph.answers.push({ events: [], removed: ['M'], cursor: 'c4', complete: true });
    await sync.run('u', 'catch-up');
    expect(await all('u')).toEqual([]);
    expect(graph.calls.filter((c) => c.startsWith('delta:c'))).toEqual(['delta:c1', 'delta:c2', 'delta:c3']);
  });

  it('follows incomplete rounds to the end before applying, and keeps the last cursor', async () => {
    graph.answers.push(
      { events: [ev('A')], removed: [], cursor: 'next-1', complete: false },
      { events: [ev('B')], removed: [], cursor: 'final', complete: true },
    );
    await sync.start('u');
    expect((await all('u')).map((e) => e.id)).toEqual(['A', 'B']);
    expect((await new CalendarSyncs(t.store.db).get('u'))?.cursor).toBe('final');
    expect(graph.calls).toEqual(['subscribe', 'tz', 'delta:window', 'delta:next-1']);
  });

  it('a full round replaces the cache: events it no longer returns are swept', async () => {
    graph.answers.push({ events: [ev('A'), ev('B')], removed: [], cursor: 'c1', complete: true });
    await sync.start('u');
    graph.answers.push({ events: [ev('B', { subject: 'B2' })], removed: [], cursor: 'c2', complete: true });
    await sync.run('u', 'full');
    expect((await all('u')).map((e) => [e.id, e.subject])).toEqual([['B', 'B2']]);
  });

  it('tells change listeners what each round changed, inside its transaction, with the round kind', async () => {
    const seen: { first: boolean; full: boolean; window: boolean; changes: string[] }[] = [];
    sync.onChanges(async (tx, round, changes) => {
      // The listener sees the round's own writes: it runs in the transaction.
      const inTx = await new CalendarEvents(tx).count(round.user);
      seen.push({
        first: round.first,
        full: round.full,
        window: round.previousWindow !== null,
        changes: changes.map(
          (c) => `${c.before?.subject ?? '∅'}→${c.after?.subject ?? '∅'}${c.after ? '' : ` (${inTx} left)`}`,
        ),
      });
    });
    graph.answers.push({ events: [ev('A'), ev('B')], removed: [], cursor: 'c1', complete: true });
    await sync.start('u');
    // A catch-up that resends A unchanged, renames B and adds C: only B and C are changes.
    graph.answers.push({
      events: [ev('A'), ev('B', { subject: 'B2' }), ev('C')],
      removed: [],
      cursor: 'c2',
      complete: true,
    });
    await sync.run('u', 'catch-up');
    graph.answers.push({ events: [], removed: ['A'], cursor: 'c3', complete: true });
    await sync.run('u', 'catch-up');
    // A full round that no longer returns C: swept, and reported as removed.
    graph.answers.push({ events: [ev('B', { subject: 'B2' })], removed: [], cursor: 'c4', complete: true });
    await sync.run('u', 'full');
    expect(seen).toEqual([
      { first: true, full: true, window: false, changes: ['∅→S A', '∅→S B'] },
      { first: false, full: false, window: true, changes: ['S B→B2', '∅→S C'] },
      { first: false, full: false, window: true, changes: ['S A→∅ (2 left)'] },
      { first: false, full: true, window: true, changes: ['S C→∅ (1 left)'] },
    ]);
  });

  it('a failing change listener rolls the round back, so the retry sees the same changes', async () => {
    graph.answers.push({ events: [ev('A')], removed: [], cursor: 'c1', complete: true });
    await sync.start('u');
    let fail = true;
    const got: string[] = [];
    sync.onChanges(async (_tx, _round, changes) => {
      if (fail) throw new Error('queue down');
      got.push(...changes.map((c) => c.after?.subject ?? '∅'));
    });
    graph.answers.push({ events: [ev('A', { subject: 'A2' })], removed: [], cursor: 'c2', complete: true });
    await expect(sync.run('u', 'catch-up')).rejects.toThrow('queue down');
    expect((await all('u')).map((e) => e.subject)).toEqual(['S A']);
    expect((await new CalendarSyncs(t.store.db).get('u'))?.cursor).toBe('c1');
    fail = false;
    graph.answers.push({ events: [ev('A', { subject: 'A2' })], removed: [], cursor: 'c2', complete: true });
    await sync.run('u', 'catch-up');
    expect(got).toEqual(['A2']);
  });

  it('coalesces a burst of notifications into one queued catch-up until it runs', async () => {
    graph.answers.push({ events: [], removed: [], cursor: 'c1', complete: true });
    await sync.start('u');
    for (let i = 0; i < 5; i++) await sync.onSignal('u', 'changed');
    expect(sent).toEqual([{ user: 'u', mode: 'catch-up' }]);
    await sync.run('u', 'catch-up'); // clears the flag before reading Graph
    await sync.onSignal('u', 'missed');
    expect(sent).toHaveLength(2);
    // Unknown users (not started, or disconnected) queue nothing.
    await sync.onSignal('nobody', 'changed');
    expect(sent).toHaveLength(2);
  });

  it('records a passing failure on the user and rethrows it (the job retries); a dead session is reported instead', async () => {
    graph.answers.push({ events: [], removed: [], cursor: 'c1', complete: true });
    await sync.start('u');
    graph.answers.push(new AppError('MM365_GRAPH_UNAVAILABLE', 'Graph 503'));
    await expect(sync.run('u', 'catch-up')).rejects.toMatchObject({ code: 'MM365_GRAPH_UNAVAILABLE' });
    expect((await new CalendarSyncs(t.store.db).get('u'))?.lastError).toBe('catch-up: Graph 503');
    const lost: string[] = [];
    const s2 = new CalendarSync({
      graph,
      db: t.store.db,
      jobs: { send: (async () => null) as never },
      sessions: { sessionLost: async (user, reason) => void lost.push(`${user}:${reason}`) },
      users: { listActive: async () => [] },
      clock,
      log: silent,
    });
    graph.answers.push(
      new AppError('MM365_CALENDAR_SESSION_LOST', 'gone', { details: { reason: 'revoked' } }),
    );
    await s2.run('u', 'catch-up'); // resolves: nothing to retry
    expect(lost).toEqual(['u:revoked']);
    expect(await new CalendarSyncs(t.store.db).get('u')).toMatchObject({ status: 'inactive' });
    expect(await sync.catchUp('u')).toBe('skipped');
  });

  it('a round that finishes after a disconnect writes nothing, and a late full job does not resurrect the user', async () => {
    graph.answers.push({ events: [ev('A')], removed: [], cursor: 'c1', complete: true });
    await sync.start('u');
    // The user disconnects while the catch-up is reading Graph.
    const stopping = { events: [ev('B')], removed: [], cursor: 'c2', complete: true };
    const realDelta = graph.delta.bind(graph);
    graph.delta = async () => {
      await sync.stop('u');
      graph.delta = realDelta;
      return stopping;
    };
    expect(await sync.catchUp('u')).toBe('skipped');
    expect(await new CalendarEvents(t.store.db).count('u')).toBe(0);
    expect(await new CalendarSyncs(t.store.db).get('u')).toBeUndefined();
    await sync.run('u', 'full');
    await sync.run('u', 'catch-up');
    expect(await new CalendarSyncs(t.store.db).get('u')).toBeUndefined();
    expect(graph.calls).not.toContain('delta:c2');
  });

  it('reconcile queues starts for unsynced users and full rounds for stale ones; one user failing does not stop the rest', async () => {
    graph.answers.push({ events: [], removed: [], cursor: 'c1', complete: true });
    await sync.start('u-a');
    failSendFor = 'u-broken';
    expect(await sync.reconcile()).toBe(1); // u-a is fresh; u-broken fails to queue; u-c starts
    expect(sent).toEqual([{ user: 'u-c', mode: 'start' }]);
    clock.advance(25 * 3_600_000);
    sent = [];
    expect(await sync.reconcile()).toBe(2);
    expect(sent).toEqual([
      { user: 'u-a', mode: 'full' },
      { user: 'u-c', mode: 'start' },
    ]);
    // At service start: a (coalesced) catch-up for users not due anything else.
    await sync.run('u-a', 'full');
    sent = [];
    expect(await sync.reconcile({ catchUpAll: true })).toBe(2);
    expect(sent).toEqual([
      { user: 'u-a', mode: 'catch-up' },
      { user: 'u-c', mode: 'start' },
    ]);
    expect(await sync.reconcile({ catchUpAll: true })).toBe(1); // u-a's catch-up is already queued
  });
});
