import type { Kysely } from 'kysely';

/**
 * v12 (compatible with v8+: new tables only, nothing older reads or writes them):
 * - calendar_welcome: each user's welcome flow after connecting the calendar: which run (`flow_id`, new per
 *   start, so buttons of an earlier run are stale), the current step and its post, and when it finished;
 * - calendar_settings_panel: the post id of each user's latest settings panel, so the next one replaces it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_welcome')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('flow_id', 'text', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('post_id', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('calendar_settings_panel')
    .addColumn('mm_user_id', 'text', (c) => c.primaryKey())
    .addColumn('post_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
