/**
 * What invitation DMs and RSVP need from the outside (house style rule 2). The Microsoft edge answers
 * invitations (src/microsoft/calendar/respond.ts); the wiring posts the DMs with the Mattermost edge's
 * interactive posts (src/wiring/calendar/invitations.ts).
 */

/** An answer to an invitation, as Graph's three calls name them. */
export type RsvpChoice = 'accept' | 'tentativelyAccept' | 'decline';

/**
 * Answers an invitation on the user's behalf: `POST /me/events/{id}/accept|tentativelyAccept|decline` with
 * `{comment, sendResponse}`. Throws:
 * - MM365_CALENDAR_EVENT_GONE: no such event on their calendar any more (deleted, or its id changed);
 * - MM365_CALENDAR_EVENT_CANCELLED: the organizer cancelled it;
 * - MM365_CALENDAR_RSVP_REFUSED: Graph refused it otherwise (their own meeting…), with Graph's message;
 * - MM365_CALENDAR_SESSION_LOST: the user is not connected (any more): they must connect first;
 * - anything else: passing (network, 5xx); the user may try again.
 */
export interface CalendarResponder {
  respond(
    user: string,
    eventId: string,
    choice: RsvpChoice,
    options: { comment: string; sendResponse: boolean },
  ): Promise<void>;
}

/** One invitation DM, ready to post. */
export interface InvitationDm {
  user: string;
  /** Markdown: what happened and the meeting's details. */
  message: string;
  /**
   * When a response is asked: the event to answer (a series master for a recurring meeting) and the line
   * stating the user's current response, shown above the Accept / Tentative / Decline / comment buttons.
   */
  rsvp: { eventId: string; status: string } | null;
  /** Idempotency key: the same key never posts twice (a retried job, a replayed sync round). */
  key: string;
}

/** Posts invitation DMs as the bot; must be idempotent per `dm.key`. */
export interface InvitationMessenger {
  send(dm: InvitationDm): Promise<void>;
}
