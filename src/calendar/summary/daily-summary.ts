import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { CommandReply, Subcommand } from '../../core/commands/index.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { defineQueue, type JobRunner } from '../../jobs/index.ts';
import { CalendarSummaries, type Database, type SummarySetting } from '../../store/index.ts';
import { renderDay, zoneLine } from '../agenda/render.ts';
import type { CalendarCache } from '../cache.ts';
import { cronOf, describeDays, parseDays, parseTime } from './parse.ts';

/** Sends one message from the bot to a user; the same key never sends twice (a retried job). */
export interface SummaryMessenger {
  dm(user: string, markdown: string, key: string): Promise<void>;
}

export const dailySummaryQueue = defineQueue({
  name: 'calendar.daily-summary',
  schema: z.object({ user: z.string().min(1) }),
  concurrency: 'singleton',
  retry: { limit: 3, delaySeconds: 30, backoff: true },
});

/**
 * Re-schedules one user's summary in their mailbox's current zone. Queued by the sync, inside the round
 * that saw the zone change (onZoneChanged), so each change is acted on once; running it again is harmless.
 */
export const summaryRescheduleQueue = defineQueue({
  name: 'calendar.summary-reschedule',
  schema: z.object({ user: z.string().min(1) }),
  concurrency: 'singleton',
  retry: { limit: 5, delaySeconds: 10, backoff: true },
});

const defaults: SummarySetting = { enabled: false, localTime: '08:00', weekdays: [1, 2, 3, 4, 5] };

/**
 * The daily summary: each user's choice of time and weekdays becomes a pg-boss schedule keyed by the user, in
 * their mailbox's time zone, so it arrives at their 08:30 wherever they are, on their days (default Mon–Fri,
 * the plugin's #56), once (one job per cron slot; the DM carries a key per day). It reads the calendar cache:
 * all of today's events, declined ones left out; an unavailable calendar is reported as such, never as "no
 * meetings" (the plugin's #446).
 */
