import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { CommandReply, Subcommand } from '../../core/commands/index.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { CalendarSummaries, type Database } from '../../store/index.ts';
import type { CalendarCache } from '../cache.ts';
import { describeDays } from '../summary/parse.ts';
import { localDay } from '../time-zones.ts';
import { messageBudget, renderDay, zoneLine } from './render.ts';
import { type MailboxWorkingDays, nextWorkingDayOffset, type WorkingDays } from './working-days.ts';

const notSynced: CommandReply = {
  text: 'Your calendar is not available right now: it is still being loaded after connecting, or the connection needs attention (`/mscalendar status`). Try again in a minute.',
};

/** Turns "calendar not synced" into a clear reply rather than an empty agenda (the plugin's #446). */
async function fromCache(run: () => Promise<CommandReply>): Promise<CommandReply> {
  try {
    return await run();
  } catch (err) {
    if (isAppError(err) && err.code === 'MM365_CALENDAR_NOT_SYNCED') return notSynced;
    throw err;
  }
}

export interface AgendaDeps {
  cache: CalendarCache;
  db: Kysely<Database>;
  clock: { now(): number };
  log: Logger;
  /** Outlook's working days; without it (or when it fails or has none) the summary days, then Mon–Fri. */
  mailbox?: MailboxWorkingDays;
}

/** How far ahead `day` reaches: the cache holds 30 days. */
const maxOffset = 30;
const weekdayNames = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * The user's working days: Outlook's working hours when the mailbox has them, else the days they chose for
 * the daily summary, else Mon–Fri (the plugin's fixed week). A Graph failure is logged and falls back, so
 * `tomorrow` still answers.
 */
export async function workingDaysOf(deps: AgendaDeps, user: string): Promise<WorkingDays> {
  if (deps.mailbox) {
    try {
      const days = await deps.mailbox.workingDays(user);
      if (days && days.length > 0) return { days, source: 'outlook' };
    } catch (err) {
      deps.log.warn({ err, user }, 'could not read Outlook working hours; using the summary days');
    }
  }
  const summary = await new CalendarSummaries(deps.db).get(user);
  if (summary && summary.weekdays.length > 0) return { days: summary.weekdays, source: 'summary' };
  return { days: [1, 2, 3, 4, 5], source: 'default' };
}

const sourceText = {
  outlook: 'your working hours in Outlook',
  summary: 'your daily-summary days',
  default: 'the usual week; set working hours in Outlook to change it',
} as const;

/**
 * Parses `day` arguments as an offset from the user's today: `+N`/`N` (0–30), `today`, `tomorrow`, a
 * weekday (its next occurrence, today included) or a date `yyyy-mm-dd` within the next 30 days. Returns a
 * reply text for anything else.
 */
export function dayOffset(arg: string | undefined, now: number, iana: string): number | string {
  const usage =
    'Use `/mscalendar day +1` (days from today, up to +30), a weekday (`/mscalendar day friday`) or a date (`/mscalendar day 2026-12-24`).';
  if (arg === undefined) return usage;
  const a = arg.trim().toLowerCase();
  const today = DateTime.fromMillis(now, { zone: iana }).startOf('day');
  let offset: number | undefined;
  if (a === 'today') offset = 0;
  else if (a === 'tomorrow') offset = 1;
  else if (/^\+?\d{1,3}$/.test(a)) offset = Number(a);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(a)) {
    const date = DateTime.fromISO(a, { zone: iana });
    if (!date.isValid) return `"${arg}" is not a date. ${usage}`;
    offset = Math.round(date.startOf('day').diff(today, 'days').days);
  } else if (a.length >= 2 && weekdayNames.some((d) => d.startsWith(a))) {
    const weekday = weekdayNames.findIndex((d) => d.startsWith(a)) + 1;
    offset = (weekday - today.weekday + 7) % 7;
  } else return `"${arg}" is not a day. ${usage}`;
  if (offset < 0 || offset > maxOffset) {
    return `"${arg}" is outside the next ${maxOffset} days, which is what the calendar keeps here. ${usage}`;
  }
  return offset;
}

/**
 * Agenda commands over the calendar cache (no Graph call, except reading Outlook's working days for
 * `tomorrow`): `today`, `tomorrow` (the next working day, #321), `day <when>` (any one day, e.g. the literal
 * tomorrow with `+1`) and `viewcal [days]`, in the user's mailbox time zone, from their local midnight, all
 * events (no 20-event cap), declined ones left out.
 */
