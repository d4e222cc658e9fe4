import { type Kysely, sql } from 'kysely';

/**
 * v8 (compatible with v7+): calendar_reminder, each user's reminder lead time in minutes (0 = off). Absent
 * row = the default (10). Plus an index for the once-a-minute "which reminders fall due" query.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_reminder')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('lead_minutes', 'integer', (c) => c.notNull().check(sql`lead_minutes in (0, 5, 10, 15)`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('calendar_event_start').on('calendar_event').column('start_at').execute();
}
