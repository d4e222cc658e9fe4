/**
 * What creating events and linking them to channels need from outside the calendar domain (house style
 * rule 2). The Microsoft edge satisfies EventCreator (src/microsoft/calendar/create-event.ts); the Mattermost
 * edge satisfies the rest through the wiring (src/wiring/calendar/events.ts, channels.ts).
 */
import type { CalendarEvent } from '../ports.ts';

/** A new event as Graph takes it: wall-clock times in an IANA zone (the mailbox's). */
export interface EventDraft {
  subject: string;
  /** Plain text. */
  body: string;
  location: string;
  isAllDay: boolean;
  /** yyyy-MM-ddTHH:mm:ss, local to `timeZone` (midnights for an all-day event, end exclusive). */
  start: string;
  end: string;
  /** IANA id. */
  timeZone: string;
  attendees: { email: string; name: string }[];
  /** A Teams meeting (Graph generates the join link). */
  online: boolean;
  /**
   * Graph's transactionId: a POST repeated with the same id returns the event the first one created, so a
   * retried submission never creates two events.
   */
  transactionId: string;
}

/**
 * Creates events in the user's calendar. Throws MM365_CALENDAR_SESSION_LOST when the user's sign-in is dead,
 * MM365_CALENDAR_EVENT_REJECTED (400, message for the user) when Graph refused the event's content; any
 * other error is passing (retry later).
 */
export interface EventCreator {
  create(user: string, draft: EventDraft): Promise<CalendarEvent>;
}

/** A Mattermost user as attendee mapping needs them. */
export interface MattermostPerson {
  userId: string;
  username: string;
  /** Their Mattermost e-mail ('' when hidden from the bot). */
  email: string;
}

/** Mattermost users by username (no Graph): for "@alice" in a guest list. */
export interface People {
  /** The users found; unknown names are left out. */
  byUsernames(usernames: readonly string[]): Promise<MattermostPerson[]>;
  /** The username of a user id (for "linked by @user"); the id itself when unknown. */
  username(userId: string): Promise<string>;
  /** The Microsoft address of a user connected (and active) for the calendar, else null. */
  connectedMail(userId: string): Promise<string | null>;
}

/** A Mattermost channel as linking needs it. */
export interface ChannelInfo {
  id: string;
  /** Display name, for replies. */
  displayName: string;
}

/** Where events may be linked: public or private channels the user is a member of (may post in). */
export interface ChannelAccess {
  /** The channel when `user` may link events to it, else why not (a sentence for the user). */
  postable(
    user: string,
    channelId: string,
  ): Promise<{ ok: true; channel: ChannelInfo } | { ok: false; reason: string }>;
}

/** Bot posts, each created at most once per key. */
export interface ChannelPoster {
  post(channelId: string, text: string, key: string): Promise<void>;
  dm(user: string, text: string, key: string): Promise<void>;
}

/** A form (Mattermost interactive dialog) in the edge's terms: elements as Mattermost takes them. */
export interface FormSpec {
  callbackId: string;
  title: string;
  introductionText?: string;
  elements: Record<string, unknown>[];
  submitLabel?: string;
}

/** Opens a form for the user who typed a command (trigger ids live 30 s). `data` comes back signed. */
export interface Forms {
  open(triggerId: string, user: string, form: FormSpec, data: unknown): Promise<void>;
}

/** A submitted form: `{}` closes it, `errors` (per field) or `error` keep it open. */
export interface FormReply {
  errors?: Record<string, string>;
  error?: string;
}

export interface FormSubmission<D> {
  user: string;
  channelId: string;
  submission: Record<string, unknown>;
  cancelled: boolean;
  data: D;
}
