import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { CalendarEvents } from '../store/calendar-event.ts';
import { CalendarSyncs } from '../store/calendar-sync.ts';
import type { Database } from '../store/index.ts';
import './errors.ts'; // registers this folder's MM365_* codes
import type { CalendarEvent } from './ports.ts';
import { fromRow } from './sync/event-codec.ts';
import { type LocalDay, localDay, type ResolvedZone, resolveZone } from './time-zones.ts';

/** A user's events for one local day, with the zone they were computed in. */
export interface CalendarDay {
  day: LocalDay;
  zone: ResolvedZone;
  events: CalendarEvent[];
}

/**
 * The read side every calendar feature uses (agenda, summary, reminders, status): the cached events of a
 * synced user, never Graph. No I/O beyond the database. Throws MM365_CALENDAR_NOT_SYNCED for a user whose
 * sync is not active (never started, still starting, stopped, session lost), so a caller can say "your
 * calendar is not available" instead of "you have no events" (the plugin's #446).
 */
export class CalendarCache {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;

  constructor(db: Kysely<Database>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** The user's mailbox zone as last synced (UTC, flagged, when unknown or customized). */
  async zone(user: string): Promise<ResolvedZone> {
    const row = await this.#active(user);
    return resolveZone(row.timeZone);
  }

  /**
   * Events overlapping [from, to), by start. All-day events are matched by their dates in `iana` (they are
   * floating). Declined events are left out unless asked; series masters never appear (occurrences do).
   */
  async between(
    user: string,
    from: Date,
    to: Date,
    options: { iana?: string; includeDeclined?: boolean } = {},
  ): Promise<CalendarEvent[]> {
    const row = await this.#active(user);
    const iana = options.iana ?? resolveZone(row.timeZone).iana;
    const rows = await new CalendarEvents(this.#db).listWindow(user, from, to, {
      includeDeclined: options.includeDeclined ?? false,
    });
    return rows.map(fromRow).filter((e) => {
      if (!e.isAllDay || !e.startDate || !e.endDate) return true;
      const start = DateTime.fromISO(e.startDate, { zone: iana }).toMillis();
      const end = DateTime.fromISO(e.endDate, { zone: iana }).toMillis();
      return start < to.getTime() && end > from.getTime();
    });
  }

  /** The user's local day (0 today, 1 tomorrow…) from their midnight, in their mailbox zone. */
  async day(user: string, offsetDays = 0, options: { includeDeclined?: boolean } = {}): Promise<CalendarDay> {
    const zone = await this.zone(user);
    const day = localDay(this.#clock.now(), zone.iana, offsetDays);
    const events = await this.between(user, day.start, day.end, { iana: zone.iana, ...options });
    return { day, zone, events };
  }

  async #active(user: string) {
    const row = await new CalendarSyncs(this.#db).get(user);
    if (row?.status !== 'active') {
      throw new AppError('MM365_CALENDAR_NOT_SYNCED', 'Your calendar is not synchronised right now.', {
        details: { status: row?.status ?? 'none' },
      });
    }
    return row;
  }
}
