/**
 * The calendar store's write side: create, update, delete, RSVP and cancel, with the organizer → attendee
 * fan-out Exchange does (graph-api.md §2.3–2.4). Each attendee who is a tenant user gets their own copy (own id,
 * same iCalUId); RSVPs flow back into the organizer's `attendees[].status`. Every write records a mailbox change
 * (delta) and emits a change notification.
 *
 * Assumptions (documented in docs/simulators/microsoft.md): a time change by the organizer resets attendee
 * responses to `none`; a declined copy stays on the attendee's calendar with `showAs: free` (Outlook's
 * default moves it to Deleted Items); RSVP on an occurrence applies to the whole series.
 */
import type { Attendee, Event } from '@microsoft/microsoft-graph-types';
import type { SimContext } from '../context.ts';
import { badRequest, GraphError, notFound } from '../graph-error.ts';
import { changeKey, guid, outlookId } from '../ids.ts';
import type { CalendarRecord, StoredEvent, UserRecord } from '../state.ts';
import { instancesIn, parseOccurrenceId, storedEnd, storedStart } from './instances.ts';
import {
  RecurrenceError,
  type RecurrencePatternInput,
  type RecurrenceRangeInput,
  validateRecurrence,
} from './recurrence.ts';
import { graphInstant, parseDateTimeTimeZone, requireIana, toWindows } from './time-zones.ts';

const NEVER = '0001-01-01T00:00:00Z';

export function defaultCalendar(ctx: SimContext, user: UserRecord): CalendarRecord {
  for (const c of ctx.state.calendars.values()) if (c.ownerId === user.id && c.isDefaultCalendar) return c;
  const cal: CalendarRecord = {
    id: outlookId(),
    ownerId: user.id,
    name: 'Calendar',
    isDefaultCalendar: true,
    changeKey: changeKey(),
  };
  ctx.state.calendars.set(cal.id, cal);
  return cal;
}

function touch(ctx: SimContext, s: StoredEvent, changeType: 'created' | 'updated'): void {
  const now = ctx.clock.now();
  s.event.changeKey = changeKey();
  s.event.lastModifiedDateTime = graphInstant(now);
  s.seq = ctx.state.recordMailboxChange(s.mailboxId, s.id, false);
  ctx.notifier.emit({
    kind: 'event',
    changeType,
    mailboxId: s.mailboxId,
    eventId: s.id,
    etag: s.event.changeKey ?? '',
  });
}

function removeStored(ctx: SimContext, s: StoredEvent): void {
  ctx.state.events.delete(s.id);
  ctx.state.recordMailboxChange(s.mailboxId, s.id, true);
  ctx.notifier.emit({
    kind: 'event',
    changeType: 'deleted',
    mailboxId: s.mailboxId,
    eventId: s.id,
    etag: '',
  });
}

const invalid = (message: string) => badRequest(message, 'ErrorInvalidRequest');

type Json = Record<string, unknown>;

/** Validates the writable fields Graph checks on create/update; throws Graph's 400s. */
function validateTimes(e: Event): void {
  const start = parseDateTimeTimeZone(e.start as Json, 'Start');
  const end = parseDateTimeTimeZone(e.end as Json, 'End');
  if (end < start) throw invalid('The end date you entered occurs before the start date.');
  if (e.isAllDay) {
    const midnight = (v: { dateTime?: string | null } | null | undefined) =>
      /T00:00:00(\.0+)?$/.test(v?.dateTime ?? '');
    if (!midnight(e.start) || !midnight(e.end) || end - start < 86_400_000 - 3_600_000) {
      throw invalid(
        "Your request can't be completed. If the event is an all-day event, the start and end time must be set to midnight and at least one day apart.",
      );
    }
  }
  if (e.recurrence) {
    try {
      validateRecurrence(
        e.recurrence.pattern as RecurrencePatternInput,
        e.recurrence.range as RecurrenceRangeInput,
      );
    } catch (err) {
      if (err instanceof RecurrenceError) throw invalid(err.message);
      throw err;
    }
  }
}

