/**
 * Calendar handlers: calendars, events CRUD, RSVP, cancel, instances and calendarView (graph-api.md §2).
 * `/events` lists single items and series masters; `calendarView` expands series within a required window.
 */
import type { Handler, SimContext, SimRequest } from '../context.ts';
import { mailboxUser } from '../graph/auth.ts';
import { collection } from '../graph/odata.ts';
import { badRequest, GraphError, notFound } from '../graph-error.ts';
import type { CalendarRecord, StoredEvent, UserRecord } from '../state.ts';
import { parseEventFilter } from './event-filter.ts';
import {
  cancelEvent,
  createEvent,
  defaultCalendar,
  deleteEvent,
  findEvent,
  type Rsvp,
  respond,
  updateEvent,
} from './events.ts';
import {
  type Instance,
  instancesIn,
  masterInstance,
  preferenceApplied,
  preferredZone,
  renderInstance,
} from './instances.ts';

const PAGE = { defaultSize: 10, maxTop: 1000 };

function calendarOf(req: SimRequest, ctx: SimContext, owner: UserRecord): CalendarRecord | null {
  const id = req.params.calendarId;
  if (id === undefined)
    return req.path.toLowerCase().includes('/calendar/') ? defaultCalendar(ctx, owner) : null;
  const cal = ctx.state.calendars.get(id);
  if (!cal || cal.ownerId !== owner.id) throw notFound();
  return cal;
}

function calendarJson(ctx: SimContext, c: CalendarRecord): Record<string, unknown> {
  const owner = ctx.state.users.get(c.ownerId);
  return {
    id: c.id,
    name: c.name,
    color: 'auto',
    hexColor: '',
    isDefaultCalendar: c.isDefaultCalendar,
    changeKey: c.changeKey,
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    isRemovable: !c.isDefaultCalendar,
    isTallyingResponses: true,
    allowedOnlineMeetingProviders: ['teamsForBusiness'],
    defaultOnlineMeetingProvider: 'teamsForBusiness',
    owner: { name: owner?.displayName ?? '', address: owner?.mail ?? '' },
  };
}

export const listCalendars: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  defaultCalendar(ctx, owner);
  const cals = [...ctx.state.calendars.values()]
    .filter((c) => c.ownerId === owner.id)
    .map((c) => calendarJson(ctx, c));
  return collection(ctx, req, `users('${owner.id}')/calendars`, cals, PAGE);
};

export const getCalendar: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  const cal = calendarOf(req, ctx, owner) ?? defaultCalendar(ctx, owner);
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#users('${owner.id}')/calendars/$entity`,
      ...calendarJson(ctx, cal),
    },
  };
};

function eventsOf(ctx: SimContext, owner: UserRecord, cal: CalendarRecord | null): StoredEvent[] {
  return [...ctx.state.events.values()].filter(
    (s) => s.mailboxId === owner.id && (!cal || s.calendarId === cal.id),
  );
}

function sortInstances(req: SimRequest, items: Instance[], allowed: string[]): Instance[] {
  const order = req.query.$orderby?.trim();
  if (!order) return items.sort((a, b) => a.startMs - b.startMs);
  const m = /^([\w/]+)(?:\s+(asc|desc))?$/i.exec(order);
  if (!m?.[1] || !allowed.includes(m[1]))
    throw badRequest(`The $orderby expression '${order}' is not supported.`, 'ErrorInvalidProperty');
  const dir = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
  const key = (i: Instance) =>
    m[1] === 'start/dateTime'
      ? i.startMs
      : m[1] === 'end/dateTime'
        ? i.endMs
        : Date.parse(String((i.stored.event as Record<string, unknown>)[m[1] ?? ''] ?? 0));
  return items.sort((a, b) => (key(a) - key(b)) * dir);
}

export const listEvents: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  const zone = preferredZone(req);
  let masters = eventsOf(ctx, owner, calendarOf(req, ctx, owner)).map(masterInstance);
  if (req.query.$filter) masters = masters.filter(parseEventFilter(req.query.$filter));
  const items = sortInstances(req, masters, [
    'start/dateTime',
    'end/dateTime',
    'createdDateTime',
    'lastModifiedDateTime',
  ]);
  const res = collection(
    ctx,
    req,
    `users('${owner.id}')/events`,
    items.map((i) => renderInstance(i, zone)),
    PAGE,
  );
  res.headers = { ...res.headers, ...preferenceApplied(req) };
  return res;
};

