import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface MattermostWebSessionTable {
  id_hash: string;
  user_id: string;
  expires_at: Date;
  created_at: Date;
}

/** Browser sessions bound to a Mattermost user. Only a hash of the cookie is kept: a database leak signs nobody in. */
export class MattermostWebSessions {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(idHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.#db
      .insertInto('mattermost_web_session')
      .values({ id_hash: idHash, user_id: userId, expires_at: expiresAt, created_at: new Date() })
      .execute();
  }

  async find(idHash: string, now: Date): Promise<{ userId: string } | undefined> {
    const row = await this.#db
      .selectFrom('mattermost_web_session')
      .select('user_id')
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ? { userId: row.user_id } : undefined;
  }

  async delete(idHash: string): Promise<void> {
    await this.#db.deleteFrom('mattermost_web_session').where('id_hash', '=', idHash).execute();
  }
}
