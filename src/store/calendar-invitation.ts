import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarInvitationTable {
  mm_user_id: string;
  notify: boolean;
  updated_at: Date;
}

/** Invitation DMs are on unless the user turned them off. */
export const defaultNotifyInvitations = true;

/** Each user's "DM me about invitations" setting (one row per user who ever chose). */
export class CalendarInvitations {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async notify(user: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('calendar_invitation')
      .select('notify')
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    return row?.notify ?? defaultNotifyInvitations;
  }

  async setNotify(user: string, notify: boolean, at: Date): Promise<void> {
    await this.#db
      .insertInto('calendar_invitation')
      .values({ mm_user_id: user, notify, updated_at: at })
      .onConflict((oc) => oc.column('mm_user_id').doUpdateSet({ notify, updated_at: at }))
      .execute();
  }

  /** On disconnect: the choice goes with the connection (a reconnect starts from the default). */
  async delete(user: string): Promise<void> {
    await this.#db.deleteFrom('calendar_invitation').where('mm_user_id', '=', user).execute();
  }
}
