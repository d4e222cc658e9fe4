import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarSyncTable {
  mm_user_id: string;
  /** starting: first sync not done yet; active: kept current; inactive: the session died (no Graph calls). */
  status: 'starting' | 'active' | 'inactive';
  /** The delta cursor (Graph's deltaLink, opaque) of the last complete round. */
  cursor: string | null;
  window_start: Date | null;
  window_end: Date | null;
  /** Number of the last full round; event rows carry the round that wrote them. */
  generation: number;
  /** The mailbox time zone name as Graph gave it. */
  time_zone: string | null;
  subscription_id: string | null;
  last_full_sync_at: Date | null;
  last_sync_at: Date | null;
  /** Set while a catch-up job is queued for the user (coalesces notification bursts into one job). */
  catch_up_requested_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface CalendarSyncState {
  user: string;
  status: 'starting' | 'active' | 'inactive';
  cursor: string | null;
  windowStart: Date | null;
  windowEnd: Date | null;
  generation: number;
  timeZone: string | null;
  subscriptionId: string | null;
  lastFullSyncAt: Date | null;
  lastSyncAt: Date | null;
  catchUpRequestedAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

export type CalendarSyncChange = Partial<Omit<CalendarSyncState, 'user'>>;

const columns: Record<keyof CalendarSyncChange, keyof CalendarSyncTable> = {
  status: 'status',
  cursor: 'cursor',
  windowStart: 'window_start',
  windowEnd: 'window_end',
  generation: 'generation',
  timeZone: 'time_zone',
  subscriptionId: 'subscription_id',
  lastFullSyncAt: 'last_full_sync_at',
  lastSyncAt: 'last_sync_at',
  catchUpRequestedAt: 'catch_up_requested_at',
  lastError: 'last_error',
  lastErrorAt: 'last_error_at',
};

function toState(r: Selectable<CalendarSyncTable>): CalendarSyncState {
  const d = (v: Date | null) => (v ? new Date(v) : null);
  return {
    user: r.mm_user_id,
    status: r.status,
    cursor: r.cursor,
    windowStart: d(r.window_start),
    windowEnd: d(r.window_end),
    generation: r.generation,
    timeZone: r.time_zone,
    subscriptionId: r.subscription_id,
    lastFullSyncAt: d(r.last_full_sync_at),
    lastSyncAt: d(r.last_sync_at),
    catchUpRequestedAt: d(r.catch_up_requested_at),
    lastError: r.last_error,
    lastErrorAt: d(r.last_error_at),
  };
}

/** Per-user calendar sync state (one row per connected user). Pass a transaction as `db` to group writes. */
export class CalendarSyncs {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(user: string): Promise<CalendarSyncState | undefined> {
    const r = await this.#db
      .selectFrom('calendar_sync')
      .selectAll()
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    return r ? toState(r) : undefined;
  }

  /**
   * The row, locked until the surrounding transaction ends (call inside one): a round applies its results
   * only while the user still has a row, and stop() deletes under the same lock, so a round that finishes
   * after a disconnect writes nothing.
   */
  async lock(user: string): Promise<CalendarSyncState | undefined> {
    const r = await this.#db
      .selectFrom('calendar_sync')
      .selectAll()
      .where('mm_user_id', '=', user)
      .forUpdate()
      .executeTakeFirst();
    return r ? toState(r) : undefined;
  }

  /** Creates the row in `starting`, or moves an existing one back to `starting` (reconnect). */
  async begin(user: string, at: Date): Promise<CalendarSyncState> {
    await this.#db
      .insertInto('calendar_sync')
      .values({
        mm_user_id: user,
        status: 'starting',
        cursor: null,
        window_start: null,
        window_end: null,
        generation: 0,
        time_zone: null,
        subscription_id: null,
        last_full_sync_at: null,
        last_sync_at: null,
        catch_up_requested_at: null,
        last_error: null,
        last_error_at: null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.column('mm_user_id').doUpdateSet({ status: 'starting', last_error: null, updated_at: at }),
      )
      .execute();
    const row = await this.get(user);
    if (!row) throw new Error(`calendar_sync row for ${user} vanished`);
    return row;
  }

  async update(user: string, change: CalendarSyncChange, at: Date): Promise<void> {
    const set: Record<string, unknown> = { updated_at: at };
    for (const [key, value] of Object.entries(change)) {
      const column = columns[key as keyof CalendarSyncChange];
      if (column && value !== undefined) set[column] = value;
    }
    await this.#db
      .updateTable('calendar_sync')
      .set(set as Partial<CalendarSyncTable>)
      .where('mm_user_id', '=', user)
      .execute();
  }

  /**
   * Marks a catch-up as requested unless one already is (and is younger than `staleBefore`, so a lost job
   * does not block catch-ups forever). True when the caller should enqueue the job. Inactive and unknown
   * users are never flagged (a reconnect starts them over); a starting user is, so a change made during the
   * first round is caught up right after it.
   */
  async requestCatchUp(user: string, at: Date, staleBefore: Date): Promise<boolean> {
    const res = await this.#db
      .updateTable('calendar_sync')
      .set({ catch_up_requested_at: at, updated_at: at })
      .where('mm_user_id', '=', user)
      .where('status', '<>', 'inactive')
      .where((eb) =>
        eb.or([eb('catch_up_requested_at', 'is', null), eb('catch_up_requested_at', '<', staleBefore)]),
      )
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Users whose last full sync is older than `before` (or never happened), for the periodic reconcile. */
  async listStale(before: Date, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('calendar_sync')
      .select('mm_user_id')
      .where('status', '<>', 'inactive')
      .where((eb) => eb.or([eb('last_full_sync_at', 'is', null), eb('last_full_sync_at', '<', before)]))
      .orderBy('mm_user_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.mm_user_id);
  }

  async delete(user: string): Promise<void> {
    await this.#db.deleteFrom('calendar_sync').where('mm_user_id', '=', user).execute();
  }
}
