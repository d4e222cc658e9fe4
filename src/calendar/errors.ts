import { defineErrorCodes } from '../core/errors.ts';

/**
 * The calendar domain's coded errors (house style rule 12). Adapters that satisfy calendar/ports.ts raise the
 * first two so the domain can decide without knowing the vendor's error shapes.
 */
export const calendarErrors = defineErrorCodes('calendar', {
  MM365_CALENDAR_CURSOR_EXPIRED: {
    status: 409,
    doc: "The calendar's stored delta cursor is no longer valid (Graph 410 / SyncStateNotFound): the user's cache is rebuilt from a full sync.",
  },
  MM365_CALENDAR_SESSION_LOST: {
    status: 401,
    doc: "The user's Microsoft session can no longer be used for the calendar (expired, revoked, account disabled): they must connect again. details.reason says why.",
  },
  MM365_CALENDAR_SUMMARY_TIME_INVALID: {
    status: 400,
    doc: 'A daily-summary time that is not a time of day (HH:MM or h:mm am/pm).',
  },
  MM365_CALENDAR_SUMMARY_DAYS_INVALID: {
    status: 400,
    doc: 'Daily-summary days that are not weekday names, ranges or "weekdays"/"every day".',
  },
  MM365_CALENDAR_NOT_SYNCED: {
    status: 409,
    doc: "The user's calendar is not synchronised (never started, stopped, or the connection was lost): the cache cannot answer for them.",
  },
});
