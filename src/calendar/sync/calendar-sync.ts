import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { JobRunner } from '../../jobs/index.ts';
import { CalendarEvents } from '../../store/calendar-event.ts';
import { CalendarSyncs } from '../../store/calendar-sync.ts';
import type { Database } from '../../store/index.ts';
import '../errors.ts'; // registers this folder's MM365_* codes
import type {
  CalendarEvent,
  CalendarGraph,
  CalendarSessions,
  CalendarUsers,
  ChangeSignal,
} from '../ports.ts';
import { fillFromMaster, fromRow, toRow } from './event-codec.ts';
import { calendarSyncQueue, type SyncMode } from './queues.ts';

export interface CalendarSyncOptions {
  /** The cached window reaches this far back from now (default 1 day: "today" always covered). */
  pastMs?: number;
  /** …and this far ahead (default 30 days). */
  futureMs?: number;
  /** Reconcile resynchronises a user fully when their last full sync is older than this (default 24 h). */
  fullSyncEveryMs?: number;
  /** A catch-up flag older than this is considered lost and may be raised again (default 10 min). */
  catchUpStaleMs?: number;
}

/** One event that a round changed in the cache: created (before null), updated, or removed (after null). */
export interface CalendarChange {
  before: CalendarEvent | null;
  after: CalendarEvent | null;
}

/** What kind of round produced a batch of changes. */
export interface CalendarRound {
  user: string;
  /** A full round (window snapshot) rather than a delta catch-up. */
  full: boolean;
  /**
   * The user's first round since connecting: every event is "new" to the cache but not to the user, so
   * features treat it as the baseline (no invitation DMs).
   */
  first: boolean;
  /**
   * The window cached before this round (null on the first). A full round slides the window: an event
   * with no `before` that starts at or after the previous window's end entered the window; it is not new.
   */
  previousWindow: { start: Date; end: Date } | null;
  at: Date;
}

/**
 * Told of every change a round applies, inside the round's transaction (`tx`): enqueue jobs with
 * `jobs.send(…, { tx })` there, so a change is acted on exactly when it is committed. Must be quick (no
 * Graph or Mattermost calls). Throwing rolls the round back and the sync job retries it.
 */
export type CalendarChangeListener = (
  tx: Kysely<Database>,
  round: CalendarRound,
  changes: readonly CalendarChange[],
) => Promise<void>;

/**
 * Told when a full round finds the mailbox time zone changed (also from "unknown" on the first round), inside
 * the round's transaction, once per change: `before` is the name stored until now, `after` the new one (as
 * Graph gave them). Same rules as CalendarChangeListener: quick, enqueue with `{ tx }`, throwing rolls back.
 */
export type CalendarZoneListener = (
  tx: Kysely<Database>,
  user: string,
  zone: { before: string | null; after: string | null },
) => Promise<void>;

export interface CalendarSyncDeps {
  graph: CalendarGraph;
  db: Kysely<Database>;
  jobs: Pick<JobRunner, 'send'>;
  sessions: CalendarSessions;
  users: CalendarUsers;
  clock: Clock;
  log: Logger;
  options?: CalendarSyncOptions;
}

const day = 86_400_000;

/**
 * Keeps each connected user's calendar cache current (issue 6 item 1: event-driven, not polled). Graph is
 * called when something changed: a notification or a `missed` lifecycle event enqueues one catch-up (a
 * calendarView/delta round from the stored cursor), coalesced per user; a slow reconcile slides the window
 * and repairs whatever was lost. All per-user work runs in the ordered `calendar.sync` queue (FIFO per
 * user), so one user's rounds never overlap, and one user's failure never touches another's.
 */
export class CalendarSync {
  readonly #deps: CalendarSyncDeps;
  readonly #pastMs: number;
  readonly #futureMs: number;
  readonly #fullEveryMs: number;
  readonly #staleMs: number;
  readonly #listeners: CalendarChangeListener[] = [];
  readonly #zoneListeners: CalendarZoneListener[] = [];

  constructor(deps: CalendarSyncDeps) {
    this.#deps = deps;
    this.#pastMs = deps.options?.pastMs ?? day;
    this.#futureMs = deps.options?.futureMs ?? 30 * day;
    this.#fullEveryMs = deps.options?.fullSyncEveryMs ?? day;
    this.#staleMs = deps.options?.catchUpStaleMs ?? 10 * 60_000;
  }

