/**
 * Users, `/me` and mailboxSettings (graph-api.md §2.5). The default user shape is Graph's default `$select`
 * set; other properties (userType, accountEnabled…) appear only when selected, as in Graph.
 */

import { isKnownTimeZone } from '../calendar/time-zones.ts';
import type { Handler, SimContext, SimRequest } from '../context.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import type { UserRecord } from '../state.ts';
import { denied, directoryUser, mailboxUser, principalOf } from './auth.ts';
import { applySelect, collection } from './odata.ts';

export function userJson(u: UserRecord, req: SimRequest): Record<string, unknown> {
  const full: Record<string, unknown> = {
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    id: u.id,
  };
  if (!req.query.$select) return full;
  return applySelect({ ...full, userType: u.userType, accountEnabled: u.accountEnabled }, req);
}

/** Scopes that let a delegated caller read users other than itself (User.Read covers only the signed-in user). */
const READ_OTHERS = ['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'];

export const getUser: Handler = (req, ctx) => {
  const u = directoryUser(req, ctx);
  const p = principalOf(req);
  if (p.kind === 'delegated' && p.userId !== u.id && !READ_OTHERS.some((s) => p.scopes.has(s)))
    throw denied();
  const fragment = req.params.userId === undefined ? 'users/$entity' : 'users/$entity';
  return {
    status: 200,
    body: { '@odata.context': `${ctx.urls.graph}/$metadata#${fragment}`, ...userJson(u, req) },
  };
};

/** `GET /users`: supports `$filter` on mail/userPrincipalName/id eq (what the product needs), `$top`, `$select`. */
export const listUsers: Handler = (req, ctx) => {
  let users = [...ctx.state.users.values()];
  const filter = req.query.$filter;
  if (filter) {
    const m = /^(mail|userPrincipalName|id|displayName)\s+eq\s+'([^']*)'$/i.exec(filter.trim());
    if (!m?.[1])
      throw badRequest(
        `Invalid filter clause: unsupported expression '${filter}'.`,
        'Request_UnsupportedQuery',
      );
    const field = m[1].toLowerCase();
    const value = (m[2] ?? '').toLowerCase();
    users = users.filter((u) => {
      const v =
        field === 'mail'
          ? u.mail
          : field === 'id'
            ? u.id
            : field === 'displayname'
              ? u.displayName
              : u.userPrincipalName;
      return v.toLowerCase() === value;
    });
  }
  const rendered = users.map((u) => userJson(u, { ...req, query: { ...req.query, $select: '' } }));
  return collection(ctx, req, 'users', rendered, { defaultSize: 100, maxTop: 999, rejectOverMax: true });
};

export function mailboxSettingsJson(u: UserRecord): Record<string, unknown> {
  return {
    archiveFolder: `AAMkAD${Buffer.from(`${u.id}-archive`).toString('base64url')}`,
    timeZone: u.timeZone,
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
    dateFormat: 'yyyy-MM-dd',
    timeFormat: 'HH:mm',
    userPurpose: 'user',
    automaticRepliesSetting: {
      status: 'disabled',
      externalAudience: 'all',
      internalReplyMessage: '',
      externalReplyMessage: '',
      scheduledStartDateTime: { dateTime: '2020-01-01T00:00:00.0000000', timeZone: 'UTC' },
      scheduledEndDateTime: { dateTime: '2020-01-02T00:00:00.0000000', timeZone: 'UTC' },
    },
    language: { locale: 'en-US', displayName: 'English (United States)' },
    workingHours: workingHoursJson(u),
  };
}

export function workingHoursJson(u: UserRecord): Record<string, unknown> {
  const wh = u.workingHours;
  const timeZone = u.customTimeZone
    ? {
        '@odata.type': '#microsoft.graph.customTimeZone',
        bias: 0,
        name: 'Customized Time Zone',
        standardOffset: {
          time: '03:00:00.0000000',
          dayOccurrence: 5,
          dayOfWeek: 'sunday',
          month: 10,
          year: 0,
        },
        daylightOffset: {
          daylightBias: -60,
          time: '01:00:00.0000000',
          dayOccurrence: 5,
          dayOfWeek: 'sunday',
          month: 3,
          year: 0,
        },
      }
    : { name: wh.timeZone };
  return { daysOfWeek: wh.daysOfWeek, startTime: wh.startTime, endTime: wh.endTime, timeZone };
}

export const getMailboxSettings: Handler = (req, ctx) => {
  const u = mailboxUser(req, ctx);
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#users('${u.id}')/mailboxSettings`,
      ...applySelect(mailboxSettingsJson(u), req),
    },
  };
};

export const getMailboxTimeZone: Handler = (req, ctx) => {
  const u = mailboxUser(req, ctx);
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#users('${u.id}')/mailboxSettings/timeZone`,
      value: u.timeZone,
    },
  };
};

/** PATCH mailboxSettings: timeZone and workingHours are writable; unknown zones are refused like Exchange does. */
export const patchMailboxSettings: Handler = (req, ctx) => {
  const u = mailboxUser(req, ctx);
  const body = (req.body ?? {}) as {
    timeZone?: unknown;
    workingHours?: Partial<UserRecord['workingHours']> & { timeZone?: { name?: string } };
  };
  if (body.timeZone !== undefined) {
    if (typeof body.timeZone !== 'string' || !isKnownTimeZone(body.timeZone)) {
      throw new GraphError(400, 'ErrorInvalidTimeZone', "The specified time zone isn't valid.");
    }
    u.timeZone = body.timeZone;
  }
  if (body.workingHours) {
    const wh = body.workingHours;
    if (wh.daysOfWeek) u.workingHours.daysOfWeek = wh.daysOfWeek;
    if (wh.startTime) u.workingHours.startTime = wh.startTime;
    if (wh.endTime) u.workingHours.endTime = wh.endTime;
    if (wh.timeZone?.name) {
      u.workingHours.timeZone = wh.timeZone.name;
      u.customTimeZone = false;
    }
  }
  return getMailboxSettings(req, ctx as SimContext);
};
