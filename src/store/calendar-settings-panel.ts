import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarSettingsPanelTable {
  mm_user_id: string;
  /** The user's latest settings-panel post (a bot DM). */
  post_id: string;
  updated_at: Date;
}

/** Which post is each user's current settings panel, so a new panel replaces (deletes) the previous one. */
export class CalendarSettingsPanels {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(user: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('calendar_settings_panel')
      .select('post_id')
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    return row?.post_id;
  }

  /**
   * Records `postId` as the user's panel and returns the one it replaces (undefined when none or the same).
   * Row-locked in one transaction, so of two panels opened at once the later one gets the earlier one's id
   * to delete: the same post is never handed out twice.
   */
  async replace(user: string, postId: string, at: Date): Promise<string | undefined> {
    return this.#db.transaction().execute(async (tx) => {
      const old = await tx
        .selectFrom('calendar_settings_panel')
        .select('post_id')
        .where('mm_user_id', '=', user)
        .forUpdate()
        .executeTakeFirst();
      await tx
        .insertInto('calendar_settings_panel')
        .values({ mm_user_id: user, post_id: postId, updated_at: at })
        .onConflict((oc) => oc.column('mm_user_id').doUpdateSet({ post_id: postId, updated_at: at }))
        .execute();
      return old && old.post_id !== postId ? old.post_id : undefined;
    });
  }

  /** Forgets the user's panel; returns its post id so the caller can delete it. */
  async delete(user: string): Promise<string | undefined> {
    const row = await this.#db
      .deleteFrom('calendar_settings_panel')
      .where('mm_user_id', '=', user)
      .returning('post_id')
      .executeTakeFirst();
    return row?.post_id;
  }
}
