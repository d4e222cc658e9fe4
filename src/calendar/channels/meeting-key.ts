import type { Kysely } from 'kysely';
import { CalendarEvents } from '../../store/calendar-event.ts';
import type { Database } from '../../store/index.ts';
import type { CalendarEvent } from '../ports.ts';

/** What a link is keyed by: the meeting's iCalUId, the same in every attendee's mailbox. */
export interface MeetingKey {
  icalUid: string;
  /** `series` when the key is a series master's: the link covers every occurrence. */
  scope: 'single' | 'series';
  /** The subject to store with the link (the master's for a series). */
  subject: string;
}

/**
 * The link key of an event in `user`'s cache: an occurrence or exception of a series is keyed by its
 * master's iCalUId (a recurring meeting linked once covers its occurrences; each occurrence has its own
 * iCalUId in Graph), anything else by its own. Null when Graph gave no iCalUId.
 */
export async function meetingKey(
  db: Kysely<Database>,
  user: string,
  e: CalendarEvent,
): Promise<MeetingKey | null> {
  if (e.seriesMasterId) {
    const master = await new CalendarEvents(db).get(user, e.seriesMasterId);
    if (master?.icalUid) {
      const subject = (JSON.parse(master.data) as { subject?: string }).subject ?? e.subject;
      return { icalUid: master.icalUid, scope: 'series', subject };
    }
  }
  if (e.type === 'seriesMaster' && e.iCalUId)
    return { icalUid: e.iCalUId, scope: 'series', subject: e.subject };
  return e.iCalUId ? { icalUid: e.iCalUId, scope: 'single', subject: e.subject } : null;
}
