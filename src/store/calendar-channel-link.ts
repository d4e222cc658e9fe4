import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarChannelLinkTable {
  channel_id: string;
  /** The meeting's iCalUId (the series master's when scope = 'series'): the same in every attendee's mailbox. */
  ical_uid: string;
  scope: 'single' | 'series';
  /** The subject when linked, for lists when no connected attendee's cache has the event any more. */
  subject: string;
  /** The Mattermost user who linked it. */
  linked_by: string;
  created_at: Date;
}

export interface ChannelLink {
  channelId: string;
  icalUid: string;
  scope: 'single' | 'series';
  subject: string;
  linkedBy: string;
  createdAt: Date;
}

/** A linked meeting occurrence found in some synced user's cache. */
export interface LinkedOccurrence {
  channelId: string;
  icalUid: string;
  /** One synced user whose cache holds the occurrence, and its id there. */
  user: string;
  eventId: string;
  start: Date;
}

/**
 * Which cached rows belong to a link: the row's own iCalUId (a single event) or its series master's (any
 * occurrence or exception of a linked series). `e` is calendar_event, `m` its master in the same cache.
 */
const linkMatch = sql`(e.ical_uid = l.ical_uid or m.ical_uid = l.ical_uid)`;

/** Links between calendar events and channels. No rules here: who may link is the calendar's decision. */
export class CalendarChannelLinks {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Adds the link; false when the channel already had it (idempotent). */
  async add(link: ChannelLink): Promise<boolean> {
    const result = await this.#db
      .insertInto('calendar_channel_link')
      .values({
        channel_id: link.channelId,
        ical_uid: link.icalUid,
        scope: link.scope,
        subject: link.subject,
        linked_by: link.linkedBy,
        created_at: link.createdAt,
      })
      .onConflict((oc) => oc.columns(['channel_id', 'ical_uid']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async remove(channelId: string, icalUid: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('calendar_channel_link')
      .where('channel_id', '=', channelId)
      .where('ical_uid', '=', icalUid)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async get(channelId: string, icalUid: string): Promise<ChannelLink | undefined> {
    const row = await this.#db
      .selectFrom('calendar_channel_link')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('ical_uid', '=', icalUid)
      .executeTakeFirst();
    return row ? toLink(row) : undefined;
  }

  /** The channel's links, oldest first. */
  async listChannel(channelId: string): Promise<ChannelLink[]> {
    const rows = await this.#db
      .selectFrom('calendar_channel_link')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('created_at')
      .orderBy('ical_uid')
      .execute();
    return rows.map(toLink);
  }

  /** Every channel linked to any of these meeting keys. */
  async listByKeys(icalUids: readonly string[]): Promise<ChannelLink[]> {
    if (icalUids.length === 0) return [];
    const rows = await this.#db
      .selectFrom('calendar_channel_link')
      .selectAll()
      .where('ical_uid', 'in', [...icalUids])
      .orderBy('channel_id')
      .execute();
    return rows.map(toLink);
  }

  /**
   * Linked, timed, not cancelled occurrences starting in [from, to), found in the cache of any user whose
   * sync is active: one row per (channel, meeting key, start) however many attendees hold a copy.
   */
  async occurrencesStarting(from: Date, to: Date): Promise<LinkedOccurrence[]> {
    const rows = await sql<{
      channel_id: string;
      ical_uid: string;
      mm_user_id: string;
      event_id: string;
      start_at: Date;
    }>`
      select distinct on (l.channel_id, l.ical_uid, e.start_at)
        l.channel_id, l.ical_uid, e.mm_user_id, e.event_id, e.start_at
      from calendar_channel_link l
      join calendar_event e on e.start_at >= ${from} and e.start_at < ${to}
      join calendar_sync s on s.mm_user_id = e.mm_user_id and s.status = 'active'
      left join calendar_event m on m.mm_user_id = e.mm_user_id and m.event_id = e.series_master_id
      where ${linkMatch} and not e.is_all_day and not e.is_cancelled and e.event_type <> 'seriesMaster'
      order by l.channel_id, l.ical_uid, e.start_at, e.mm_user_id`.execute(this.#db);
    return rows.rows.map((r) => ({
      channelId: r.channel_id,
      icalUid: r.ical_uid,
      user: r.mm_user_id,
      eventId: r.event_id,
      start: new Date(r.start_at),
    }));
  }

  /** For each of the channel's links, the first start at or after `from` in any synced cache (not cancelled). */
  async nextStarts(channelId: string, from: Date): Promise<Map<string, Date>> {
    const rows = await sql<{ ical_uid: string; next: Date }>`
      select l.ical_uid, min(e.start_at) as next
      from calendar_channel_link l
      join calendar_event e on e.start_at >= ${from}
      join calendar_sync s on s.mm_user_id = e.mm_user_id and s.status = 'active'
      left join calendar_event m on m.mm_user_id = e.mm_user_id and m.event_id = e.series_master_id
      where l.channel_id = ${channelId} and ${linkMatch} and not e.is_cancelled and e.event_type <> 'seriesMaster'
      group by l.ical_uid`.execute(this.#db);
    return new Map(rows.rows.map((r) => [r.ical_uid, new Date(r.next)]));
  }

  /** The linked occurrence of (channel, key) starting exactly at `start`, if a synced cache still has it on. */
  async occurrenceAt(channelId: string, icalUid: string, start: Date): Promise<LinkedOccurrence | undefined> {
    const rows = await sql<{ mm_user_id: string; event_id: string }>`
      select e.mm_user_id, e.event_id
      from calendar_channel_link l
      join calendar_event e on e.start_at = ${start}
      join calendar_sync s on s.mm_user_id = e.mm_user_id and s.status = 'active'
      left join calendar_event m on m.mm_user_id = e.mm_user_id and m.event_id = e.series_master_id
      where l.channel_id = ${channelId} and l.ical_uid = ${icalUid} and ${linkMatch}
        and not e.is_all_day and not e.is_cancelled and e.event_type <> 'seriesMaster'
      order by e.mm_user_id
      limit 1`.execute(this.#db);
    const r = rows.rows[0];
    return r ? { channelId, icalUid, user: r.mm_user_id, eventId: r.event_id, start } : undefined;
  }
}

function toLink(r: {
  channel_id: string;
  ical_uid: string;
  scope: string;
  subject: string;
  linked_by: string;
  created_at: Date;
}): ChannelLink {
  return {
    channelId: r.channel_id,
    icalUid: r.ical_uid,
    scope: r.scope === 'series' ? 'series' : 'single',
    subject: r.subject,
    linkedBy: r.linked_by,
    createdAt: new Date(r.created_at),
  };
}
