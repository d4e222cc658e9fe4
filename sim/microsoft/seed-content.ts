/**
 * Applies the content part of a seed (events, teams, chats) after users and apps exist. Kept apart from
 * seed.ts so the schema file does not import every resource module. Seed content is written through the same
 * store functions the Graph handlers use, so seeded items look exactly like API-created ones.
 */
import { DateTime } from 'luxon';
import { createEvent, defaultCalendar } from './calendar/events.ts';
import { requireIana } from './calendar/time-zones.ts';
import type { SimContext } from './context.ts';
import { CLIENT_SESSION, presenceOf } from './presence/presence.ts';
import type { Seed, SeedWhen } from './seed.ts';
import { seedTeamsContent } from './teams/seed-teams.ts';

function resolveWhen(ctx: SimContext, w: SeedWhen): { dateTime: string; timeZone: string } {
  if ('dateTime' in w) return w;
  const zone = requireIana(w.timeZone);
  const day = DateTime.fromMillis(ctx.clock.now(), { zone }).startOf('day').plus({ days: w.day });
  return { dateTime: `${day.toISODate()}T${w.time}:00`, timeZone: w.timeZone };
}

function userByKey(ctx: SimContext, key: string) {
  const u = ctx.state.findUser(key);
  if (!u) throw new Error(`seed refers to unknown user '${key}'`);
  return u;
}

export function applyContentSeed(ctx: SimContext, seed: Seed): void {
  for (const ev of seed.events) {
    const organizer = userByKey(ctx, ev.organizer);
    const start = resolveWhen(ctx, ev.start);
    const recurrence = ev.recurrence
      ? (structuredClone(ev.recurrence) as { range?: { startDate?: string } })
      : undefined;
    if (recurrence?.range?.startDate === 'TODAY') recurrence.range.startDate = start.dateTime.slice(0, 10);
    createEvent(ctx, organizer, defaultCalendar(ctx, organizer), {
      subject: ev.subject,
      body: { contentType: 'html', content: ev.body ?? '' },
      start,
      end: resolveWhen(ctx, ev.end),
      isAllDay: ev.isAllDay ?? false,
      showAs: ev.showAs,
      location: ev.location ? { displayName: ev.location } : undefined,
      isOnlineMeeting: ev.isOnlineMeeting ?? false,
      recurrence,
      attendees: ev.attendees.map((k) => {
        const u = userByKey(ctx, k);
        return { type: 'required', emailAddress: { address: u.mail, name: u.displayName } };
      }),
    });
  }
  seedTeamsContent(ctx, seed);
  // Members are signed in to Teams (an open-ended client session, Available); guests start Offline.
  for (const u of ctx.state.users.values()) {
    if (u.userType !== 'Member') continue;
    presenceOf(ctx, u.id).sessions.set(CLIENT_SESSION, {
      sessionId: CLIENT_SESSION,
      availability: 'Available',
      activity: 'Available',
      expiresAt: Number.MAX_SAFE_INTEGER,
    });
  }
}