export class DailySummary {
  readonly #settings: CalendarSummaries;
  readonly #d: {
    jobs: JobRunner;
    cache: CalendarCache;
    messenger: SummaryMessenger;
    clock: Clock;
    log: Logger;
  };

  constructor(deps: {
    db: Kysely<Database>;
    jobs: JobRunner;
    cache: CalendarCache;
    messenger: SummaryMessenger;
    clock: Clock;
    log: Logger;
  }) {
    this.#settings = new CalendarSummaries(deps.db);
    this.#d = deps;
  }

  /** Registers the job handler; call before jobs start. */
  register(): void {
    this.#d.jobs.register(dailySummaryQueue, async ({ user }) => {
      await this.send(user);
    });
    this.#d.jobs.register(summaryRescheduleQueue, async ({ user }) => {
      await this.reschedule(user);
    });
  }

  /**
   * The sync's zone listener (CalendarSync.onZoneChange): queues the user's re-schedule in the round's
   * transaction. Users without a summary get a job that finds nothing to do; a summary turned on later is
   * scheduled in the zone of that moment anyway.
   */
  async onZoneChanged(tx: Kysely<Database>, user: string): Promise<void> {
    await this.#d.jobs.send(summaryRescheduleQueue, { user }, { tx, singletonKey: user });
  }

  /**
   * Puts the user's schedule on their mailbox's current zone (same time and days). Nothing to do when the
   * summary is off or the calendar is not synced (a reconnect re-reads the zone and queues this again).
   * Returns the zone scheduled in, or null.
   */
  async reschedule(user: string): Promise<string | null> {
    const setting = await this.#settings.get(user);
    if (!setting?.enabled) return null;
    const zone = await this.#d.cache.zone(user).catch((err: unknown) => {
      if (isAppError(err) && err.code === 'MM365_CALENDAR_NOT_SYNCED') return undefined;
      throw err;
    });
    if (!zone) return null;
    await this.#d.jobs.schedule(
      dailySummaryQueue,
      cronOf(setting.localTime, setting.weekdays),
      { user },
      { tz: zone.iana, key: user },
    );
    this.#d.log.info({ user, tz: zone.iana }, 'daily summary re-scheduled in the new mailbox zone');
    return zone.iana;
  }

  /** Builds and sends today's summary for `user` now (the scheduled job, and `summary view`). */
  async send(user: string): Promise<void> {
    const setting = await this.#settings.get(user);
    if (!setting?.enabled) return;
    let text: string;
    let date: string;
    try {
      const { day, zone, events } = await this.#d.cache.day(user, 0);
      date = day.date;
      text = `**Your daily summary**\n${zoneLine(zone)}\n\n${renderDay('Today', day, events, zone.iana)}`;
    } catch (err) {
      if (!isAppError(err) || err.code !== 'MM365_CALENDAR_NOT_SYNCED') throw err;
      date = DateTime.fromMillis(this.#d.clock.now()).toISODate() as string;
      text =
        'Your daily summary could not be prepared: your calendar is not available right now (see `/mscalendar status`).';
    }
    await this.#d.messenger.dm(user, text, `calendar-summary:${user}:${date}`);
  }

  /** The user's setting as it is acted on: the stored one, or the defaults (off, 08:00, Mon–Fri). */
  async setting(user: string): Promise<SummarySetting> {
    return { ...defaults, ...(await this.#settings.get(user)) };
  }

  /** Applies a change, stores it and (re)schedules or unschedules the user's job. */
  async update(user: string, change: Partial<SummarySetting>): Promise<SummarySetting> {
    const next = { ...defaults, ...(await this.#settings.get(user)), ...change };
    if (next.enabled) {
      // Throws MM365_CALENDAR_NOT_SYNCED when the zone is not known yet: nothing is stored then.
      const zone = await this.#d.cache.zone(user);
      await this.#d.jobs.schedule(
        dailySummaryQueue,
        cronOf(next.localTime, next.weekdays),
        { user },
        { tz: zone.iana, key: user },
      );
    } else {
      await this.#d.jobs.unschedule(dailySummaryQueue, user);
    }
    await this.#settings.put(user, next, new Date(this.#d.clock.now()));
    return next;
  }

  /** Forgets the user's setting and schedule (disconnect). */
  async remove(user: string): Promise<void> {
    await this.#d.jobs.unschedule(dailySummaryQueue, user);
    await this.#settings.delete(user);
  }

  async #describe(user: string, s: SummarySetting | undefined): Promise<string> {
    if (!s?.enabled)
      return 'Your daily summary is off. Turn it on with `/mscalendar summary time 08:30` (and choose days with `/mscalendar summary days mon-fri`).';
    const zone = await this.#d.cache.zone(user).catch(() => undefined);
    if (zone?.fallback) {
      // Scheduled in UTC: say so, and why, rather than name a zone we could not use.
      return `Your daily summary is sent at ${s.localTime} UTC on ${describeDays(s.weekdays)}. ${zoneLine(zone)}`;
    }
    const where = zone ? ` (${zone.source ?? zone.iana})` : '';
    return `Your daily summary is sent at ${s.localTime}${where} on ${describeDays(s.weekdays)}.`;
  }

  /** `/mscalendar summary [time <t> | days <d> | on | off | view]`. */
  subcommand(): Subcommand {
    const usage =
      'Use `/mscalendar summary` (show), `summary time 08:30`, `summary days mon-fri`, `summary on`, `summary off` or `summary view`.';
    return {
      name: 'summary',
      usage: '[time <hh:mm> | days <days> | on | off | view]',
      summary: 'Set up or view your daily summary',
      needsAccount: true,
      run: async (ctx): Promise<CommandReply> => {
        const [action, ...rest] = ctx.args;
        const user = ctx.userId;
        const value = rest.join(' ');
        try {
          switch (action?.toLowerCase()) {
            case undefined:
            case 'settings':
              return { text: await this.#describe(user, await this.#settings.get(user)) };
            case 'time':
              return {
                text: await this.#describe(
                  user,
                  await this.update(user, { localTime: parseTime(value), enabled: true }),
                ),
              };
            case 'days':
              return {
                text: await this.#describe(user, await this.update(user, { weekdays: parseDays(value) })),
              };
            case 'on':
            case 'enable':
              return { text: await this.#describe(user, await this.update(user, { enabled: true })) };
            case 'off':
            case 'disable':
              return { text: await this.#describe(user, await this.update(user, { enabled: false })) };
            case 'view':
            case 'today': {
              const { day, zone, events } = await this.#d.cache.day(user, 0);
              return { text: `${zoneLine(zone)}\n\n${renderDay('Today', day, events, zone.iana)}` };
            }
            default:
              return { text: `Unknown summary option \`${action}\`. ${usage}` };
          }
        } catch (err) {
          if (isAppError(err) && err.code === 'MM365_CALENDAR_NOT_SYNCED') {
            return {
              text: 'Your calendar is still being loaded (or needs attention: `/mscalendar status`). Try again in a minute.',
            };
          }
          throw err;
        }
      },
    };
  }
}