function normalizeAttendees(raw: unknown): Attendee[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid("Property 'attendees' must be an array.");
  return raw.map((a: Json) => {
    const email = (a?.emailAddress ?? {}) as Json;
    const address = typeof email.address === 'string' ? email.address : '';
    if (!/^[^@\s]+@[^@\s]+$/.test(address)) throw invalid(`The attendee address '${address}' isn't valid.`);
    const type = (a.type as string) ?? 'required';
    if (!['required', 'optional', 'resource'].includes(type))
      throw invalid(`Invalid attendee type '${type}'.`);
    return {
      type: type as Attendee['type'],
      status: { response: 'none', time: NEVER },
      emailAddress: { name: typeof email.name === 'string' ? email.name : address, address },
    };
  });
}

function teamsMeeting(): Event['onlineMeeting'] {
  const thread = `19%3ameeting_${Buffer.from(guid()).toString('base64url').slice(0, 48)}%40thread.v2`;
  return {
    joinUrl: `https://teams.microsoft.com/l/meetup-join/${thread}/0?context=%7b%7d`,
    conferenceId: null,
    tollNumber: null,
  };
}

/** Fields the organizer's change copies to attendee copies. */
const SHARED_FIELDS = [
  'subject',
  'body',
  'start',
  'end',
  'isAllDay',
  'location',
  'locations',
  'recurrence',
  'attendees',
  'isOnlineMeeting',
  'onlineMeetingProvider',
  'onlineMeeting',
  'importance',
  'sensitivity',
  'hideAttendees',
  'allowNewTimeProposals',
] as const;

export function createEvent(
  ctx: SimContext,
  owner: UserRecord,
  calendar: CalendarRecord,
  body: unknown,
): StoredEvent {
  if (!body || typeof body !== 'object') throw invalid('Empty Payload. JSON content expected.');
  const b = body as Json;
  if (typeof b.transactionId === 'string') {
    for (const s of ctx.state.events.values()) {
      if (s.mailboxId === owner.id && s.event.transactionId === b.transactionId) return s;
    }
  }
  const now = ctx.clock.now();
  const attendees = normalizeAttendees(b.attendees);
  const online = b.isOnlineMeeting === true;
  const e: Event = {
    createdDateTime: graphInstant(now),
    lastModifiedDateTime: graphInstant(now),
    changeKey: changeKey(),
    categories: Array.isArray(b.categories) ? (b.categories as string[]) : [],
    transactionId: typeof b.transactionId === 'string' ? b.transactionId : null,
    originalStartTimeZone: toWindows(String((b.start as Json)?.timeZone ?? 'UTC')),
    originalEndTimeZone: toWindows(String((b.end as Json)?.timeZone ?? 'UTC')),
    iCalUId: `040000008200E00074C5B7101A82E00800000000${Buffer.from(guid().replace(/-/g, ''), 'hex').toString('hex').toUpperCase()}`,
    reminderMinutesBeforeStart:
      typeof b.reminderMinutesBeforeStart === 'number' ? b.reminderMinutesBeforeStart : 15,
    isReminderOn: b.isReminderOn !== false,
    hasAttachments: false,
    subject: typeof b.subject === 'string' ? b.subject : '',
    importance: (b.importance as Event['importance']) ?? 'normal',
    sensitivity: (b.sensitivity as Event['sensitivity']) ?? 'normal',
    isAllDay: b.isAllDay === true,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: b.responseRequested !== false,
    showAs: (b.showAs as Event['showAs']) ?? 'busy',
    isDraft: false,
    isOnlineMeeting: online,
    onlineMeetingProvider: online
      ? ((b.onlineMeetingProvider as Event['onlineMeetingProvider']) ?? 'teamsForBusiness')
      : 'unknown',
    allowNewTimeProposals: b.allowNewTimeProposals !== false,
    hideAttendees: b.hideAttendees === true,
    recurrence: (b.recurrence as Event['recurrence']) ?? null,
    onlineMeeting: online ? teamsMeeting() : null,
    responseStatus: { response: 'organizer', time: NEVER },
    body: {
      contentType: ((b.body as Json)?.contentType as 'text' | 'html') ?? 'html',
      content: String((b.body as Json)?.content ?? ''),
    },
    start: b.start as Event['start'],
    end: b.end as Event['end'],
    location: locationOf(b.location),
    locations: b.location ? [locationOf(b.location)] : [],
    attendees,
    organizer: { emailAddress: { name: owner.displayName, address: owner.mail } },
  };
  validateTimes(e);
  if (e.recurrence?.range && !e.recurrence.range.recurrenceTimeZone) {
    e.recurrence.range.recurrenceTimeZone = e.start?.timeZone ?? 'UTC';
  }
  requireIana(e.start?.timeZone);
  const stored: StoredEvent = {
    id: outlookId(),
    mailboxId: owner.id,
    calendarId: calendar.id,
    event: e,
    organizerRef: null,
    cancelledDates: [],
    exceptions: {},
    seq: 0,
  };
  ctx.state.events.set(stored.id, stored);
  touch(ctx, stored, 'created');
  syncAttendeeCopies(ctx, stored, false);
  return stored;
}

