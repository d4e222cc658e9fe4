import { defineErrorCodes } from '../../core/errors.ts';

/**
 * Codes for answering invitations (house style rule 12). The Microsoft adapter of CalendarResponder raises
 * the first three so the domain can word a clear reply without knowing Graph's error shapes.
 */
export const invitationErrors = defineErrorCodes('calendar.invitations', {
  MM365_CALENDAR_EVENT_GONE: {
    status: 404,
    doc: "The meeting an RSVP button points at is no longer on the user's calendar (deleted, or moved so its id changed: Graph 404 ErrorItemNotFound).",
  },
  MM365_CALENDAR_EVENT_CANCELLED: {
    status: 409,
    doc: "The organizer cancelled the meeting, so it can't be answered (Graph 400 ErrorInvalidRequest \"You can't respond to a meeting that's been canceled.\").",
  },
  MM365_CALENDAR_RSVP_REFUSED: {
    status: 400,
    doc: "Microsoft 365 refused the response for another reason (e.g. the user organises the meeting); the message carries Graph's words.",
  },
  MM365_CALENDAR_RSVP_INVALID: {
    status: 400,
    doc: 'An RSVP choice or comment that is not valid (unknown response, comment over 2,000 characters).',
  },
});
