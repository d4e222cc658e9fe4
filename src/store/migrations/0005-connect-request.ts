import { type Kysely, sql } from 'kysely';

/**
 * v5 (compatible with v4+): connect_request, one row per "connect your Microsoft account" link the bot sent.
 * It makes the link single-use (completed_at is claimed once), remembers the DM to update with the result,
 * and keeps the PKCE verifier of the Microsoft sign-in server-side (vault-sealed) until the browser returns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connect_request')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('mm_user_id', 'text', (c) => c.notNull())
    .addColumn('feature', 'text', (c) => c.notNull().check(sql`feature in ('calendar', 'teams')`))
    .addColumn('dm_post_id', 'text')
    .addColumn('code_verifier', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('connect_request_user').on('connect_request').column('mm_user_id').execute();
}
