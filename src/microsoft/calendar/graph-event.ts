/**
 * Graph `event` JSON → the calendar domain's CalendarEvent (house style rule 3: validated with zod and
 * converted at the edge). Lenient on purpose: calendarView/delta sends occurrences of a series with only
 * id, type, seriesMasterId, start and end (microsoftgraph/microsoft-graph-docs#22197, #7632), so every other
 * field is optional and such an item comes out `partial`.
 */
import { DateTime } from 'luxon';
import { findIana } from 'windows-iana';
import { z } from 'zod';
import type {
  Attendee,
  CalendarEvent,
  EventType,
  Person,
  ResponseState,
  ShowAs,
} from '../../calendar/ports.ts';

const dateTimeTimeZone = z.object({ dateTime: z.string().min(1), timeZone: z.string().nullish() });
const emailAddress = z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish();
const recipient = z.object({ emailAddress }).nullish();

export const graphEventSchema = z.object({
  id: z.string().min(1),
  iCalUId: z.string().nullish(),
  type: z.string().nullish(),
  seriesMasterId: z.string().nullish(),
  subject: z.string().nullish(),
  bodyPreview: z.string().nullish(),
  body: z.object({ contentType: z.string().nullish(), content: z.string().nullish() }).nullish(),
  start: dateTimeTimeZone,
  end: dateTimeTimeZone,
  isAllDay: z.boolean().nullish(),
  originalStartTimeZone: z.string().nullish(),
  showAs: z.string().nullish(),
  responseStatus: z.object({ response: z.string().nullish() }).nullish(),
  responseRequested: z.boolean().nullish(),
  isCancelled: z.boolean().nullish(),
  isOrganizer: z.boolean().nullish(),
  organizer: recipient,
  attendees: z
    .array(
      z.object({
        type: z.string().nullish(),
        status: z.object({ response: z.string().nullish() }).nullish(),
        emailAddress,
      }),
    )
    .nullish(),
  location: z.object({ displayName: z.string().nullish() }).nullish(),
  locations: z.array(z.object({ displayName: z.string().nullish() })).nullish(),
  onlineMeeting: z.object({ joinUrl: z.string().nullish() }).nullish(),
  onlineMeetingUrl: z.string().nullish(),
  lastModifiedDateTime: z.string().nullish(),
  webLink: z.string().nullish(),
  importance: z.string().nullish(),
  sensitivity: z.string().nullish(),
  categories: z.array(z.string()).nullish(),
});
export type GraphEvent = z.output<typeof graphEventSchema>;

const showAsValues = new Set<ShowAs>(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']);
const typeValues = new Set<EventType>(['singleInstance', 'occurrence', 'exception', 'seriesMaster']);

function response(value: string | null | undefined): ResponseState {
  switch (value) {
    case 'organizer':
      return 'organizer';
    case 'accepted':
      return 'accepted';
    case 'tentativelyAccepted':
      return 'tentative';
    case 'declined':
      return 'declined';
    case 'notResponded':
      return 'notResponded';
    default:
      return 'none';
  }
}

function person(r: z.output<typeof recipient>): Person | null {
  const e = r?.emailAddress;
  if (!e) return null;
  return { name: e.name ?? e.address ?? '', email: (e.address ?? '').toLowerCase() };
}

/** Meeting links worth a "Join" button when Graph has no onlineMeeting (a Zoom link pasted in the location). */
const joinLink =
  /https:\/\/(?:teams\.microsoft\.com\/l\/meetup-join\/|teams\.live\.com\/meet\/|[\w.-]*zoom\.us\/(?:j|my|w)\/|meet\.google\.com\/|[\w.-]*webex\.com\/(?:meet|join|[\w.-]+\/j\.php))[^\s"'<>)\]]*/i;

export function findJoinUrl(...texts: (string | null | undefined)[]): string | null {
  for (const t of texts) {
    const m = t ? joinLink.exec(t) : null;
    if (m) return m[0].replace(/&amp;/g, '&');
  }
  return null;
}

/** Graph wall time in a Windows or IANA zone → UTC instant (unknown zones read as UTC). */
function instant(v: { dateTime: string; timeZone?: string | null | undefined }): Date {
  const name = v.timeZone ?? 'UTC';
  const iana = /^utc$/i.test(name) ? 'UTC' : (findIana(name, '001')[0] ?? findIana(name)[0] ?? name);
  let dt = DateTime.fromISO(v.dateTime.replace(/Z$/, ''), { zone: iana });
  if (!dt.isValid) dt = DateTime.fromISO(v.dateTime.replace(/Z$/, ''), { zone: 'UTC' });
  if (!dt.isValid) throw new Error(`unreadable event time ${v.dateTime}`);
  return new Date(dt.toMillis());
}

/** Converts one Graph event (already validated). Never throws for missing optional fields. */
export function toCalendarEvent(g: GraphEvent): CalendarEvent {
  const isAllDay = g.isAllDay === true;
  // All-day dates are floating: take the date part as written, whatever zone the response is in.
  const startDate = isAllDay ? g.start.dateTime.slice(0, 10) : null;
  const endDate = isAllDay ? g.end.dateTime.slice(0, 10) : null;
  const start = isAllDay ? new Date(`${startDate}T00:00:00Z`) : instant(g.start);
  const end = isAllDay ? new Date(`${endDate}T00:00:00Z`) : instant(g.end);
  const locations = [g.location?.displayName, ...(g.locations ?? []).map((l) => l.displayName)]
    .filter((s): s is string => !!s)
    .filter((s, i, all) => all.indexOf(s) === i);
  const attendees: Attendee[] = (g.attendees ?? []).map((a) => ({
    name: a.emailAddress?.name ?? a.emailAddress?.address ?? '',
    email: (a.emailAddress?.address ?? '').toLowerCase(),
    type: a.type === 'optional' || a.type === 'resource' ? a.type : 'required',
    response: response(a.status?.response),
  }));
  const type = typeValues.has(g.type as EventType) ? (g.type as EventType) : 'singleInstance';
  return {
    id: g.id,
    iCalUId: g.iCalUId ?? null,
    type,
    seriesMasterId: g.seriesMasterId ?? null,
    subject: g.subject ?? '',
    bodyPreview: g.bodyPreview ?? '',
    start,
    end,
    isAllDay,
    startDate,
    endDate,
    timeZone: g.originalStartTimeZone ?? null,
    showAs: showAsValues.has(g.showAs as ShowAs) ? (g.showAs as ShowAs) : 'unknown',
    response: response(g.responseStatus?.response),
    responseRequested: g.responseRequested ?? true,
    isCancelled: g.isCancelled === true,
    isOrganizer: g.isOrganizer === true,
    organizer: person(g.organizer),
    attendees,
    location: locations.join('; '),
    joinUrl:
      g.onlineMeeting?.joinUrl ??
      g.onlineMeetingUrl ??
      findJoinUrl(...locations, g.body?.content, g.bodyPreview),
    lastModified: g.lastModifiedDateTime ? new Date(g.lastModifiedDateTime) : null,
    webLink: g.webLink ?? null,
    importance: g.importance === 'low' || g.importance === 'high' ? g.importance : 'normal',
    sensitivity:
      g.sensitivity === 'personal' || g.sensitivity === 'private' || g.sensitivity === 'confidential'
        ? g.sensitivity
        : 'normal',
    categories: g.categories ?? [],
    // Graph leaves out `subject` only on the trimmed items delta sends for occurrences.
    partial: g.subject === undefined && type !== 'seriesMaster',
  };
}
