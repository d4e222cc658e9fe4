/**
 * The ground truth after the benchmark's day: every user's calendar as the simulator holds it, read app-only by
 * a separate audit app (counted apart), converted with the product's own Graph → CalendarEvent converter.
 * Expected reminders are every occurrence not cancelled, not declined and not all-day whose reminder time
 * (start − lead) falls in the measured window.
 */
import type { CalendarEvent } from '../../src/calendar/ports.ts';
import { graphEventSchema, toCalendarEvent } from '../../src/microsoft/calendar/graph-event.ts';

export interface FinalCalendars {
  /** Our user id → events overlapping [from, to + lead). */
  calendars: Map<string, CalendarEvent[]>;
  /** `userKey|eventId|startMs` of every reminder that should have been sent. */
  expectedReminders: Set<string>;
}

export async function readFinalCalendars(deps: {
  graph: string;
  token: string;
  users: { key: string; mmId: string; simId: string }[];
  from: number;
  to: number;
  leadMs: number;
}): Promise<FinalCalendars> {
  const calendars = new Map<string, CalendarEvent[]>();
  const expectedReminders = new Set<string>();
  const window = `startDateTime=${new Date(deps.from).toISOString()}&endDateTime=${new Date(deps.to + deps.leadMs).toISOString()}`;
  for (const u of deps.users) {
    const events: CalendarEvent[] = [];
    let next: string | undefined = `${deps.graph}/users/${u.simId}/calendarView?${window}`;
    while (next) {
      const res = await fetch(next, {
        headers: { authorization: `Bearer ${deps.token}`, prefer: 'outlook.body-content-type="text"' },
      });
      if (!res.ok) throw new Error(`audit calendarView ${u.key}: ${res.status} ${await res.text()}`);
      const page = (await res.json()) as { value: { id?: string }[]; '@odata.nextLink'?: string };
      for (const item of page.value) {
        const parsed = graphEventSchema.safeParse(item);
        if (!parsed.success)
          throw new Error(`audit: event ${item.id} does not parse: ${parsed.error.message}`);
        events.push(toCalendarEvent(parsed.data));
      }
      next = page['@odata.nextLink'];
    }
    calendars.set(u.mmId, events);
    for (const e of events) {
      if (e.isCancelled || e.isAllDay || e.type === 'seriesMaster' || e.response === 'declined') continue;
      const remindAt = e.start.getTime() - deps.leadMs;
      if (remindAt >= deps.from && remindAt < deps.to)
        expectedReminders.add(`${u.key}|${e.id}|${e.start.getTime()}`);
    }
  }
  return { calendars, expectedReminders };
}
