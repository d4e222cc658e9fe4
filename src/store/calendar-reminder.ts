import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarReminderTable {
  mm_user_id: string;
  lead_minutes: number;
  updated_at: Date;
}

/** The reminder lead when a user never chose one. */
export const defaultLeadMinutes = 10;

export interface DueReminder {
  user: string;
  eventId: string;
  start: Date;
  leadMinutes: number;
}

/** Reminder settings, and the query that finds reminders falling due. */
export class CalendarReminders {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async lead(user: string): Promise<number> {
    const row = await this.#db
      .selectFrom('calendar_reminder')
      .select('lead_minutes')
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    return row?.lead_minutes ?? defaultLeadMinutes;
  }

  async setLead(user: string, minutes: number, at: Date): Promise<void> {
    await this.#db
      .insertInto('calendar_reminder')
      .values({ mm_user_id: user, lead_minutes: minutes, updated_at: at })
      .onConflict((oc) => oc.column('mm_user_id').doUpdateSet({ lead_minutes: minutes, updated_at: at }))
      .execute();
  }

  async delete(user: string): Promise<void> {
    await this.#db.deleteFrom('calendar_reminder').where('mm_user_id', '=', user).execute();
  }

  /**
   * Timed meetings (not all-day, cancelled, declined or series masters) of users whose calendar is synced,
   * whose reminder time (start − the user's lead) falls in [from, to). One query for everyone.
   */
  async due(from: Date, to: Date): Promise<DueReminder[]> {
    const rows = await sql<{ user: string; event_id: string; start_at: Date; lead: number }>`
      select e.mm_user_id as "user", e.event_id, e.start_at, coalesce(r.lead_minutes, ${defaultLeadMinutes}) as lead
      from calendar_event e
      join calendar_sync s on s.mm_user_id = e.mm_user_id and s.status = 'active'
      left join calendar_reminder r on r.mm_user_id = e.mm_user_id
      where not e.is_all_day and not e.is_cancelled and not e.declined and e.event_type <> 'seriesMaster'
        and coalesce(r.lead_minutes, ${defaultLeadMinutes}) > 0
        and e.start_at >= ${from}::timestamptz + make_interval(mins => coalesce(r.lead_minutes, ${defaultLeadMinutes}))
        and e.start_at < ${to}::timestamptz + make_interval(mins => coalesce(r.lead_minutes, ${defaultLeadMinutes}))
      order by e.start_at`.execute(this.#db);
    return rows.rows.map((r) => ({
      user: r.user,
      eventId: r.event_id,
      start: new Date(r.start_at),
      leadMinutes: Number(r.lead),
    }));
  }
}