function locationOf(raw: unknown): NonNullable<Event['location']> {
  const l = (raw ?? {}) as Json;
  return {
    displayName: typeof l.displayName === 'string' ? l.displayName : '',
    locationType: 'default',
    uniqueIdType: 'unknown',
    address: {},
    coordinates: {},
  };
}

/** Creates, updates or cancels attendee copies so they mirror the organizer's item. */
function syncAttendeeCopies(ctx: SimContext, org: StoredEvent, timesChanged: boolean): void {
  const wanted = new Map<string, UserRecord>();
  for (const a of org.event.attendees ?? []) {
    const u = ctx.state.findUser(a.emailAddress?.address ?? '');
    if (
      u &&
      u.id !== org.mailboxId &&
      u.mail.toLowerCase() === (a.emailAddress?.address ?? '').toLowerCase()
    ) {
      wanted.set(u.id, u);
    }
  }
  const copies = attendeeCopies(ctx, org);
  for (const copy of copies) {
    const stillInvited = wanted.has(copy.mailboxId);
    wanted.delete(copy.mailboxId);
    if (!stillInvited) {
      cancelCopy(ctx, copy);
      continue;
    }
    for (const f of SHARED_FIELDS) (copy.event as Json)[f] = structuredClone((org.event as Json)[f]);
    copy.cancelledDates = [...org.cancelledDates];
    copy.exceptions = structuredClone(org.exceptions);
    if (timesChanged) copy.event.responseStatus = { response: 'notResponded', time: NEVER };
    touch(ctx, copy, 'updated');
  }
  for (const u of wanted.values()) {
    const e: Event = structuredClone(org.event);
    e.isOrganizer = false;
    e.responseStatus = { response: 'notResponded', time: NEVER };
    e.showAs = 'tentative';
    e.transactionId = null;
    const copy: StoredEvent = {
      id: outlookId(),
      mailboxId: u.id,
      calendarId: defaultCalendar(ctx, u).id,
      event: e,
      organizerRef: { mailboxId: org.mailboxId, eventId: org.id },
      cancelledDates: [...org.cancelledDates],
      exceptions: structuredClone(org.exceptions),
      seq: 0,
    };
    ctx.state.events.set(copy.id, copy);
    touch(ctx, copy, 'created');
  }
}

export function attendeeCopies(ctx: SimContext, org: StoredEvent): StoredEvent[] {
  return [...ctx.state.events.values()].filter((s) => s.organizerRef?.eventId === org.id);
}

