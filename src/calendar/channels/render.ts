/** How a linked event is shown in channel posts: subject, when (in a named zone), where, join link. */
import { DateTime } from 'luxon';
import { cellText } from '../agenda/render.ts';
import type { CalendarEvent } from '../ports.ts';
import type { ResolvedZone } from '../time-zones.ts';

export function subjectOf(e: Pick<CalendarEvent, 'subject'>): string {
  return cellText(e.subject.trim() === '' ? '(No subject)' : e.subject);
}

/** "Mon, Nov 23, 9:30 AM – 10:00 AM (America/Los_Angeles)" or "Mon, Nov 23 (all day)". */
export function whenText(
  e: Pick<CalendarEvent, 'isAllDay' | 'start' | 'end' | 'startDate' | 'endDate'>,
  zone: ResolvedZone,
): string {
  if (e.isAllDay) {
    const first = DateTime.fromISO(e.startDate ?? e.start.toISOString().slice(0, 10), { zone: 'UTC' });
    const last = DateTime.fromISO(e.endDate ?? e.end.toISOString().slice(0, 10), { zone: 'UTC' }).minus({
      days: 1,
    });
    return last > first
      ? `${first.toFormat('ccc, LLL d')} – ${last.toFormat('ccc, LLL d')} (all day)`
      : `${first.toFormat('ccc, LLL d')} (all day)`;
  }
  const s = DateTime.fromJSDate(e.start, { zone: zone.iana });
  const t = DateTime.fromJSDate(e.end, { zone: zone.iana });
  const end = s.hasSame(t, 'day') ? t.toFormat('h:mm a') : t.toFormat('ccc, LLL d, h:mm a');
  return `${s.toFormat('ccc, LLL d, h:mm a')} – ${end} (${zone.fallback ? 'UTC' : zone.iana})`;
}

/** Detail lines under a channel post's first line. */
export function detailLines(e: CalendarEvent, zone: ResolvedZone): string[] {
  return [
    `When: ${whenText(e, zone)}`,
    ...(e.location ? [`Where: ${cellText(e.location)}`] : []),
    ...(e.joinUrl ? [`[Join the meeting](${e.joinUrl})`] : []),
  ];
}
