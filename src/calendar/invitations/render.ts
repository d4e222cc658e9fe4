import { DateTime } from 'luxon';
import { cellText } from '../agenda/render.ts';
import type { CalendarEvent, Person, ResponseState } from '../ports.ts';
import type { ResolvedZone } from '../time-zones.ts';
import type { InvitationNotice, WatchedField } from './detect.ts';
import type { RsvpChoice } from './ports.ts';

/** How many attendees a DM names before "and N more". */
const attendeesShown = 5;

const title = (e: CalendarEvent, cancelled = false): string => {
  let subject = e.subject.trim();
  // Exchange renames a cancelled copy "Canceled: …"; the DM already says so (detection uses isCancelled).
  if (cancelled) subject = subject.replace(/^(canceled|cancelled):\s*/i, '');
  return cellText(subject === '' ? '(No subject)' : subject);
};

const linked = (e: CalendarEvent, text: string) => (e.webLink ? `[${text}](${e.webLink})` : text);

const person = (p: Person | null) => (p ? cellText(p.name || p.email) : 'someone');

/**
 * When the meeting is, in the mailbox zone: "Tuesday 6 January 2026, 5:00 PM – 6:00 PM", a multi-day span
 * with both dates, all-day events by date only. The zone follows in brackets (UTC when it fell back).
 */
export function whenText(e: CalendarEvent, zone: ResolvedZone): string {
  if (e.isAllDay && e.startDate && e.endDate) {
    const from = DateTime.fromISO(e.startDate);
    const last = DateTime.fromISO(e.endDate).minus({ days: 1 });
    return last <= from
      ? `${from.toFormat('cccc d LLLL yyyy')} (all day)`
      : `${from.toFormat('ccc d LLL')} – ${last.toFormat('ccc d LLL yyyy')} (all day)`;
  }
  const start = DateTime.fromJSDate(e.start, { zone: zone.iana });
  const end = DateTime.fromJSDate(e.end, { zone: zone.iana });
  const where = zone.fallback ? 'UTC' : zone.iana;
  const span = start.hasSame(end, 'day')
    ? `${start.toFormat('cccc d LLLL yyyy, h:mm a')} – ${end.toFormat('h:mm a')}`
    : `${start.toFormat('ccc d LLL yyyy, h:mm a')} – ${end.toFormat('ccc d LLL yyyy, h:mm a')}`;
  return `${span} (${where})`;
}

function attendeesText(e: CalendarEvent): string {
  const names = e.attendees.filter((a) => a.type !== 'resource').map((a) => person(a));
  if (names.length === 0) return 'None';
  const shown = names.slice(0, attendeesShown).join(', ');
  return names.length > attendeesShown ? `${shown} and ${names.length - attendeesShown} more` : shown;
}

/** The meeting's details, one per line: when, where, organizer, attendees, join link. */
function details(
  e: CalendarEvent,
  zone: ResolvedZone,
  skip: ReadonlySet<WatchedField> = new Set(),
): string[] {
  return [
    ...(skip.has('when') ? [] : [`**When:** ${whenText(e, zone)}`]),
    ...(e.location && !skip.has('where') ? [`**Where:** ${cellText(e.location)}`] : []),
    `**Organizer:** ${person(e.organizer)}`,
    ...(skip.has('attendees') ? [] : [`**Attendees:** ${attendeesText(e)}`]),
    ...(e.joinUrl && !e.isCancelled && !skip.has('join')
      ? [`**Join:** [Join the meeting](${e.joinUrl})`]
      : []),
  ];
}

