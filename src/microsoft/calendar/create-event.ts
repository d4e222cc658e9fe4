/**
 * The Microsoft side of the calendar's EventCreator port (src/calendar/events/ports.ts): POST /me/events
 * (graph-api.md §2.4) with the draft's wall-clock times in its IANA zone, a text body, attendees as
 * required, a Teams meeting when asked (isOnlineMeeting + onlineMeetingProvider teamsForBusiness, which makes
 * Graph generate onlineMeeting.joinUrl) and the draft's transactionId, so a repeated POST returns the event
 * the first one created. Marked idempotent for the Graph client because of that id: a timeout is retried.
 */
import type { EventDraft } from '../../calendar/events/ports.ts';
import type { CalendarEvent } from '../../calendar/ports.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { GraphSession } from '../graph/graph-session.ts';
import { graphEventSchema, toCalendarEvent } from './graph-event.ts';

/** A new event as the calendar's EventCreator port hands it over (wall-clock times in an IANA zone). */
export type NewEvent = EventDraft;

export interface EventCreatorDeps {
  asUser(partition: string, feature: 'calendar'): GraphSession;
}

/** The POST body for a draft (exported for tests). */
export function toGraphEvent(d: NewEvent): Record<string, unknown> {
  return {
    subject: d.subject,
    body: { contentType: 'text', content: d.body },
    start: { dateTime: d.start, timeZone: d.timeZone },
    end: { dateTime: d.end, timeZone: d.timeZone },
    isAllDay: d.isAllDay,
    ...(d.location ? { location: { displayName: d.location } } : {}),
    attendees: d.attendees.map((a) => ({
      type: 'required',
      emailAddress: { address: a.email, name: a.name },
    })),
    ...(d.online ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' } : {}),
    transactionId: d.transactionId,
  };
}

function domainError(err: unknown): unknown {
  if (!isAppError(err)) return err;
  if (err.code === 'MM365_MICROSOFT_RECONNECT_REQUIRED') {
    const reason = typeof err.details?.reason === 'string' ? err.details.reason : 'refresh_expired';
    return new AppError('MM365_CALENDAR_SESSION_LOST', err.message, {
      cause: err,
      details: { reason: reason === 'not_connected' ? 'refresh_expired' : reason },
    });
  }
  if (err.code === 'MM365_GRAPH_BAD_REQUEST') {
    const said = typeof err.details?.message === 'string' ? err.details.message : err.message;
    return new AppError('MM365_CALENDAR_EVENT_REJECTED', `Microsoft 365 refused the event: ${said}`, {
      cause: err,
    });
  }
  return err;
}

export function createEventCreator(deps: EventCreatorDeps): {
  create(user: string, draft: NewEvent): Promise<CalendarEvent>;
} {
  return {
    async create(user, draft) {
      try {
        const body = await deps.asUser(user, 'calendar').parse(graphEventSchema, {
          method: 'POST',
          path: '/me/events',
          route: '/me/events',
          body: toGraphEvent(draft),
          headers: { prefer: 'outlook.timezone="UTC", outlook.body-content-type="text"' },
          idempotent: true,
        });
        return toCalendarEvent(body);
      } catch (err) {
        throw domainError(err);
      }
    },
  };
}
