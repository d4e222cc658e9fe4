/**
 * `POST /{user}/calendar/getSchedule` (graph-api.md §2.6): free/busy for up to 20 addresses over a window under
 * 62 days, with `availabilityView` one digit per interval: 0 free (or workingElsewhere), 1 tentative, 2 busy,
 * 3 oof; a slot takes the highest digit of the items overlapping it. Unknown addresses get a per-item error
 * with HTTP 200.
 */
import type { Handler } from '../context.ts';
import { mailboxUser } from '../graph/auth.ts';
import { workingHoursJson } from '../graph/users.ts';
import { badRequest } from '../graph-error.ts';
import { viewInstances } from './event-routes.ts';
import { preferredZone, renderInstance } from './instances.ts';
import { parseDateTimeTimeZone } from './time-zones.ts';

const DIGIT: Record<string, number> = {
  free: 0,
  workingElsewhere: 0,
  unknown: 0,
  tentative: 1,
  busy: 2,
  oof: 3,
};

export const getSchedule: Handler = (req, ctx) => {
  mailboxUser(req, ctx);
  const b = (req.body ?? {}) as {
    schedules?: unknown;
    startTime?: { dateTime?: string; timeZone?: string };
    endTime?: { dateTime?: string; timeZone?: string };
    availabilityViewInterval?: unknown;
  };
  if (!Array.isArray(b.schedules) || b.schedules.length === 0) {
    throw badRequest("The parameter 'Schedules' is required.", 'ErrorInvalidParameter');
  }
  if (b.schedules.length > 20) {
    throw badRequest('The number of schedules exceeds the limit of 20.', 'ErrorInvalidParameter');
  }
  const from = parseDateTimeTimeZone(b.startTime, 'StartTime');
  const to = parseDateTimeTimeZone(b.endTime, 'EndTime');
  if (to <= from) throw badRequest('The end time must be after the start time.', 'ErrorInvalidParameter');
  if (to - from >= 62 * 86_400_000) {
    throw badRequest('The requested time duration exceeds the limit of 62 days.', 'ErrorInvalidParameter');
  }
  const interval = b.availabilityViewInterval === undefined ? 30 : Number(b.availabilityViewInterval);
  if (!Number.isInteger(interval) || interval < 5 || interval > 1440) {
    throw badRequest('AvailabilityViewInterval must be between 5 and 1440.', 'ErrorInvalidParameter');
  }
  const zone = preferredZone(req);
  const slots = Math.ceil((to - from) / (interval * 60_000));
  const value = b.schedules.map((addr) => {
    const address = String(addr);
    const user = ctx.state.findUser(address);
    if (!user || user.mail.toLowerCase() !== address.toLowerCase()) {
      return {
        scheduleId: address,
        availabilityView: '',
        scheduleItems: [],
        workingHours: null,
        error: { message: 'The specified SMTP address is invalid.', responseCode: 'ErrorInvalidSmtpAddress' },
      };
    }
    const items = viewInstances(ctx, user, null, from, to).filter((i) => !i.stored.event.isCancelled);
    const view: number[] = new Array(slots).fill(0);
    for (const i of items) {
      const d = DIGIT[i.stored.event.showAs ?? 'busy'] ?? 2;
      for (let k = 0; k < slots; k++) {
        const s = from + k * interval * 60_000;
        const e = s + interval * 60_000;
        if (i.startMs < e && i.endMs > s) view[k] = Math.max(view[k] ?? 0, d);
      }
    }
    return {
      scheduleId: address,
      availabilityView: view.join(''),
      scheduleItems: items.map((i) => {
        const r = renderInstance(i, zone);
        const priv = i.stored.event.sensitivity === 'private';
        return {
          isPrivate: priv,
          status: i.stored.event.showAs ?? 'busy',
          subject: priv ? undefined : r.subject,
          location: priv ? undefined : (r.location?.displayName ?? ''),
          start: r.start,
          end: r.end,
        };
      }),
      workingHours: workingHoursJson(user),
    };
  });
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#Collection(microsoft.graph.scheduleInformation)`,
      value,
    },
  };
};