function changeLine(field: WatchedField, before: CalendarEvent, after: CalendarEvent, zone: ResolvedZone) {
  const was = (text: string) => (text === '' ? '_none_' : `~~${text}~~`);
  const now = (text: string) => (text === '' ? '_none_' : text);
  switch (field) {
    case 'when':
      return `**When:** ${was(whenText(before, zone))} → ${whenText(after, zone)}`;
    case 'subject':
      return `**Subject:** ${was(title(before))} → ${title(after)}`;
    case 'where':
      return `**Where:** ${was(cellText(before.location))} → ${now(cellText(after.location))}`;
    case 'attendees': {
      const key = (a: { email: string; name: string }) => a.email || a.name.toLowerCase();
      const old = new Set(before.attendees.map(key));
      const cur = new Set(after.attendees.map(key));
      const added = after.attendees.filter((a) => !old.has(key(a))).map((a) => person(a));
      const removed = before.attendees.filter((a) => !cur.has(key(a))).map((a) => person(a));
      return `**Attendees:** ${[
        ...(added.length ? [`added ${added.join(', ')}`] : []),
        ...(removed.length ? [`removed ${removed.join(', ')}`] : []),
      ].join('; ')}`;
    }
    case 'join':
      if (!after.joinUrl) return '**Join:** the online meeting was removed';
      return `**Join:** ${before.joinUrl ? 'new link: ' : ''}[Join the meeting](${after.joinUrl})`;
  }
}

const seriesWord = (n: InvitationNotice) => (n.series ? 'recurring meeting' : 'meeting');

/** The DM's Markdown for a notice. */
export function renderNotice(n: InvitationNotice, zone: ResolvedZone): string {
  const e = n.event;
  const from = person(e.organizer);
  switch (n.kind) {
    case 'new': {
      const head = n.series
        ? `📅 **${from} invited you to a recurring meeting: ${linked(e, title(e))}**`
        : `📅 **${from} invited you to ${linked(e, title(e))}**`;
      const lines = [head, ...details(e, zone)];
      if (n.series) lines[1] = `**First:** ${whenText(e, zone)}`;
      if (e.bodyPreview.trim()) lines.push(`> ${cellText(e.bodyPreview.slice(0, 300))}`);
      return lines.join('\n');
    }
    case 'updated': {
      const before = n.before ?? e;
      const scope = n.series ? ' (the whole series)' : '';
      const changes = n.changed.map((f) => `- ${changeLine(f, before, e, zone)}`);
      return [
        `✏️ **Updated${scope}: ${linked(e, title(e))}** (organizer: ${from})`,
        ...changes,
        ...details(e, zone, new Set(n.changed)).filter((l) => !l.startsWith('**Organizer:**')),
      ].join('\n');
    }
    case 'cancelled':
      return [
        `🚫 **${from} cancelled the ${seriesWord(n)} ${linked(e, `~~${title(e, true)}~~`)}**`,
        `**When:** ${n.series ? 'every occurrence, first ' : ''}${whenText(e, zone)}`,
        'There is nothing to answer. You can remove it from your calendar in Outlook.',
      ].join('\n');
    case 'removed': {
      const count = n.series?.instances ?? 1;
      const head = n.series
        ? count === 1
          ? `🗑️ **One occurrence of ${title(e)} is no longer on your calendar**`
          : `🗑️ **${count} occurrences of ${title(e)} are no longer on your calendar** (the first is below)`
        : `🗑️ **${title(e)} is no longer on your calendar**`;
      return [
        head,
        `**When:** ${whenText(e, zone)}`,
        `**Organizer:** ${from}`,
        'It was deleted, or moved to another calendar or beyond the next 30 days.',
      ].join('\n');
    }
  }
}

const responseText: Record<ResponseState, string> = {
  accepted: '✅ Accepted',
  tentative: '❔ Tentative',
  declined: '❌ Declined',
  notResponded: 'not answered yet',
  none: 'not answered yet',
  organizer: 'you organise it',
};

/** The line above the RSVP buttons, stating the user's current response. */
export function responseLine(response: ResponseState): string {
  return `Your response: ${responseText[response]}`;
}

const choiceText: Record<RsvpChoice, string> = {
  accept: '✅ You accepted',
  tentativelyAccept: '❔ You tentatively accepted',
  decline: '❌ You declined',
};

/** The line that replaces `responseLine` after the user answered from the DM. */
export function answeredLine(
  choice: RsvpChoice,
  opts: { comment: string; sendResponse: boolean; organizer?: string },
): string {
  const told = opts.sendResponse
    ? `${opts.organizer ? cellText(opts.organizer) : 'the organizer'} was told${opts.comment ? ', with your comment' : ''}`
    : 'the organizer was not told';
  return `${choiceText[choice]} (${told}). You can change your answer with the buttons below.`;
}
