import { defineErrorCodes } from '../../core/errors.ts';

/** Coded errors of event creation and channel links (house style rule 12). */
export const calendarEventErrors = defineErrorCodes('calendar.events', {
  MM365_CALENDAR_EVENT_REJECTED: {
    status: 400,
    doc: "Microsoft 365 refused the new event's content (Graph 400, e.g. an attendee address or a time zone it does not accept); the message is Graph's, shown in the form.",
  },
});
