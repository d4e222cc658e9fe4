import type { CalendarEvent } from '../../../src/calendar/ports.ts';

/** A cached event with sensible defaults (a timed single meeting). */
export function calendarEvent(id: string, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id,
    iCalUId: `uid-${id}`,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: `Subject ${id}`,
    bodyPreview: '',
    start: new Date('2026-01-05T17:00:00Z'),
    end: new Date('2026-01-05T17:30:00Z'),
    isAllDay: false,
    startDate: null,
    endDate: null,
    timeZone: 'Pacific Standard Time',
    showAs: 'busy',
    response: 'accepted',
    responseRequested: true,
    isCancelled: false,
    isOrganizer: false,
    organizer: { name: 'Bob', email: 'bob@contoso.example' },
    attendees: [],
    location: '',
    joinUrl: null,
    lastModified: new Date('2026-01-01T00:00:00Z'),
    webLink: null,
    importance: 'normal',
    sensitivity: 'normal',
    categories: [],
    partial: false,
    ...over,
  };
}
