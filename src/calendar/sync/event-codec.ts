/**
 * CalendarEvent ↔ cache row, and the series-master merge for the trimmed occurrences calendarView/delta
 * sends. Pure functions.
 */
import type { CalendarEventRow } from '../../store/calendar-event.ts';
import type { CalendarEvent } from '../ports.ts';

export function toRow(e: CalendarEvent): CalendarEventRow {
  return {
    eventId: e.id,
    icalUid: e.iCalUId,
    seriesMasterId: e.seriesMasterId,
    type: e.type,
    start: e.start,
    end: e.end,
    isAllDay: e.isAllDay,
    isCancelled: e.isCancelled,
    declined: e.response === 'declined',
    partial: e.partial,
    data: JSON.stringify(e),
  };
}

export function fromRow(row: CalendarEventRow): CalendarEvent {
  const e = JSON.parse(row.data) as Omit<CalendarEvent, 'start' | 'end' | 'lastModified'> & {
    start: string;
    end: string;
    lastModified: string | null;
  };
  return {
    ...e,
    start: new Date(e.start),
    end: new Date(e.end),
    lastModified: e.lastModified ? new Date(e.lastModified) : null,
  };
}

/**
 * A trimmed occurrence completed from its series master: the occurrence keeps its own identity and timing
 * (id, type, seriesMasterId, start/end), everything else comes from the master. Stays `partial: true` so a
 * later master change refreshes it again.
 */
export function fillFromMaster(occurrence: CalendarEvent, master: CalendarEvent): CalendarEvent {
  return {
    ...master,
    id: occurrence.id,
    type: occurrence.type,
    seriesMasterId: occurrence.seriesMasterId,
    start: occurrence.start,
    end: occurrence.end,
    isAllDay: occurrence.isAllDay || master.isAllDay,
    startDate: occurrence.startDate ?? (master.isAllDay ? occurrence.start.toISOString().slice(0, 10) : null),
    endDate: occurrence.endDate ?? (master.isAllDay ? occurrence.end.toISOString().slice(0, 10) : null),
    // The master's iCalUId is the series'; an occurrence's differs (graph-api.md §2.1), so keep what we had.
    iCalUId: occurrence.iCalUId,
    partial: true,
  };
}
