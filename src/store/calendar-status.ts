import { type Generated, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { Database } from './schema.ts';

export type StatusMode = 'off' | 'dnd' | 'away';

/**
 * What happened at the start of the block being handled:
 * - `applied`: we set the status (and/or the custom status) and restore it at the end;
 * - `already`: the user had the target status already (set by hand): left alone, not restored later;
 * - `offline`: the user was offline: left alone (re-checked each minute while the block lasts);
 * - `asked`: a confirmation question is out; `declined`: the user said no;
 * - `failed`: Mattermost refused or was unreachable: retried by the minute check while the block lasts.
 */
export type StatusOutcome = 'applied' | 'already' | 'offline' | 'asked' | 'declined' | 'failed';

export interface CalendarStatusTable {
  mm_user_id: string;
  mode: Generated<StatusMode>;
  custom: Generated<boolean>;
  confirm: Generated<boolean>;
  block_start: Date | null;
  block_end: Date | null;
  outcome: StatusOutcome | null;
  /** The presence we set ('dnd' | 'away'), null when we set none. */
  applied_status: string | null;
  /** The user's manual presence before ours, restored after; null = automatic (restored as online). */
  prior_status: string | null;
  /** We set the "In a meeting" custom status for this block. */
  custom_applied: Generated<boolean>;
  /** The block start a confirmation question was asked for (in a reminder or at the start). */
  asked_start: Date | null;
  /** The answer to that question: 'yes' | 'no', null while unanswered. */
  answer: string | null;
  /** When the next transition job for this user is queued (dedup of the planner). */
  next_at: Date | null;
  last_error: string | null;
  updated_at: Date;
}

export interface StatusSettings {
  mode: StatusMode;
  custom: boolean;
  confirm: boolean;
}

/** The block being handled for a user and what was done about it. */
export interface StatusBlockState {
  blockStart: Date | null;
  blockEnd: Date | null;
  outcome: StatusOutcome | null;
  appliedStatus: string | null;
  priorStatus: string | null;
  customApplied: boolean;
  askedStart: Date | null;
  answer: string | null;
  nextAt: Date | null;
  lastError: string | null;
}

export type StatusRow = StatusSettings & StatusBlockState & { user: string };

export const defaultStatusSettings: StatusSettings = { mode: 'off', custom: false, confirm: false };

const emptyState: StatusBlockState = {
  blockStart: null,
  blockEnd: null,
  outcome: null,
  appliedStatus: null,
  priorStatus: null,
  customApplied: false,
  askedStart: null,
  answer: null,
  nextAt: null,
  lastError: null,
};

const date = (d: Date | null): Date | null => (d === null ? null : new Date(d));

function fromTable(r: Selectable<CalendarStatusTable>): StatusRow {
  return {
    user: r.mm_user_id,
    mode: r.mode,
    custom: r.custom,
    confirm: r.confirm,
    blockStart: date(r.block_start),
    blockEnd: date(r.block_end),
    outcome: r.outcome,
    appliedStatus: r.applied_status,
    priorStatus: r.prior_status,
    customApplied: r.custom_applied,
    askedStart: date(r.asked_start),
    answer: r.answer,
    nextAt: date(r.next_at),
    lastError: r.last_error,
  };
}

/** Busy events are what status sync acts on: the one SQL definition the minute check and the planner share. */
export const busyEventSql = sql`not e.is_all_day and not e.is_cancelled and not e.declined
  and e.event_type <> 'seriesMaster' and (e.data::jsonb ->> 'showAs') in ('busy', 'oof')`;

/**
 * Status-sync settings and per-user block state. No rules here: which status to set and when is the
 * calendar domain's decision (src/calendar/status/). Pass a transaction as `db` to group writes.
 */
export class CalendarStatuses {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(user: string): Promise<StatusRow> {
    const row = await this.#db
      .selectFrom('calendar_status')
      .selectAll()
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    return row ? fromTable(row) : { user, ...defaultStatusSettings, ...emptyState };
  }

  /** Locks the user's row for the rest of the transaction (creating it when absent); returns it. */
  async lock(user: string, at: Date): Promise<StatusRow> {
    await this.#db
      .insertInto('calendar_status')
      .values({ mm_user_id: user, updated_at: at })
      .onConflict((oc) => oc.column('mm_user_id').doNothing())
      .execute();
    const row = await this.#db
      .selectFrom('calendar_status')
      .selectAll()
      .where('mm_user_id', '=', user)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return fromTable(row);
  }

  async setSettings(user: string, change: Partial<StatusSettings>, at: Date): Promise<void> {
    await this.#db
      .insertInto('calendar_status')
      .values({ mm_user_id: user, ...defaultStatusSettings, ...change, updated_at: at })
      .onConflict((oc) => oc.column('mm_user_id').doUpdateSet({ ...change, updated_at: at }))
      .execute();
  }

  /** Writes block-state fields (the row must exist: call lock() first in the same transaction). */
  async update(user: string, change: Partial<StatusBlockState>, at: Date): Promise<void> {
    const set: Updateable<CalendarStatusTable> = { updated_at: at };
    if ('blockStart' in change) set.block_start = change.blockStart ?? null;
    if ('blockEnd' in change) set.block_end = change.blockEnd ?? null;
    if ('outcome' in change) set.outcome = change.outcome ?? null;
    if ('appliedStatus' in change) set.applied_status = change.appliedStatus ?? null;
    if ('priorStatus' in change) set.prior_status = change.priorStatus ?? null;
    if ('customApplied' in change) set.custom_applied = change.customApplied ?? false;
    if ('askedStart' in change) set.asked_start = change.askedStart ?? null;
    if ('answer' in change) set.answer = change.answer ?? null;
    if ('nextAt' in change) set.next_at = change.nextAt ?? null;
    if ('lastError' in change) set.last_error = change.lastError ?? null;
    await this.#db.updateTable('calendar_status').set(set).where('mm_user_id', '=', user).execute();
  }

  /** The block-state fields reset (between blocks). */
  static readonly cleared: StatusBlockState = { ...emptyState };

  async delete(user: string): Promise<void> {
    await this.#db.deleteFrom('calendar_status').where('mm_user_id', '=', user).execute();
  }

  /**
   * The minute check, one query for every user: users with status sync on (a mode or the custom status)
   * and an active calendar who need a look now, because
   * - a block they are in (a busy event covering `now`) is not the one handled, or is handled without
   *   effect yet (offline, failed: re-checked while it lasts);
   * - the handled block ended, or the cache no longer shows a busy event in it;
   * - their queued transition (`next_at`) is overdue by more than `graceMs` (the job was lost).
   * Also users with leftover state whose settings went off (restore). Returns user ids.
   */
  async due(now: Date, graceMs: number): Promise<string[]> {
    const overdue = new Date(now.getTime() - graceMs);
    const rows = await sql<{ user: string }>`
      select s.mm_user_id as "user"
      from calendar_status s
      join calendar_sync y on y.mm_user_id = s.mm_user_id and y.status = 'active'
      where ((s.mode <> 'off' or s.custom) and (
          (s.next_at is not null and s.next_at <= ${overdue})
          or (s.block_end is not null and s.block_end <= ${now})
          or (s.outcome in ('offline', 'failed') and s.block_end > ${now})
          or (s.block_start is null and exists (
            select 1 from calendar_event e
            where e.mm_user_id = s.mm_user_id and ${busyEventSql}
              and e.start_at <= ${now} and e.end_at > ${now}))
          or (s.block_start is not null and s.block_end > ${now} and not exists (
            select 1 from calendar_event e
            where e.mm_user_id = s.mm_user_id and ${busyEventSql}
              and e.start_at < s.block_end and e.end_at > s.block_start))
        ))
        or (s.mode = 'off' and not s.custom and s.block_start is not null)
      order by s.mm_user_id`.execute(this.#db);
    return rows.rows.map((r) => r.user);
  }
}
