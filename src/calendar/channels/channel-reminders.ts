import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { defineQueue, type JobRunner } from '../../jobs/index.ts';
import { CalendarChannelLinks, type LinkedOccurrence } from '../../store/calendar-channel-link.ts';
import { CalendarEvents } from '../../store/calendar-event.ts';
import { CalendarSyncs } from '../../store/calendar-sync.ts';
import type { Database } from '../../store/index.ts';
import type { ChannelPoster } from '../events/ports.ts';
import { fromRow } from '../sync/event-codec.ts';
import { resolveZone } from '../time-zones.ts';
import { detailLines, subjectOf } from './render.ts';

/** Once a minute: which linked channels' reminders fall due in the next two minutes. */
export const planChannelRemindersQueue = defineQueue({
  name: 'calendar.plan-channel-reminders',
  schema: z.object({}),
  concurrency: 'singleton',
  retry: { limit: 0, delaySeconds: 0, backoff: false },
});

/** One channel reminder, started at its exact time; `once` per (channel, meeting, start), as user reminders. */
export const channelReminderQueue = defineQueue({
  name: 'calendar.channel-reminder-at',
  schema: z.object({ channelId: z.string(), icalUid: z.string(), start: z.string().datetime() }),
  concurrency: 'once',
  retry: { limit: 3, delaySeconds: 10, backoff: true, maxDelaySeconds: 60 },
});

/** Linked channels are reminded this long before each occurrence. */
export const channelLeadMinutes = 10;
const planWindowMs = 2 * 60_000;

/**
 * Reminders in linked channels (issue 6 item 3, the channel half): once per linked channel per occurrence,
 * 10 minutes before, however many attendees are connected (the plugin posted once per attendee). The
 * minute cron finds linked occurrences in the cache of ANY user whose sync is active (the linker, or any
 * other connected attendee: a link outlives its linker's disconnection as long as someone connected holds
 * the meeting; when nobody does, nothing is posted) and enqueues one job per (channel, meeting, start) at
 * its exact time. Delivery re-reads the caches (a meeting moved or cancelled since is skipped; the moved
 * one has its own reminder) and posts with a key per (channel, meeting, start): exactly once.
 */
export class ChannelReminders {
  readonly #d: {
    db: Kysely<Database>;
    jobs: Pick<JobRunner, 'register' | 'send' | 'schedule'>;
    poster: ChannelPoster;
    clock: Clock;
    log: Logger;
  };

  constructor(deps: {
    db: Kysely<Database>;
    jobs: Pick<JobRunner, 'register' | 'send' | 'schedule'>;
    poster: ChannelPoster;
    clock: Clock;
    log: Logger;
  }) {
    this.#d = deps;
  }

  register(): void {
    this.#d.jobs.register(planChannelRemindersQueue, async () => {
      await this.plan(this.#d.clock.now());
    });
    this.#d.jobs.register(
      channelReminderQueue,
      async (p) => {
        await this.deliver({ channelId: p.channelId, icalUid: p.icalUid, start: new Date(p.start) });
      },
      { localConcurrency: 4 },
    );
  }

  /** After jobs start. */
  schedule(): Promise<void> {
    return this.#d.jobs.schedule(planChannelRemindersQueue, '* * * * *', {});
  }

  /** Enqueues the channel reminders falling due in [at, at + 2 min); returns them. */
  async plan(at: number): Promise<LinkedOccurrence[]> {
    const lead = channelLeadMinutes * 60_000;
    const due = await new CalendarChannelLinks(this.#d.db).occurrencesStarting(
      new Date(at + lead),
      new Date(at + lead + planWindowMs),
    );
    for (const o of due) {
      const start = o.start.toISOString();
      await this.#d.jobs.send(
        channelReminderQueue,
        { channelId: o.channelId, icalUid: o.icalUid, start },
        {
          singletonKey: `${o.channelId}:${o.icalUid}:${start}`,
          startAfter: new Date(o.start.getTime() - lead),
        },
      );
    }
    return due;
  }

  /** Posts one reminder if the occurrence is still on; at most once per (channel, meeting, start). */
  async deliver(r: { channelId: string; icalUid: string; start: Date }): Promise<'sent' | 'skipped'> {
    const found = await new CalendarChannelLinks(this.#d.db).occurrenceAt(r.channelId, r.icalUid, r.start);
    const row = found ? await new CalendarEvents(this.#d.db).get(found.user, found.eventId) : undefined;
    if (!found || !row) return 'skipped';
    const sync = await new CalendarSyncs(this.#d.db).get(found.user);
    const e = fromRow(row);
    const minutes = Math.max(0, Math.round((r.start.getTime() - this.#d.clock.now()) / 60_000));
    await this.#d.poster.post(
      r.channelId,
      [
        `⏰ Upcoming event: **${subjectOf(e)}** starts ${minutes <= 0 ? 'now' : `in ${minutes} minute${minutes === 1 ? '' : 's'}`}.`,
        ...detailLines(e, resolveZone(sync?.timeZone)),
      ].join('\n'),
      `calendar-channel-reminder:${r.channelId}:${r.icalUid}:${r.start.toISOString()}`,
    );
    return 'sent';
  }
}
