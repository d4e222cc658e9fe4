import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarSummaryTable {
  mm_user_id: string;
  enabled: boolean;
  /** HH:MM, 24-hour, in the user's mailbox time zone. */
  local_time: string;
  /** ISO weekdays joined by commas, e.g. "1,2,3,4,5". */
  weekdays: string;
  updated_at: Date;
}

export interface SummarySetting {
  enabled: boolean;
  localTime: string;
  weekdays: number[];
}

/** Daily-summary settings per user. */
export class CalendarSummaries {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(user: string): Promise<SummarySetting | undefined> {
    const row = await this.#db
      .selectFrom('calendar_summary')
      .selectAll()
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    return (
      row && {
        enabled: row.enabled,
        localTime: row.local_time,
        weekdays: row.weekdays.split(',').map(Number),
      }
    );
  }

  async put(user: string, s: SummarySetting, at: Date): Promise<void> {
    const values = {
      enabled: s.enabled,
      local_time: s.localTime,
      weekdays: s.weekdays.join(','),
      updated_at: at,
    };
    await this.#db
      .insertInto('calendar_summary')
      .values({ mm_user_id: user, ...values })
      .onConflict((oc) => oc.column('mm_user_id').doUpdateSet(values))
      .execute();
  }

  async delete(user: string): Promise<void> {
    await this.#db.deleteFrom('calendar_summary').where('mm_user_id', '=', user).execute();
  }
}
