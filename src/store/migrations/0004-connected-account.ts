import { type Kysely, sql } from 'kysely';

/**
 * v4 (compatible with v1+): connected_account, one row per Mattermost user with a Microsoft account.
 * The unique (tenant_id, entra_user_id) key is what makes "one Mattermost user per Microsoft account" hold
 * even when two people connect the same account at the same moment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connected_account')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('entra_user_id', 'text', (c) => c.notNull())
    .addColumn('mail', 'text')
    .addColumn('user_principal_name', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('features', sql`text[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'inactive')`))
    .addColumn('inactive_reason', 'text')
    .addColumn('inactive_notified_at', 'timestamptz')
    .addColumn('connected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('connected_account_microsoft_key', ['tenant_id', 'entra_user_id'])
    .execute();
}
