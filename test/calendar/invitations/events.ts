/** Builders for invitation tests: an invitation copy in the attendee's calendar, and rounds. */
import type { CalendarEvent } from '../../../src/calendar/ports.ts';
import type { CalendarRound } from '../../../src/calendar/sync/calendar-sync.ts';
import { eventDefaults } from '../../helpers/calendar-event.ts';

export const now = new Date(Date.UTC(2026, 0, 5, 12));
const hour = 3_600_000;

/** An invitation from Bob to Alice and Carol, tomorrow 17:00–18:00 UTC, not answered yet. */
export function invite(id: string, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id,
    iCalUId: `uid-${id}`,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: `Meeting ${id}`,
    bodyPreview: '',
    start: new Date(now.getTime() + 29 * hour),
    end: new Date(now.getTime() + 30 * hour),
    ...eventDefaults(),
    showAs: 'tentative',
    response: 'notResponded',
    organizer: { name: 'Bob Organizer', email: 'bob@contoso.example' },
    attendees: [
      { name: 'Alice', email: 'alice@contoso.example', type: 'required', response: 'notResponded' },
      { name: 'Carol', email: 'carol@contoso.example', type: 'required', response: 'notResponded' },
    ],
    location: 'Room 1',
    lastModified: new Date(now.getTime() - hour),
    webLink: `https://outlook.example/${id}`,
    ...over,
  };
}

/** An occurrence of series `master` on day `day` of January 2026, 17:00 UTC. */
export function occurrence(master: string, day: number, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return invite(`${master}-${day}`, {
    type: 'occurrence',
    seriesMasterId: master,
    iCalUId: `uid-${master}-${day}`,
    subject: `Series ${master}`,
    start: new Date(Date.UTC(2026, 0, day, 17)),
    end: new Date(Date.UTC(2026, 0, day, 18)),
    ...over,
  });
}

export function round(over: Partial<CalendarRound> = {}): CalendarRound {
  return {
    user: 'u-alice',
    full: false,
    first: false,
    previousWindow: {
      start: new Date(now.getTime() - 24 * hour),
      end: new Date(now.getTime() + 30 * 24 * hour),
    },
    at: now,
    ...over,
  };
}
