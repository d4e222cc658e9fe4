import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface MattermostChannelCursorTable {
  channel_id: string;
  since: string | number | bigint;
}

/** Newest post `update_at` the bot has seen per channel: a lost WebSocket catches up from here (rule 9). */
export class MattermostChannelCursors {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async all(): Promise<{ channelId: string; since: number }[]> {
    const rows = await this.#db.selectFrom('mattermost_channel_cursor').selectAll().execute();
    return rows.map((r) => ({ channelId: r.channel_id, since: Number(r.since) }));
  }

  async advance(channelId: string, since: number): Promise<void> {
    await this.#db
      .insertInto('mattermost_channel_cursor')
      .values({ channel_id: channelId, since })
      .onConflict((oc) =>
        oc
          .column('channel_id')
          .doUpdateSet({ since: sql`greatest(mattermost_channel_cursor.since, excluded.since)` }),
      )
      .execute();
  }
}
