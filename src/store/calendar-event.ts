import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarEventTable {
  mm_user_id: string;
  /** The event's id in the user's mailbox (an invitation has its own id per attendee). */
  event_id: string;
  ical_uid: string | null;
  series_master_id: string | null;
  event_type: string;
  start_at: Date;
  end_at: Date;
  is_all_day: boolean;
  is_cancelled: boolean;
  /** The user declined it: kept (Outlook may keep it too) so views can leave it out deliberately. */
  declined: boolean;
  /** Only timing fields were known (delta occurrences); details come from the series master. */
  partial: boolean;
  /** The calendar domain's event, JSON. */
  data: string;
  /** The full-sync round that last wrote the row (rows of older rounds are swept). */
  generation: number;
  updated_at: Date;
}

/** What the calendar writes for one event. */
export interface CalendarEventRow {
  eventId: string;
  icalUid: string | null;
  seriesMasterId: string | null;
  type: string;
  start: Date;
  end: Date;
  isAllDay: boolean;
  isCancelled: boolean;
  declined: boolean;
  partial: boolean;
  data: string;
}

function toRow(r: Selectable<CalendarEventTable>): CalendarEventRow {
  return {
    eventId: r.event_id,
    icalUid: r.ical_uid,
    seriesMasterId: r.series_master_id,
    type: r.event_type,
    start: new Date(r.start_at),
    end: new Date(r.end_at),
    isAllDay: r.is_all_day,
    isCancelled: r.is_cancelled,
    declined: r.declined,
    partial: r.partial,
    data: r.data,
  };
}

/**
 * Cached calendar events per user. Pass a transaction as `db` to group writes (a delta round is applied
 * atomically with its cursor). No business rules: which rows to write is the calendar domain's decision.
 */
export class CalendarEvents {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Inserts or replaces each event by (user, event id), stamping `generation`. */
  async upsert(user: string, rows: readonly CalendarEventRow[], generation: number, at: Date): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      const values = rows.slice(i, i + 200).map((r) => ({
        mm_user_id: user,
        event_id: r.eventId,
        ical_uid: r.icalUid,
        series_master_id: r.seriesMasterId,
        event_type: r.type,
        start_at: r.start,
        end_at: r.end,
        is_all_day: r.isAllDay,
        is_cancelled: r.isCancelled,
        declined: r.declined,
        partial: r.partial,
        data: r.data,
        generation,
        updated_at: at,
      }));
      await this.#db
        .insertInto('calendar_event')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['mm_user_id', 'event_id']).doUpdateSet((eb) => ({
            ical_uid: eb.ref('excluded.ical_uid'),
            series_master_id: eb.ref('excluded.series_master_id'),
            event_type: eb.ref('excluded.event_type'),
            start_at: eb.ref('excluded.start_at'),
            end_at: eb.ref('excluded.end_at'),
            is_all_day: eb.ref('excluded.is_all_day'),
            is_cancelled: eb.ref('excluded.is_cancelled'),
            declined: eb.ref('excluded.declined'),
            partial: eb.ref('excluded.partial'),
            data: eb.ref('excluded.data'),
            generation: eb.ref('excluded.generation'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  /** Deletes the given events of the user (tombstones); unknown ids are ignored. Returns how many went. */
  async remove(user: string, eventIds: readonly string[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < eventIds.length; i += 500) {
      const res = await this.#db
        .deleteFrom('calendar_event')
        .where('mm_user_id', '=', user)
        .where('event_id', 'in', eventIds.slice(i, i + 500))
        .executeTakeFirst();
      n += Number(res.numDeletedRows);
    }
    return n;
  }

  /** After a full round: deletes the user's rows the round did not write (older generations). */
  async sweep(user: string, generation: number): Promise<number> {
    const res = await this.#db
      .deleteFrom('calendar_event')
      .where('mm_user_id', '=', user)
      .where('generation', '<', generation)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Deletes the user's whole cache (disconnect). */
  async removeAll(user: string): Promise<number> {
    const res = await this.#db.deleteFrom('calendar_event').where('mm_user_id', '=', user).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async get(user: string, eventId: string): Promise<CalendarEventRow | undefined> {
    const r = await this.#db
      .selectFrom('calendar_event')
      .selectAll()
      .where('mm_user_id', '=', user)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return r ? toRow(r) : undefined;
  }

  /** The user's rows with these ids (any order; missing ids are simply absent). */
  async getMany(user: string, eventIds: readonly string[]): Promise<CalendarEventRow[]> {
    const out: CalendarEventRow[] = [];
    for (let i = 0; i < eventIds.length; i += 500) {
      const rows = await this.#db
        .selectFrom('calendar_event')
        .selectAll()
        .where('mm_user_id', '=', user)
        .where('event_id', 'in', eventIds.slice(i, i + 500))
        .execute();
      out.push(...rows.map(toRow));
    }
    return out;
  }

  /** Every row of the user (a full round reads them to tell what it changed). */
  async all(user: string): Promise<CalendarEventRow[]> {
    const rows = await this.#db
      .selectFrom('calendar_event')
      .selectAll()
      .where('mm_user_id', '=', user)
      .execute();
    return rows.map(toRow);
  }

  /** Rows of one series (its occurrences and exceptions), to refresh them when the master changes. */
  async listSeries(user: string, seriesMasterId: string): Promise<CalendarEventRow[]> {
    const rows = await this.#db
      .selectFrom('calendar_event')
      .selectAll()
      .where('mm_user_id', '=', user)
      .where('series_master_id', '=', seriesMasterId)
      .execute();
    return rows.map(toRow);
  }

  /**
   * Events overlapping [from, to) (start < to and end > from), by start. Series masters are left out (their
   * occurrences are the events). All-day rows are stored at UTC midnights of their floating dates, so they
   * are matched with `allDayMarginMs` on each side (14 h covers every UTC offset); the caller compares their
   * dates in the user's zone. Declined events are left out unless asked for.
   */
  async listWindow(
    user: string,
    from: Date,
    to: Date,
    options: { includeDeclined?: boolean; allDayMarginMs?: number } = {},
  ): Promise<CalendarEventRow[]> {
    const margin = options.allDayMarginMs ?? 14 * 3_600_000;
    let q = this.#db
      .selectFrom('calendar_event')
      .selectAll()
      .where('mm_user_id', '=', user)
      .where('event_type', '<>', 'seriesMaster')
      .where((eb) =>
        eb.or([
          eb.and([eb('is_all_day', '=', false), eb('start_at', '<', to), eb('end_at', '>', from)]),
          eb.and([
            eb('is_all_day', '=', true),
            eb('start_at', '<', new Date(to.getTime() + margin)),
            eb('end_at', '>', new Date(from.getTime() - margin)),
          ]),
        ]),
      );
    if (!options.includeDeclined) q = q.where('declined', '=', false);
    const rows = await q.orderBy('start_at').orderBy('event_id').execute();
    return rows.map(toRow);
  }

  async count(user: string): Promise<number> {
    const r = await this.#db
      .selectFrom('calendar_event')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('mm_user_id', '=', user)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
