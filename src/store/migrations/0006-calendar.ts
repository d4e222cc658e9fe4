import { type Kysely, sql } from 'kysely';

/**
 * v6 (compatible with v5+): the calendar cache. calendar_event holds each connected user's events as the
 * last calendarView/delta round left them (one row per user and event id, the converted event as JSON plus
 * the columns views filter on); calendar_sync holds one row per user: the delta cursor and its window, the
 * event subscription, the pending catch-up flag and the last error. Old replicas never read these tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_sync')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('starting', 'active', 'inactive')`))
    .addColumn('cursor', 'text')
    .addColumn('window_start', 'timestamptz')
    .addColumn('window_end', 'timestamptz')
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('time_zone', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('last_full_sync_at', 'timestamptz')
    .addColumn('last_sync_at', 'timestamptz')
    .addColumn('catch_up_requested_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('calendar_event')
    .addColumn('mm_user_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('ical_uid', 'text')
    .addColumn('series_master_id', 'text')
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('start_at', 'timestamptz', (c) => c.notNull())
    .addColumn('end_at', 'timestamptz', (c) => c.notNull())
    .addColumn('is_all_day', 'boolean', (c) => c.notNull())
    .addColumn('is_cancelled', 'boolean', (c) => c.notNull())
    .addColumn('declined', 'boolean', (c) => c.notNull())
    .addColumn('partial', 'boolean', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('calendar_event_pk', ['mm_user_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('calendar_event_user_start')
    .on('calendar_event')
    .columns(['mm_user_id', 'start_at'])
    .execute();
  await db.schema
    .createIndex('calendar_event_user_series')
    .on('calendar_event')
    .columns(['mm_user_id', 'series_master_id'])
    .execute();
}
