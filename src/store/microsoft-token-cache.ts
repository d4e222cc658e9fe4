import type { Generated, Kysely } from 'kysely';
import type { Vault } from '../core/vault/index.ts';
import type { Database } from './schema.ts';

export interface MicrosoftTokenCacheTable {
  partition: string;
  ciphertext: string;
  key_id: string;
  updated_at: Generated<Date>;
}

const context = (partition: string) => `microsoft_token_cache:${partition}`;

/**
 * msal's serialized token cache, one row per partition (a connected user), sealed with the vault and bound
 * to the partition. Satisfies the Microsoft edge's TokenCacheStore. A value sealed with a retired key is
 * re-sealed on read, guarded by the old ciphertext so a concurrent refresh is never overwritten.
 */
export class MicrosoftTokenCaches {
  readonly #db: Kysely<Database>;
  readonly #vault: Vault;

  constructor(db: Kysely<Database>, vault: Vault) {
    this.#db = db;
    this.#vault = vault;
  }

  async load(partition: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('microsoft_token_cache')
      .select('ciphertext')
      .where('partition', '=', partition)
      .executeTakeFirst();
    if (!row) return undefined;
    const { text, stale } = this.#vault.openText(row.ciphertext, context(partition));
    if (stale) {
      await this.#db
        .updateTable('microsoft_token_cache')
        .set({ ciphertext: this.#vault.seal(text, context(partition)), key_id: this.#vault.activeKeyId })
        .where('partition', '=', partition)
        .where('ciphertext', '=', row.ciphertext)
        .execute();
    }
    return text;
  }

  async save(partition: string, serialized: string): Promise<void> {
    const ciphertext = this.#vault.seal(serialized, context(partition));
    const key_id = this.#vault.activeKeyId;
    await this.#db
      .insertInto('microsoft_token_cache')
      .values({ partition, ciphertext, key_id })
      .onConflict((oc) => oc.column('partition').doUpdateSet({ ciphertext, key_id, updated_at: new Date() }))
      .execute();
  }

  async delete(partition: string): Promise<void> {
    await this.#db.deleteFrom('microsoft_token_cache').where('partition', '=', partition).execute();
  }
}
