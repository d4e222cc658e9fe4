import type { CalendarEvent } from '../../../src/calendar/ports.ts';
import { eventDefaults } from '../../helpers/calendar-event.ts';

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
    ...eventDefaults(),
    timeZone: 'Pacific Standard Time',
    organizer: { name: 'Bob', email: 'bob@contoso.example' },
    lastModified: new Date('2026-01-01T00:00:00Z'),
    ...over,
  };
}
