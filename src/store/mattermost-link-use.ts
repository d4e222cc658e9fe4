import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface MattermostLinkUseTable {
  link_id: string;
  user_id: string;
  used_at: Date;
}

/** Single-use sign-in links: the primary key turns a second use into a no-op insert, on any replica. */
export class MattermostLinkUses {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async use(linkId: string, userId: string, now: Date): Promise<boolean> {
    const r = await this.#db
      .insertInto('mattermost_link_use')
      .values({ link_id: linkId, user_id: userId, used_at: now })
      .onConflict((oc) => oc.column('link_id').doNothing())
      .executeTakeFirst();
    return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }
}
