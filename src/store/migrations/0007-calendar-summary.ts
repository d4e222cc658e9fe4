import type { Kysely } from 'kysely';

/**
 * v7 (compatible with v6+): calendar_summary, each user's daily-summary choice: on or off, the local time
 * (HH:MM) and the weekdays (ISO numbers, 1 = Monday). Absent row = never configured (off).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_summary')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('local_time', 'text', (c) => c.notNull())
    .addColumn('weekdays', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
