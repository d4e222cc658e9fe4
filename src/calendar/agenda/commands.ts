import type { CommandReply, Subcommand } from '../../core/commands/index.ts';
import { isAppError } from '../../core/errors.ts';
import type { CalendarCache } from '../cache.ts';
import { localDay } from '../time-zones.ts';
import { renderDay, zoneLine } from './render.ts';

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

/**
 * Agenda commands over the calendar cache (no Graph call): `today`, `tomorrow` and `viewcal [days]`, in the
 * user's mailbox time zone, from their local midnight, all events (no 20-event cap), declined ones left out.
 */
export function agendaSubcommands(cache: CalendarCache, clock: { now(): number }): Subcommand[] {
  const oneDay =
    (offset: number, title: string): Subcommand['run'] =>
    (ctx) =>
      fromCache(async () => {
        const { day, zone, events } = await cache.day(ctx.userId, offset);
        return { text: `${zoneLine(zone)}\n\n${renderDay(title, day, events, zone.iana)}` };
      });
  return [
    { name: 'today', summary: "Show today's meetings", needsAccount: true, run: oneDay(0, 'Today') },
    { name: 'tomorrow', summary: "Show tomorrow's meetings", needsAccount: true, run: oneDay(1, 'Tomorrow') },
    {
      name: 'viewcal',
      usage: '[days]',
      summary: 'Show your meetings for the next days (7 unless given, at most 14)',
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
            sections.push(renderDay(title, day, today, zone.iana));
          }
          const body = sections.length > 0 ? sections.join('\n\n') : `No meetings in the next ${days} days.`;
          return { text: `${zoneLine(zone)}\n\n${body}` };
        }),
    },
  ];
}
