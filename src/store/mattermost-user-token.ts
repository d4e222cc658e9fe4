import type { Kysely } from 'kysely';
import type { Vault } from '../core/vault/index.ts';
import type { Database } from './schema.ts';

export interface MattermostUserTokenTable {
  user_id: string;
  access_ciphertext: string;
  refresh_ciphertext: string;
  expires_at: Date;
  version: number;
  lease_until: Date | null;
  updated_at: Date;
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

const ctx = (userId: string, kind: string) => `mattermost_user_token:${userId}:${kind}`;

/**
 * A user's Mattermost OAuth tokens, sealed with the vault. Mattermost rotates both tokens on every refresh
 * and kills the old session, so two replicas refreshing at once would lose the user: a refresh is claimed
 * with a lease on the current version, and written back only if the version has not moved.
 */
export class MattermostUserTokens {
  readonly #db: Kysely<Database>;
  readonly #vault: Vault;

  constructor(db: Kysely<Database>, vault: Vault) {
    this.#db = db;
    this.#vault = vault;
  }

  async get(userId: string): Promise<(Tokens & { version: number }) | undefined> {
    const row = await this.#db
      .selectFrom('mattermost_user_token')
      .select(['access_ciphertext', 'refresh_ciphertext', 'expires_at', 'version'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      accessToken: this.#vault.openText(row.access_ciphertext, ctx(userId, 'access')).text,
      refreshToken: this.#vault.openText(row.refresh_ciphertext, ctx(userId, 'refresh')).text,
      expiresAt: new Date(row.expires_at).getTime(),
      version: row.version,
    };
  }

  #sealed(userId: string, tokens: Tokens) {
    return {
      access_ciphertext: this.#vault.seal(tokens.accessToken, ctx(userId, 'access')),
      refresh_ciphertext: this.#vault.seal(tokens.refreshToken, ctx(userId, 'refresh')),
      expires_at: new Date(tokens.expiresAt),
      lease_until: null,
      updated_at: new Date(),
    };
  }

  async put(userId: string, tokens: Tokens): Promise<void> {
    const sealed = this.#sealed(userId, tokens);
    await this.#db
      .insertInto('mattermost_user_token')
      .values({ user_id: userId, version: 1, ...sealed })
      .onConflict((oc) =>
        oc
          .column('user_id')
          .doUpdateSet((eb) => ({ ...sealed, version: eb('mattermost_user_token.version', '+', 1) })),
      )
      .execute();
  }

  async claimRefresh(userId: string, version: number, leaseUntil: Date, now: Date): Promise<boolean> {
    const r = await this.#db
      .updateTable('mattermost_user_token')
      .set({ lease_until: leaseUntil })
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async completeRefresh(userId: string, version: number, tokens: Tokens): Promise<boolean> {
    const r = await this.#db
      .updateTable('mattermost_user_token')
      .set({ ...this.#sealed(userId, tokens), version: version + 1 })
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async releaseRefresh(userId: string, version: number): Promise<void> {
    await this.#db
      .updateTable('mattermost_user_token')
      .set({ lease_until: null })
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .execute();
  }

  async delete(userId: string): Promise<void> {
    await this.#db.deleteFrom('mattermost_user_token').where('user_id', '=', userId).execute();
  }
}