  /** Adds a listener for the changes each round applies (call at wiring time, before jobs start). */
  onChanges(listener: CalendarChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Adds a listener for mailbox time-zone changes (call at wiring time, before jobs start). */
  onZoneChange(listener: CalendarZoneListener): void {
    this.#zoneListeners.push(listener);
  }

  /**
   * Makes sure the user's event subscription exists (admin `subscribe`): created when missing, left alone
   * when fresh; the id is recorded on the sync row. Returns the id. Throws as CalendarGraph.subscribe does.
   */
  async ensureSubscription(user: string): Promise<string> {
    const id = await this.#deps.graph.subscribe(user);
    await new CalendarSyncs(this.#deps.db).update(user, { subscriptionId: id }, this.#now());
    return id;
  }

  /**
   * Deletes the user's event subscription but keeps their cache and sync (admin `unsubscribe`, for
   * diagnosis): changes are then only seen by the next full round, which also subscribes again.
   */
  async dropSubscription(user: string): Promise<void> {
    await this.#deps.graph.unsubscribe(user);
    await new CalendarSyncs(this.#deps.db).update(user, { subscriptionId: null }, this.#now());
  }

  #now(): Date {
    return new Date(this.#deps.clock.now());
  }

  /**
   * Enqueues the user's start (subscription + full sync) as a job. Call when a user connects the calendar
   * (also on reconnect: it resets an inactive user). Idempotent in effect.
   */
  async requestStart(user: string): Promise<void> {
    await this.#deps.jobs.send(calendarSyncQueue, { user, mode: 'start' }, { singletonKey: user });
  }

  /**
   * The edge's listener (runs inside its notification job): records that the user's calendar changed and
   * enqueues one catch-up unless one is already queued. No Graph call. Idempotent.
   */
  async onSignal(user: string, signal: ChangeSignal): Promise<void> {
    const queued = await this.#requestCatchUp(user);
    this.#deps.log.debug({ user, signal, queued }, 'calendar change signalled');
  }

  /** Raises the user's catch-up flag and enqueues the job in one transaction, unless already raised. */
  async #requestCatchUp(user: string): Promise<boolean> {
    const now = this.#now();
    return this.#deps.db.transaction().execute(async (tx) => {
      const raised = await new CalendarSyncs(tx).requestCatchUp(
        user,
        now,
        new Date(now.getTime() - this.#staleMs),
      );
      if (raised) {
        await this.#deps.jobs.send(calendarSyncQueue, { user, mode: 'catch-up' }, { tx, singletonKey: user });
      }
      return raised;
    });
  }

  /**
   * The `calendar.sync` job handler (ordered per user). A dead session is reported once through
   * CalendarSessions and ends the work for that user (no retry); any other failure is recorded on the
   * user's row and rethrown so the job is retried with backoff.
   */
  async run(user: string, mode: SyncMode): Promise<void> {
    try {
      if (mode === 'start') await this.start(user);
      else if (mode === 'full') await this.fullSync(user);
      else await this.catchUp(user);
    } catch (err) {
      const syncs = new CalendarSyncs(this.#deps.db);
      const now = this.#now();
      if (isAppError(err) && err.code === 'MM365_CALENDAR_SESSION_LOST') {
        const reason = typeof err.details?.reason === 'string' ? err.details.reason : 'refresh_expired';
        if (await syncs.get(user)) {
          await syncs.update(
            user,
            {
              status: 'inactive',
              lastError: `session lost: ${reason}`,
              lastErrorAt: now,
              catchUpRequestedAt: null,
            },
            now,
          );
        }
        this.#deps.log.info({ user, reason }, 'calendar sync stopped: the Microsoft session is gone');
        await this.#deps.sessions.sessionLost(user, reason);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      await syncs.update(user, { lastError: `${mode}: ${message}`.slice(0, 500), lastErrorAt: now }, now);
      throw err;
    }
  }

  /**
   * Starts (or restarts) a user: subscription first, so changes made during the first round are notified
   * and caught up after it; then the mailbox time zone and a full round. Idempotent.
   */
  async start(user: string): Promise<void> {
    const syncs = new CalendarSyncs(this.#deps.db);
    await syncs.begin(user, this.#now());
    const subscriptionId = await this.#deps.graph.subscribe(user);
    await syncs.update(user, { subscriptionId }, this.#now());
    await this.fullSync(user);
  }

  /**
   * A catch-up: one delta round from the stored cursor (usually a single Graph call), applied with its new
   * cursor in one transaction. No cursor, or one Graph no longer knows: a full round instead. Users not
   * started, stopped or inactive are left alone.
   */
  async catchUp(user: string): Promise<'caught-up' | 'full' | 'skipped'> {
    const syncs = new CalendarSyncs(this.#deps.db);
    const row = await syncs.get(user);
    if (!row || row.status === 'inactive') return 'skipped';
    // Cleared before reading Graph: a change notified from now on queues another catch-up after this one.
    await syncs.update(user, { catchUpRequestedAt: null }, this.#now());
    if (!row.cursor || row.status === 'starting') {
      await this.fullSync(user);
      return 'full';
    }
    const events: CalendarEvent[] = [];
    const removed: string[] = [];
    let cursor = row.cursor;
    try {
      for (;;) {
        const round = await this.#deps.graph.delta(user, { cursor });
        events.push(...round.events);
        removed.push(...round.removed);
        cursor = round.cursor;
        if (round.complete) break;
      }
    } catch (err) {
      if (isAppError(err) && err.code === 'MM365_CALENDAR_CURSOR_EXPIRED') {
        this.#deps.log.info({ user }, 'calendar delta cursor expired; full resync');
        await this.fullSync(user);
        return 'full';
      }
      throw err;
    }
    const applied = await this.#deps.db.transaction().execute(async (tx) => {
      const current = await new CalendarSyncs(tx).lock(user);
      if (!current || current.status === 'inactive') return false; // stopped meanwhile
      const previousWindow =
        row.windowStart && row.windowEnd ? { start: row.windowStart, end: row.windowEnd } : null;
      await this.#apply(tx, user, events, removed, row.generation, {
        full: false,
        first: false,
        previousWindow,
      });
      await new CalendarSyncs(tx).update(
        user,
        { cursor, lastSyncAt: this.#now(), lastError: null, lastErrorAt: null },
        this.#now(),
      );
      return true;
    });
    return applied ? 'caught-up' : 'skipped';
  }

  /**
   * A full round over the window [now − past, now + future): every page is read, then the cache is replaced
   * in one transaction (rows the round did not return are swept), with the new cursor and window. Also
   * refreshes the mailbox time zone and makes sure the subscription exists (a no-op when it is fresh).
   */
  async fullSync(user: string): Promise<void> {
    const syncs = new CalendarSyncs(this.#deps.db);
    const row = await syncs.get(user);
    // Not started, or stopped since the job was queued: nothing to do (a stop must stay a stop).
    if (!row || row.status === 'inactive') return;
    const now = this.#deps.clock.now();
    const window = { start: new Date(now - this.#pastMs), end: new Date(now + this.#futureMs) };
    const timeZone = await this.#deps.graph.mailboxTimeZone(user);
    const subscriptionId =
      row.status === 'active' ? await this.#deps.graph.subscribe(user) : row.subscriptionId;
    const events: CalendarEvent[] = [];
    const removed: string[] = [];
    let round = await this.#deps.graph.delta(user, { window });
    events.push(...round.events);
    removed.push(...round.removed);
    while (!round.complete) {
      round = await this.#deps.graph.delta(user, { cursor: round.cursor });
      events.push(...round.events);
      removed.push(...round.removed);
    }
    const generation = row.generation + 1;
    const at = this.#now();
    await this.#deps.db.transaction().execute(async (tx) => {
      const locked = await new CalendarSyncs(tx).lock(user);
      if (!locked) return; // stopped meanwhile: write nothing
      const previousWindow =
        row.status !== 'starting' && row.windowStart && row.windowEnd
          ? { start: row.windowStart, end: row.windowEnd }
          : null;
      await this.#apply(tx, user, events, removed, generation, {
        full: true,
        first: row.status === 'starting',
        previousWindow,
      });
      await new CalendarSyncs(tx).update(
        user,
        {
          status: 'active',
          cursor: round.cursor,
          windowStart: window.start,
          windowEnd: window.end,
          generation,
          timeZone,
          subscriptionId,
          lastFullSyncAt: at,
          lastSyncAt: at,
          lastError: null,
          lastErrorAt: null,
        },
        at,
      );
      // Compared under the row lock, so two rounds never both see the same change.
      if (locked.timeZone !== timeZone) {
        for (const listener of this.#zoneListeners) {
          await listener(tx, user, { before: locked.timeZone, after: timeZone });
        }
      }
    });
  }

  /**
   * Disconnect: deletes the user's event subscription (a dead token is fine: Graph expires it) and their
   * whole cache and sync row. Queued jobs for the user then find no row and do nothing.
   */
  async stop(user: string): Promise<void> {
    try {
      await this.#deps.graph.unsubscribe(user);
    } catch (err) {
      if (!(isAppError(err) && err.code === 'MM365_CALENDAR_SESSION_LOST')) throw err;
    }
    await this.#deps.db.transaction().execute(async (tx) => {
      const syncs = new CalendarSyncs(tx);
      await syncs.lock(user); // waits for a round applying its results right now
      await new CalendarEvents(tx).removeAll(user);
      await syncs.delete(user);
    });
  }

  /**
   * The slow periodic reconcile (cron): every active calendar user is checked, and a job is queued for
   * those who need one — `start` for users with no sync row (or an inactive one: they reconnected), `full`
   * when the last full round is older than fullSyncEveryMs (this slides the window forward), and with
   * `catchUpAll` (once at service start: notifications may have been lost while no replica listened) a
   * coalesced catch-up for everyone else. Queueing failures are logged per user and never stop the round.
   * Returns how many jobs were queued.
   */
  async reconcile(options: { catchUpAll?: boolean } = {}): Promise<number> {
    const syncs = new CalendarSyncs(this.#deps.db);
    const now = this.#deps.clock.now();
    let queued = 0;
    let after: string | null = null;
    for (;;) {
      const users = await this.#deps.users.listActive(after, 200);
      for (const user of users) {
        try {
          const row = await syncs.get(user);
          let mode: SyncMode | undefined;
          if (!row || row.status === 'inactive') mode = 'start';
          else if (!row.lastFullSyncAt || now - row.lastFullSyncAt.getTime() >= this.#fullEveryMs)
            mode = 'full';
          if (mode) {
            await this.#deps.jobs.send(calendarSyncQueue, { user, mode }, { singletonKey: user });
            queued++;
          } else if (options.catchUpAll && (await this.#requestCatchUp(user))) queued++;
        } catch (err) {
          this.#deps.log.warn({ err, user }, 'calendar reconcile could not queue a user');
        }
      }
      if (users.length < 200) break;
      after = users[users.length - 1] ?? null;
    }
    return queued;
  }

  /**
   * Applies converted events and tombstones to the cache. Trimmed occurrences are completed from their
   * series master (from this round, else the cache); a changed master refreshes its cached trimmed
   * occurrences. Deleting a master deletes its occurrences.
   */
  async #apply(
    tx: Kysely<Database>,
    user: string,
    events: readonly CalendarEvent[],
    removed: readonly string[],
    generation: number,
    kind: Pick<CalendarRound, 'full' | 'first' | 'previousWindow'>,
  ): Promise<void> {
    const { full } = kind;
    const cache = new CalendarEvents(tx);
    const at = this.#now();
    const masters = new Map(events.filter((e) => e.type === 'seriesMaster').map((e) => [e.id, e]));
    const masterOf = async (id: string | null): Promise<CalendarEvent | undefined> => {
      if (!id) return undefined;
      const fromRound = masters.get(id);
      if (fromRound) return fromRound;
      const cached = await cache.get(user, id);
      return cached ? fromRow(cached) : undefined;
    };
    const out: CalendarEvent[] = [];
    const seen = new Set<string>();
    for (const e of events) {
      if (seen.has(e.id))
        out.splice(
          out.findIndex((x) => x.id === e.id),
          1,
        ); // last copy wins
      seen.add(e.id);
      const master = e.partial ? await masterOf(e.seriesMasterId) : undefined;
      out.push(master ? fillFromMaster(e, master) : e);
    }
    // A master that changed without its occurrences being resent: refresh the trimmed ones we hold. (Not in
    // a full round: it returned every occurrence, and the others are about to be swept.)
    for (const master of full ? [] : masters.values()) {
      for (const row of await cache.listSeries(user, master.id)) {
        if (row.partial && !seen.has(row.eventId)) out.push(fillFromMaster(fromRow(row), master));
      }
    }
    const removedIds = [...removed];
    for (const id of removed) for (const r of await cache.listSeries(user, id)) removedIds.push(r.eventId);
    // What the cache held before, to tell listeners what this round changed (a full round sweeps rows it
    // did not return, so it needs all of them).
    const listening = this.#listeners.length > 0;
    const beforeRows = !listening
      ? []
      : full
        ? await cache.all(user)
        : await cache.getMany(user, [...out.map((e) => e.id), ...removedIds]);
    const rows = out.map(toRow);
    await cache.upsert(user, rows, generation, at);
    if (removedIds.length > 0) await cache.remove(user, removedIds);
    if (full) await cache.sweep(user, generation);
    if (!listening) return;

    const before = new Map(beforeRows.map((r) => [r.eventId, r]));
    const gone = new Set(removedIds);
    const changes: CalendarChange[] = [];
    const kept = new Set<string>();
    out.forEach((e, i) => {
      if (gone.has(e.id)) return; // returned and removed in one round: removed
      kept.add(e.id);
      const prior = before.get(e.id);
      if (prior && prior.data === rows[i]?.data) return; // unchanged
      changes.push({ before: prior ? fromRow(prior) : null, after: e });
    });
    for (const [id, prior] of before) {
      if (!kept.has(id) && (full || gone.has(id))) changes.push({ before: fromRow(prior), after: null });
    }
    if (changes.length === 0) return;
    const round: CalendarRound = { user, ...kind, at };
    for (const listener of this.#listeners) await listener(tx, round, changes);
  }
}
