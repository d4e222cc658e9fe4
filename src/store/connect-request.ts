import type { Kysely } from 'kysely';
import type { Feature } from '../core/accounts/index.ts';
import type { MmUserId } from '../core/ids.ts';
import type { Database } from './schema.ts';

export interface ConnectRequestTable {
  id: string;
  mm_user_id: string;
  feature: Feature;
  dm_post_id: string | null;
  /** Vault-sealed PKCE verifier of the Microsoft sign-in in progress. */
  code_verifier: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export interface ConnectRequest {
  id: string;
  mmUserId: MmUserId;
  feature: Feature;
  dmPostId: string | null;
  sealedCodeVerifier: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** Connect links the bot sent: created with the DM, claimed once when the Microsoft sign-in comes back. */
export class ConnectRequests {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(r: { id: string; mmUserId: MmUserId; feature: Feature; createdAt: Date }): Promise<void> {
    await this.#db
      .insertInto('connect_request')
      .values({ id: r.id, mm_user_id: r.mmUserId, feature: r.feature, created_at: r.createdAt })
      .execute();
  }

  async setDmPost(id: string, postId: string): Promise<void> {
    await this.#db.updateTable('connect_request').set({ dm_post_id: postId }).where('id', '=', id).execute();
  }

  async setCodeVerifier(id: string, sealed: string): Promise<void> {
    await this.#db
      .updateTable('connect_request')
      .set({ code_verifier: sealed })
      .where('id', '=', id)
      .execute();
  }

  async get(id: string): Promise<ConnectRequest | undefined> {
    const row = await this.#db
      .selectFrom('connect_request')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        mmUserId: row.mm_user_id as MmUserId,
        feature: row.feature,
        dmPostId: row.dm_post_id,
        sealedCodeVerifier: row.code_verifier,
        createdAt: row.created_at,
        completedAt: row.completed_at,
      }
    );
  }

  /** Marks the request used. True for exactly one caller: a replayed callback gets false. */
  async claim(id: string, at: Date): Promise<boolean> {
    const row = await this.#db
      .updateTable('connect_request')
      .set({ completed_at: at })
      .where('id', '=', id)
      .where('completed_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }
}
