import type { CalendarEvent } from '../../src/calendar/ports.ts';

type Defaulted = Omit<
  CalendarEvent,
  'id' | 'iCalUId' | 'type' | 'seriesMasterId' | 'subject' | 'bodyPreview' | 'start' | 'end'
>;

/**
 * The fields of a CalendarEvent most tests do not care about: a timed, busy, accepted invitation (the user
 * is an attendee, not the organizer) with no location, link or attendees. Tests spread it after their own
 * id, subject and times, and before their overrides. A fresh object each call (no shared arrays).
 */
export function eventDefaults(): Defaulted {
  return {
    isAllDay: false,
    startDate: null,
    endDate: null,
    timeZone: null,
    showAs: 'busy',
    response: 'accepted',
    responseRequested: true,
    isCancelled: false,
    isOrganizer: false,
    organizer: null,
    attendees: [],
    location: '',
    joinUrl: null,
    lastModified: null,
    webLink: null,
    importance: 'normal',
    sensitivity: 'normal',
    categories: [],
    partial: false,
  };
}
