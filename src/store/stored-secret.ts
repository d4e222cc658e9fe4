import type { Generated, Kysely } from 'kysely';
import type { Vault } from '../core/vault/index.ts';
import type { Database } from './schema.ts';

export interface StoredSecretTable {
  name: string;
  ciphertext: string;
  key_id: string;
  updated_at: Generated<Date>;
}

const context = (name: string) => `stored_secret:${name}`;

/**
 * Named secrets, encrypted with the vault. Contract: the plaintext never touches the database; reading a
 * value sealed with a retired key re-seals it with the active key (lazy rotation), guarded by the old
 * ciphertext so a concurrent writer's newer value is never overwritten.
 */
export class StoredSecrets {
  readonly #db: Kysely<Database>;
  readonly #vault: Vault;

  constructor(db: Kysely<Database>, vault: Vault) {
    this.#db = db;
    this.#vault = vault;
  }

  async put(name: string, value: string): Promise<void> {
    const ciphertext = this.#vault.seal(value, context(name));
    await this.#db
      .insertInto('stored_secret')
      .values({ name, ciphertext, key_id: this.#vault.activeKeyId })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ ciphertext, key_id: this.#vault.activeKeyId, updated_at: new Date() }),
      )
      .execute();
  }

  async get(name: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('stored_secret')
      .select(['ciphertext'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) return undefined;
    const { text, stale } = this.#vault.openText(row.ciphertext, context(name));
    if (stale) {
      await this.#db
        .updateTable('stored_secret')
        .set({
          ciphertext: this.#vault.seal(text, context(name)),
          key_id: this.#vault.activeKeyId,
          updated_at: new Date(),
        })
        .where('name', '=', name)
        .where('ciphertext', '=', row.ciphertext)
        .execute();
    }
    return text;
  }

  /**
   * The value stored under `name`, creating it with `make()` if there is none. Safe when several replicas
   * start at once: the first insert wins and every caller gets that one value.
   */
  async getOrCreate(name: string, make: () => string): Promise<string> {
    const existing = await this.get(name);
    if (existing !== undefined) return existing;
    await this.#db
      .insertInto('stored_secret')
      .values({ name, ciphertext: this.#vault.seal(make(), context(name)), key_id: this.#vault.activeKeyId })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    return (await this.get(name)) as string;
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('stored_secret').where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** How many values each key id still protects: rotation is done when only the active key is listed. */
  async countByKey(): Promise<Record<string, number>> {
    const rows = await this.#db
      .selectFrom('stored_secret')
      .select(['key_id'])
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .groupBy('key_id')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.key_id, Number(r.n)]));
  }
}
