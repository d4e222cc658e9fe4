import { type Kysely, sql } from 'kysely';

/**
 * v11 (compatible with v8+): calendar_channel_link, events linked to Mattermost channels. One row per
 * (channel, meeting key): the key is the iCalUId shared by every attendee's copy (the series master's for a
 * whole series), so a link made by one attendee is found in any other attendee's cache. Old replicas never
 * read this table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_channel_link')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('ical_uid', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('single', 'series')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('linked_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('calendar_channel_link_pk', ['channel_id', 'ical_uid'])
    .execute();
  await db.schema
    .createIndex('calendar_channel_link_ical')
    .on('calendar_channel_link')
    .column('ical_uid')
    .execute();
  await db.schema.createIndex('calendar_event_ical').on('calendar_event').column('ical_uid').execute();
}
