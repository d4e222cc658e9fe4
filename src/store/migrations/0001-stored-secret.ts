import { type Kysely, sql } from 'kysely';

/**
 * v1 (compatible with v0+): stored_secret, one encrypted value per name (e.g. the webhook certificate's
 * private key, the Mattermost OAuth client secret). The ciphertext is bound to its name by the vault, and
 * key_id is kept in a column so rotation progress is one query away.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stored_secret')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
