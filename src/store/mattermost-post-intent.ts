import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface MattermostPostIntentTable {
  key: string;
  channel_id: string;
  post_id: string | null;
  started_at: Date;
}

/**
 * Idempotency records for creating Mattermost posts: a row per key before the create, the post id after.
 * A caller that finds a row without a post id knows an earlier attempt may have posted, and looks before
 * posting again.
 */
export class MattermostPostIntents {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async begin(
    key: string,
    channelId: string,
    now: Date,
  ): Promise<{ fresh: boolean; postId: string | null; startedAt: Date }> {
    const inserted = await this.#db
      .insertInto('mattermost_post_intent')
      .values({ key, channel_id: channelId, post_id: null, started_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning(['started_at'])
      .executeTakeFirst();
    if (inserted) return { fresh: true, postId: null, startedAt: new Date(inserted.started_at) };
    const row = await this.#db
      .selectFrom('mattermost_post_intent')
      .select(['post_id', 'started_at'])
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    return { fresh: false, postId: row.post_id, startedAt: new Date(row.started_at) };
  }

  async complete(key: string, postId: string): Promise<void> {
    await this.#db
      .updateTable('mattermost_post_intent')
      .set({ post_id: postId })
      .where('key', '=', key)
      .execute();
  }
}