function renderOne(req: SimRequest, ctx: SimContext, owner: UserRecord, id: string, fallbackZone = 'UTC') {
  const { stored, date } = findEvent(ctx, owner, id);
  const zone = preferredZone(req, fallbackZone);
  let inst: Instance | undefined = masterInstance(stored);
  if (date) {
    // An exception may have been moved away from its original date; a year either side covers it.
    const at = Date.parse(`${date}T00:00:00Z`);
    inst = instancesIn(stored, at - 366 * 86_400_000, at + 366 * 86_400_000).find(
      (i) => i.originalDate === date,
    );
  }
  if (!inst) throw notFound();
  return {
    status: 200,
    headers: preferenceApplied(req),
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#users('${owner.id}')/events/$entity`,
      ...renderInstance(inst, zone),
    },
  };
}

export const getEvent: Handler = (req, ctx) =>
  renderOne(req, ctx, mailboxUser(req, ctx), req.params.eventId ?? '');

/** POST …/events → 201; the response uses the zone the client wrote in unless Prefer says otherwise. */
export const postEvent: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  const cal = calendarOf(req, ctx, owner) ?? defaultCalendar(ctx, owner);
  const stored = createEvent(ctx, owner, cal, req.body);
  const res = renderOne(req, ctx, owner, stored.id, stored.event.start?.timeZone ?? 'UTC');
  return { ...res, status: 201 };
};

/** `If-Match` with a stale `@odata.etag` → 412 (Exchange's optimistic concurrency). */
function checkIfMatch(req: SimRequest, ctx: SimContext, owner: UserRecord): void {
  const want = req.headers['if-match'];
  if (!want || want === '*') return;
  const { stored } = findEvent(ctx, owner, req.params.eventId ?? '');
  if (want !== `W/"${stored.event.changeKey}"`) {
    throw new GraphError(
      412,
      'ErrorIrresolvableConflict',
      'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
    );
  }
}

export const patchEvent: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  checkIfMatch(req, ctx, owner);
  const stored = updateEvent(ctx, owner, req.params.eventId ?? '', req.body);
  return renderOne(req, ctx, owner, req.params.eventId ?? stored.id, stored.event.start?.timeZone ?? 'UTC');
};

export const removeEvent: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  checkIfMatch(req, ctx, owner);
  deleteEvent(ctx, owner, req.params.eventId ?? '');
  return { status: 204 };
};

export const rsvp =
  (response: Rsvp): Handler =>
  (req, ctx) => {
    respond(ctx, mailboxUser(req, ctx), req.params.eventId ?? '', response, req.body);
    return { status: 202 };
  };

export const cancel: Handler = (req, ctx) => {
  cancelEvent(ctx, mailboxUser(req, ctx), req.params.eventId ?? '');
  return { status: 202 };
};

/** Parses the required calendarView window; the offset in the value decides, else UTC (graph-api.md §2.2). */
export function viewWindow(req: SimRequest): { from: number; to: number } {
  const s = req.query.startDateTime ?? req.query.StartDateTime;
  const e = req.query.endDateTime ?? req.query.EndDateTime;
  if (!s || !e) {
    throw badRequest(
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
      'ErrorInvalidParameter',
    );
  }
  const parse = (v: string) => {
    const withZone = /(Z|[+-]\d\d:?\d\d)$/i.test(v) ? v : `${v}Z`;
    const ms = Date.parse(withZone);
    if (Number.isNaN(ms))
      throw badRequest(`The value '${v}' of parameter 'StartDateTime' is invalid.`, 'ErrorInvalidParameter');
    return ms;
  };
  const from = parse(s);
  const to = parse(e);
  if (to < from) throw badRequest('The end of the time window is before its start.', 'ErrorInvalidParameter');
  return { from, to };
}

export function viewInstances(
  ctx: SimContext,
  owner: UserRecord,
  cal: CalendarRecord | null,
  from: number,
  to: number,
): Instance[] {
  return eventsOf(ctx, owner, cal)
    .flatMap((s) => instancesIn(s, from, to))
    .sort((a, b) => a.startMs - b.startMs);
}

export const calendarView: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  const { from, to } = viewWindow(req);
  const zone = preferredZone(req);
  const items = sortInstances(req, viewInstances(ctx, owner, calendarOf(req, ctx, owner), from, to), [
    'start/dateTime',
    'end/dateTime',
  ]);
  const res = collection(
    ctx,
    req,
    `users('${owner.id}')/calendarView`,
    items.map((i) => renderInstance(i, zone)),
    PAGE,
  );
  res.headers = { ...res.headers, ...preferenceApplied(req) };
  return res;
};

/** GET …/events/{seriesId}/instances?startDateTime&endDateTime: the occurrences of one series. */
export const instances: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  const { stored } = findEvent(ctx, owner, req.params.eventId ?? '');
  const { from, to } = viewWindow(req);
  const zone = preferredZone(req);
  const items = instancesIn(stored, from, to).map((i) => renderInstance(i, zone));
  return collection(ctx, req, `users('${owner.id}')/events('${stored.id}')/instances`, items, PAGE);
};
