/**
 * The Microsoft side of the calendar's CalendarResponder port (src/calendar/invitations/ports.ts): answers an
 * invitation with `POST /me/events/{id}/accept|tentativelyAccept|decline` and `{comment, sendResponse}`
 * (graph-api.md §2.4: 202, empty body). Graph's refusals become the domain's codes:
 * - 404 (ErrorItemNotFound) → MM365_CALENDAR_EVENT_GONE;
 * - 400 "You can't respond to a meeting that's been canceled." → MM365_CALENDAR_EVENT_CANCELLED (matched on
 *   the message: Graph gives the generic ErrorInvalidRequest code for it);
 * - any other 400 → MM365_CALENDAR_RSVP_REFUSED with Graph's message (e.g. the user organises the meeting);
 * - a dead or missing sign-in → MM365_CALENDAR_SESSION_LOST.
 *
 * Ids are Graph's default ones, as the calendar cache keeps them (no `Prefer: IdType="ImmutableId"`): the
 * id in a DM's buttons came from the cache, and Graph reads an id in the path in the form it was issued.
 * An event moved to another folder since then answers 404, which the user is told as "changed or deleted".
 */
import type { CalendarResponder, RsvpChoice } from '../../calendar/invitations/ports.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { GraphSession } from '../graph/graph-session.ts';

export interface CalendarResponderDeps {
  asUser(partition: string, feature: 'calendar'): GraphSession;
}

const cancelledText = /respond to a meeting that.?s been cancell?ed/i;

function domainError(err: unknown): unknown {
  if (!isAppError(err)) return err;
  const graphMessage = typeof err.details?.message === 'string' ? err.details.message : err.message;
  switch (err.code) {
    case 'MM365_MICROSOFT_RECONNECT_REQUIRED':
      return new AppError('MM365_CALENDAR_SESSION_LOST', err.message, {
        cause: err,
        details: { reason: typeof err.details?.reason === 'string' ? err.details.reason : 'refresh_expired' },
      });
    case 'MM365_GRAPH_NOT_FOUND':
      return new AppError('MM365_CALENDAR_EVENT_GONE', 'The meeting is no longer on your calendar.', {
        cause: err,
      });
    case 'MM365_GRAPH_BAD_REQUEST':
      if (cancelledText.test(graphMessage)) {
        return new AppError('MM365_CALENDAR_EVENT_CANCELLED', 'The organizer cancelled this meeting.', {
          cause: err,
        });
      }
      return new AppError(
        'MM365_CALENDAR_RSVP_REFUSED',
        `Microsoft 365 did not take the answer: ${graphMessage}`,
        { cause: err },
      );
    default:
      return err;
  }
}

/** Graph's three answers to an invitation (the path segment). */
export type GraphRsvp = RsvpChoice;

export function createCalendarResponder(deps: CalendarResponderDeps): CalendarResponder {
  return {
    async respond(user, eventId, choice, options) {
      try {
        await deps.asUser(user, 'calendar').request({
          method: 'POST',
          path: `/me/events/${encodeURIComponent(eventId)}/${choice}`,
          route: `/me/events/{id}/${choice}`,
          body: { comment: options.comment, sendResponse: options.sendResponse },
          // Answering twice with the same choice leaves the same state: safe to retry after a timeout.
          idempotent: true,
        });
      } catch (err) {
        throw domainError(err);
      }
    },
  };
}
