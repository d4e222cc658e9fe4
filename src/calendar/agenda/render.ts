import { DateTime } from 'luxon';
import type { CalendarEvent, ResponseState } from '../ports.ts';
import type { ResolvedZone } from '../time-zones.ts';

/** Markdown that cannot break out of a table cell or turn a subject into formatting or a link. */
export function cellText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/([\\`*_[\]<>|~#])/g, '\\$1')
    .trim();
}

const responseLabel: Record<ResponseState, string> = {
  organizer: 'Organizer',
  accepted: 'Accepted',
  tentative: 'Tentative',
  declined: 'Declined',
  notResponded: 'Not answered',
  none: '',
};

function timeRange(e: CalendarEvent, iana: string, dayStart: Date, dayEnd: Date): string {
  if (e.isAllDay) return 'All day';
  const fmt = (d: Date) => DateTime.fromJSDate(d, { zone: iana }).toFormat('h:mm a');
  // A meeting that began before this day or ends after it shows where it goes beyond.
  const from =
    e.start < dayStart
      ? `(from ${DateTime.fromJSDate(e.start, { zone: iana }).toFormat('ccc')}) ${fmt(e.start)}`
      : fmt(e.start);
  const to =
    e.end > dayEnd
      ? `${fmt(e.end)} (${DateTime.fromJSDate(e.end, { zone: iana }).toFormat('ccc')})`
      : fmt(e.end);
  return `${from} – ${to}`;
}

function eventCell(e: CalendarEvent): string {
  const title = cellText(e.subject.trim() === '' ? '(No subject)' : e.subject);
  const linked = e.webLink ? `[${title}](${e.webLink})` : title;
  const shown = e.isCancelled ? `~~${linked}~~ (cancelled)` : linked;
  return e.location ? `${shown} · ${cellText(e.location)}` : shown;
}

/** How a user fixes an unknown mailbox zone (Outlook's own setting; the sync reads it again within a day). */
export const zoneFix =
  'To fix it, pick a named time zone in Outlook (Settings → Time and language → Time zone); it is picked up here within a day.';

/** The header line that says which zone the times are in, and why (and how to fix it) when it is a fallback. */
export function zoneLine(zone: ResolvedZone): string {
  if (zone.fallback) {
    const why = zone.source?.trim()
      ? `your mailbox's time zone (${zone.source.trim()}) is not a standard zone we can convert`
      : 'your mailbox has no time zone set';
    return `Times are shown in UTC because ${why}. ${zoneFix}`;
  }
  return `Times are shown in ${zone.source && zone.source !== zone.iana ? `${zone.source} (${zone.iana})` : zone.iana}.`;
}

/**
 * Characters one agenda reply may use. Mattermost refuses a post over 16,383 runes (MaxPostSize; the sim
 * enforces it too), so a day or a week that would not fit is cut at a row or day boundary and says what is
 * left out, with room kept for the header lines.
 */
export const messageBudget = 15_000;

/**
 * One day's agenda as a Markdown table: time, event (linked to Outlook, struck through when cancelled, with
 * its location), the join link and the user's response. Events arrive sorted by start from the cache. Rows
 * beyond `budget` characters are left out and counted in a last row.
 */
export function renderDay(
  title: string,
  day: { start: Date; end: Date; date: string },
  events: readonly CalendarEvent[],
  iana: string,
  budget = messageBudget,
): string {
  const date = DateTime.fromISO(day.date, { zone: iana }).toFormat('cccc d LLLL yyyy');
  // "Today"/"Tomorrow" lead; other days are just their date (which names the weekday).
  const heading = `#### ${title ? `${title}, ${date}` : date}`;
  if (events.length === 0) return `${heading}\nNo meetings.`;
  const rows = events.map((e) => {
    const join = e.joinUrl && !e.isCancelled ? `[Join](${e.joinUrl})` : '';
    return `| ${timeRange(e, iana, day.start, day.end)} | ${eventCell(e)} | ${join} | ${responseLabel[e.response]} |`;
  });
  const lines = [heading, '| Time | Event | Join | You |', '| --- | --- | --- | --- |'];
  // Room for the "more" row, so the cut table still fits.
  let used = lines.join('\n').length + 120;
  for (const [i, row] of rows.entries()) {
    if (used + row.length + 1 > budget) {
      const left = rows.length - i;
      lines.push(
        `| … | ${left} more meeting${left === 1 ? '' : 's'} not shown: the message would be too long |  |  |`,
      );
      break;
    }
    lines.push(row);
    used += row.length + 1;
  }
  return lines.join('\n');
}
