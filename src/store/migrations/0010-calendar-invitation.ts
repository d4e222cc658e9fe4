import type { Kysely } from 'kysely';

/**
 * v10 (compatible with v8+: a new table only): calendar_invitation, whether each user wants a DM when they
 * are invited to a meeting or one they are invited to changes. Absent row = the default (on).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_invitation')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('notify', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
