import { type Kysely, sql } from 'kysely';

/**
 * v9 (compatible with v8+): calendar_status, each user's status-sync settings (mode dnd/away/off, the "In a
 * meeting" custom status, ask first) and the state of the busy block being handled: what we set, what was
 * there before, which question was asked and answered, and when the next transition job is queued. Absent
 * row = every setting off. Plus an index for the once-a-minute "who is due" query.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_status')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('off').check(sql`mode in ('off', 'dnd', 'away')`))
    .addColumn('custom', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('confirm', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('block_start', 'timestamptz')
    .addColumn('block_end', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('applied_status', 'text')
    .addColumn('prior_status', 'text')
    .addColumn('custom_applied', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('asked_start', 'timestamptz')
    .addColumn('answer', 'text')
    .addColumn('next_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('calendar_status_enabled')
    .on('calendar_status')
    .column('mm_user_id')
    .where(sql.ref('mode'), '<>', 'off')
    .execute();
}