function cancelCopy(ctx: SimContext, copy: StoredEvent): void {
  if (copy.event.isCancelled) return;
  copy.event.isCancelled = true;
  copy.event.subject = `Canceled: ${copy.event.subject ?? ''}`;
  touch(ctx, copy, 'updated');
}

/** Finds an item (or an occurrence of one) in a mailbox; 404 ErrorItemNotFound otherwise. */
export function findEvent(
  ctx: SimContext,
  owner: UserRecord,
  id: string,
): { stored: StoredEvent; date: string | null } {
  const occ = parseOccurrenceId(id);
  const stored = ctx.state.events.get(occ ? occ.masterId : id);
  if (!stored || stored.mailboxId !== owner.id) throw notFound();
  if (occ && (stored.cancelledDates.includes(occ.date) || !stored.event.recurrence)) throw notFound();
  return { stored, date: occ?.date ?? null };
}

export function updateEvent(ctx: SimContext, owner: UserRecord, id: string, body: unknown): StoredEvent {
  const { stored, date } = findEvent(ctx, owner, id);
  if (!body || typeof body !== 'object') throw invalid('Empty Payload. JSON content expected.');
  const b = body as Json;
  for (const k of [
    'id',
    'iCalUId',
    'createdDateTime',
    'lastModifiedDateTime',
    'changeKey',
    'organizer',
    'isOrganizer',
    'type',
    'seriesMasterId',
  ]) {
    if (k in b && k !== 'organizer') throw invalid(`The property '${k}' is read-only and cannot be set.`);
  }
  const before = { start: storedStart(stored.event), end: storedEnd(stored.event) };
  if (date) {
    // Modifying one occurrence makes it an exception of the series.
    const ex = { ...(stored.exceptions[date] ?? {}) } as Json;
    for (const k of ['subject', 'body', 'start', 'end', 'location', 'showAs', 'isReminderOn'] as const) {
      if (k in b) ex[k] = k === 'location' ? locationOf(b[k]) : b[k];
    }
    stored.exceptions[date] = ex as Partial<Event>;
  } else {
    const next = structuredClone(stored.event) as Json;
    for (const [k, v] of Object.entries(b)) {
      if (k === 'attendees')
        next.attendees = mergeAttendees(stored.event.attendees ?? [], normalizeAttendees(v));
      else if (k === 'location') {
        next.location = locationOf(v);
        next.locations = [locationOf(v)];
      } else if (k === 'isOnlineMeeting') {
        next.isOnlineMeeting = v === true;
        if (v === true && !stored.event.onlineMeeting) {
          next.onlineMeeting = teamsMeeting();
          next.onlineMeetingProvider = 'teamsForBusiness';
        }
      } else next[k] = v;
    }
    validateTimes(next as Event);
    stored.event = next as Event;
  }
  touch(ctx, stored, 'updated');
  const timesChanged = before.start !== storedStart(stored.event) || before.end !== storedEnd(stored.event);
  if (stored.event.isOrganizer && !stored.organizerRef) {
    if (timesChanged)
      for (const a of stored.event.attendees ?? []) a.status = { response: 'none', time: NEVER };
    syncAttendeeCopies(ctx, stored, timesChanged);
  }
  return stored;
}

function mergeAttendees(old: Attendee[], next: Attendee[]): Attendee[] {
  return next.map((a) => {
    const prev = old.find(
      (o) => o.emailAddress?.address?.toLowerCase() === a.emailAddress?.address?.toLowerCase(),
    );
    return prev ? { ...a, status: prev.status } : a;
  });
}