export function agendaSubcommands(deps: AgendaDeps): Subcommand[] {
  const { cache, clock } = deps;
  const oneDay = async (user: string, offset: number, title: string, note = '') => {
    const { day, zone, events } = await cache.day(user, offset);
    return { text: `${zoneLine(zone)}${note}\n\n${renderDay(title, day, events, zone.iana)}` };
  };
  return [
    {
      name: 'today',
      summary: "Show today's meetings",
      needsAccount: true,
      run: (ctx) => fromCache(() => oneDay(ctx.userId, 0, 'Today')),
    },
    {
      name: 'tomorrow',
      summary: 'Show the meetings of your next working day (Monday, on a Friday)',
      needsAccount: true,
      run: (ctx) =>
        fromCache(async () => {
          const zone = await cache.zone(ctx.userId);
          const working = await workingDaysOf(deps, ctx.userId);
          const offset = nextWorkingDayOffset(clock.now(), zone.iana, working.days);
          if (offset === 1) return oneDay(ctx.userId, 1, 'Tomorrow');
          const tomorrow = DateTime.fromMillis(clock.now(), { zone: zone.iana }).plus({ days: 1 });
          const note = `\nTomorrow (${tomorrow.toFormat('cccc')}) is not one of your working days (${describeDays(working.days)}, from ${sourceText[working.source]}), so this is your next working day. For tomorrow itself: \`/mscalendar day +1\`.`;
          return oneDay(ctx.userId, offset, 'Your next working day', note);
        }),
    },
    {
      name: 'day',
      usage: '<+days | weekday | yyyy-mm-dd>',
      summary: 'Show the meetings of one day (`day +1` is tomorrow, even on a Friday)',
      needsAccount: true,
      run: (ctx) =>
        fromCache(async () => {
          const zone = await cache.zone(ctx.userId);
          const offset = dayOffset(ctx.args[0], clock.now(), zone.iana);
          if (typeof offset === 'string') return { text: offset };
          return oneDay(ctx.userId, offset, offset === 0 ? 'Today' : offset === 1 ? 'Tomorrow' : '');
        }),
    },
    {
      name: 'viewcal',
      usage: '[days]',
      summary: 'Show your meetings for the next days from today (7 unless given, at most 14)',
      needsAccount: true,
      run: (ctx) =>
        fromCache(async () => {
          const days = ctx.args[0] === undefined ? 7 : Number(ctx.args[0]);
          if (!Number.isInteger(days) || days < 1 || days > 14) {
            return {
              text: `"${ctx.args[0]}" is not a number of days. Use 1 to 14, for example \`/mscalendar viewcal 3\`.`,
            };
          }
          const zone = await cache.zone(ctx.userId);
          const first = localDay(clock.now(), zone.iana, 0);
          const last = localDay(clock.now(), zone.iana, days - 1);
          const events = await cache.between(ctx.userId, first.start, last.end, { iana: zone.iana });
          const sections: string[] = [];
          const header = zoneLine(zone);
          let used = header.length + 200; // the header and a possible "more days" line
          let cutAt: string | undefined;
          for (let i = 0; i < days; i++) {
            const day = localDay(clock.now(), zone.iana, i);
            // All-day events are floating dates: they belong to the days their dates cover, wherever the user is.
            const today = events.filter((e) =>
              e.isAllDay && e.startDate && e.endDate
                ? e.startDate <= day.date && day.date < e.endDate
                : e.start < day.end && e.end > day.start,
            );
            if (today.length === 0 && days > 1) continue;
            const title = i === 0 ? 'Today' : i === 1 ? 'Tomorrow' : '';
            const whole = renderDay(title, day, today, zone.iana);
            // A day that does not fit whole starts where the next reply goes on; only a first day too long
            // on its own is cut inside (at a row).
            if (sections.length > 0 && used + whole.length + 2 > messageBudget) {
              cutAt = day.date;
              break;
            }
            const section =
              used + whole.length + 2 > messageBudget
                ? renderDay(title, day, today, zone.iana, messageBudget - used)
                : whole;
            sections.push(section);
            used += section.length + 2;
          }
          const body = sections.length > 0 ? sections.join('\n\n') : `No meetings in the next ${days} days.`;
          const more = cutAt
            ? `\n\nThe days from ${cutAt} on did not fit in one message: \`/mscalendar day ${cutAt}\` shows that day, and so on.`
            : '';
          return { text: `${header}\n\n${body}${more}` };
        }),
    },
  ];
}
