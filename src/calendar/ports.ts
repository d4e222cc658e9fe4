/**
 * What the calendar domain needs from the outside (house style rule 2), in calendar terms, and the event model
 * every calendar feature reads. The Microsoft edge satisfies CalendarGraph (src/microsoft/calendar/), the
 * accounts layer satisfies CalendarSessions; this folder never imports either.
 *
 * A "user" is the Mattermost user id, which is also the partition of their Microsoft token cache.
 */

/** Outlook's free/busy value for the event, as the user's calendar shows it. */
export type ShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

/** A response to an invitation. `organizer` for the organizer's own copy; `none` when nobody asked. */
export type ResponseState = 'organizer' | 'accepted' | 'tentative' | 'declined' | 'notResponded' | 'none';

export type EventType = 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';

export interface Person {
  name: string;
  /** Lower-cased e-mail address ('' when Graph gave none, e.g. a room without an address). */
  email: string;
}

export interface Attendee extends Person {
  type: 'required' | 'optional' | 'resource';
  response: ResponseState;
}

/**
 * One event as it is on the user's calendar (the user's own copy: an invitation has its own id per mailbox,
 * and the same iCalUId). Times are UTC instants; `timeZone` is the zone the event was written in, for display.
 */
export interface CalendarEvent {
  id: string;
  /** Stable across mailboxes for one meeting (differs per occurrence). Null when Graph omitted it. */
  iCalUId: string | null;
  type: EventType;
  seriesMasterId: string | null;
  subject: string;
  /** Plain text, ≤255 characters. */
  bodyPreview: string;
  start: Date;
  end: Date;
  /**
   * All-day events are floating dates: `start`/`end` are UTC midnights of `startDate`/`endDate` (end
   * exclusive), and views must compare dates, not instants, in the user's zone.
   */
  isAllDay: boolean;
  /** yyyy-MM-dd, only for all-day events. */
  startDate: string | null;
  endDate: string | null;
  /** originalStartTimeZone as Graph gave it (Windows or IANA name), or null. */
  timeZone: string | null;
  showAs: ShowAs;
  /** The user's own response (`organizer` when they organise it). */
  response: ResponseState;
  responseRequested: boolean;
  /** Detected by Graph's isCancelled, never by a "Canceled:" subject prefix (the plugin's bug). */
  isCancelled: boolean;
  isOrganizer: boolean;
  organizer: Person | null;
  attendees: Attendee[];
  /** Location display name(s), '' when none. */
  location: string;
  /** Join link: onlineMeeting.joinUrl, else a Teams/Zoom/Meet/Webex link found in the location or body. */
  joinUrl: string | null;
  lastModified: Date | null;
  webLink: string | null;
  importance: 'low' | 'normal' | 'high';
  sensitivity: 'normal' | 'personal' | 'private' | 'confidential';
  categories: string[];
  /**
   * True when Graph sent only the timing fields (calendarView/delta sends occurrences of a series that way:
   * id, type, seriesMasterId, start, end). The sync fills the rest from the series master when it has it.
   */
  partial: boolean;
}

/** A window of the calendar, [start, end). */
export interface CalendarWindow {
  start: Date;
  end: Date;
}

/** One round of calendarView/delta, converted. */
export interface CalendarDelta {
  /** Events created or updated since the cursor (all events in the window on a first round). */
  events: CalendarEvent[];
  /** Ids of events removed from the window (deleted, or moved out of it). */
  removed: string[];
  /** Opaque cursor to resume from next time (only meaningful when `complete`). */
  cursor: string;
  /** False when the adapter's page budget ran out: call again with `cursor` to continue the same round. */
  complete: boolean;
}

/** Why the edge says a user's calendar may have changed. */
export type ChangeSignal = 'changed' | 'missed' | 'subscriptionRemoved';

/**
 * The user's calendar in Microsoft 365. Every method may throw:
 * - MM365_CALENDAR_SESSION_LOST (details.reason): the user's sign-in is dead for good; do not retry.
 * - MM365_CALENDAR_CURSOR_EXPIRED (delta only): start again with a window.
 * - any other error is passing (network, 5xx, throttling past the edge's own retries): retry later.
 * 429s are ridden out inside the adapter (Retry-After), so callers never see a single throttled attempt.
 */
export interface CalendarGraph {
  /** The mailbox's time zone name (Windows or IANA, possibly "Customized Time Zone"), null when unset. */
  mailboxTimeZone(user: string): Promise<string | null>;
  /**
   * A delta round over the user's calendar view: `{window}` starts a new round (full snapshot), `{cursor}`
   * continues from a stored cursor. Pages are followed up to the adapter's budget.
   */
  delta(user: string, from: { window: CalendarWindow } | { cursor: string }): Promise<CalendarDelta>;
  /**
   * Makes sure the user's event subscription exists and is fresh (idempotent; renewals are the edge's job).
   * Returns its id for diagnostics.
   */
  subscribe(user: string): Promise<string>;
  /** Deletes the user's event subscription (already gone, or a dead token, is fine). Idempotent. */
  unsubscribe(user: string): Promise<void>;
  /**
   * Registers the one listener for the users' subscriptions; call once at start-up. It runs inside the edge's
   * notification job (at least once, in order per subscription): it must be quick and idempotent — record
   * and enqueue, no Graph calls. Throwing makes the edge retry the notification.
   */
  listen(listener: (user: string, signal: ChangeSignal) => Promise<void>): void;
}

/** The accounts layer, told when the calendar finds a user's session dead (it marks them inactive, once). */
export interface CalendarSessions {
  sessionLost(user: string, reason: string): Promise<void>;
}

/** Users whose calendar should be kept in sync (connected for 'calendar' and active), a page at a time. */
export interface CalendarUsers {
  listActive(after: string | null, limit: number): Promise<string[]>;
}