/** DELETE: the organizer's delete cancels attendee copies; an occurrence delete cancels just that date. */
export function deleteEvent(ctx: SimContext, owner: UserRecord, id: string): void {
  const { stored, date } = findEvent(ctx, owner, id);
  if (date) {
    stored.cancelledDates.push(date);
    touch(ctx, stored, 'updated');
    ctx.state.recordMailboxChange(stored.mailboxId, id, true);
    if (!stored.organizerRef) syncAttendeeCopies(ctx, stored, false);
    return;
  }
  if (stored.event.recurrence) {
    // calendarView/delta clients hold occurrence ids, not the master's: tombstone every occurrence from a year
    // back to two years ahead (a bounded stand-in for "every occurrence the client may have seen").
    const now = ctx.clock.now();
    for (const occ of instancesIn(stored, now - 366 * 86_400_000, now + 731 * 86_400_000)) {
      ctx.state.recordMailboxChange(stored.mailboxId, occ.id, true);
    }
  }
  removeStored(ctx, stored);
  if (!stored.organizerRef) for (const copy of attendeeCopies(ctx, stored)) cancelCopy(ctx, copy);
}

/** POST …/cancel (organizer only): attendee copies become "Canceled: …" and the organizer's item goes away. */
export function cancelEvent(ctx: SimContext, owner: UserRecord, id: string): void {
  const { stored } = findEvent(ctx, owner, id);
  if (stored.organizerRef || !stored.event.isOrganizer) {
    throw new GraphError(
      400,
      'ErrorAccessDenied',
      "Your request can't be completed. You need to be an organizer to cancel a meeting.",
    );
  }
  deleteEvent(ctx, owner, id);
}

export type Rsvp = 'accepted' | 'declined' | 'tentativelyAccepted';

/** accept/decline/tentativelyAccept on an attendee copy: updates the copy and, if sendResponse, the organizer's item. */
export function respond(ctx: SimContext, owner: UserRecord, id: string, response: Rsvp, body: unknown): void {
  const { stored } = findEvent(ctx, owner, id);
  if (!stored.organizerRef) {
    throw new GraphError(
      400,
      'ErrorInvalidRequest',
      "Your request can't be completed. You can't respond to a meeting you organized.",
    );
  }
  if (stored.event.isCancelled)
    throw new GraphError(400, 'ErrorInvalidRequest', "You can't respond to a meeting that's been canceled.");
  const b = (body ?? {}) as Json;
  if (b.comment !== undefined && typeof b.comment !== 'string')
    throw invalid("Property 'comment' must be a string.");
  // proposedNewTime: decline/tentativelyAccept only, when the organizer allows proposals (documented rules).
  let proposed: { start: Json; end: Json } | null = null;
  if (b.proposedNewTime !== undefined && b.proposedNewTime !== null) {
    if (response === 'accepted') throw invalid("Property 'proposedNewTime' is not supported for accept.");
    if (stored.event.allowNewTimeProposals === false) {
      throw invalid('The organizer does not allow new time proposals for this meeting.');
    }
    const slot = b.proposedNewTime as { start?: Json; end?: Json };
    const ps = parseDateTimeTimeZone(slot.start as Json, 'proposedNewTime.start');
    const pe = parseDateTimeTimeZone(slot.end as Json, 'proposedNewTime.end');
    if (pe <= ps) throw invalid('The proposed end time must be after the proposed start time.');
    proposed = { start: slot.start as Json, end: slot.end as Json };
  }
  const time = graphInstant(ctx.clock.now());
  stored.event.responseStatus = { response, time };
  stored.event.showAs = response === 'accepted' ? 'busy' : response === 'declined' ? 'free' : 'tentative';
  touch(ctx, stored, 'updated');
  if (b.sendResponse === false) return;
  const org = ctx.state.events.get(stored.organizerRef.eventId);
  if (!org) return;
  for (const a of org.event.attendees ?? []) {
    if (a.emailAddress?.address?.toLowerCase() !== owner.mail.toLowerCase()) continue;
    a.status = { response, time };
    if (proposed) a.proposedNewTime = proposed as NonNullable<Attendee['proposedNewTime']>;
  }
  touch(ctx, org, 'updated');
}
