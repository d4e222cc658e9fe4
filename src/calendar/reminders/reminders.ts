import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { defineQueue, type JobRunner } from '../../jobs/index.ts';
import { CalendarEvents } from '../../store/calendar-event.ts';
import { CalendarSyncs } from '../../store/calendar-sync.ts';
import { CalendarReminders, type Database, type DueReminder } from '../../store/index.ts';
import { cellText } from '../agenda/render.ts';
import type { CalendarSetting } from '../settings/setting.ts';
import type { PromptButton, PromptDms } from '../status/ports.ts';
import type { SummaryMessenger } from '../summary/daily-summary.ts';
import { fromRow } from '../sync/event-codec.ts';
import { resolveZone } from '../time-zones.ts';
import { reminderErrors } from './errors.ts';

/** Once a minute: which reminders fall due in the next two minutes (overlapping windows: nothing is missed). */
export const planRemindersQueue = defineQueue({
  name: 'calendar.plan-reminders',
  schema: z.object({}),
  concurrency: 'singleton',
  retry: { limit: 0, delaySeconds: 0, backoff: false },
});

/**
 * One reminder, started at its exact time; `once` per (user, event, start): the overlapping planning windows
 * queue it once (the benchmark saw every reminder queued twice under `singleton`; the DM key absorbed it).
 */
export const reminderQueue = defineQueue({
  name: 'calendar.reminder-at',
  schema: z.object({ user: z.string(), eventId: z.string(), start: z.string().datetime() }),
  concurrency: 'once',
  retry: { limit: 3, delaySeconds: 10, backoff: true, maxDelaySeconds: 60 },
});

const planWindowMs = 2 * 60_000;

/** The action id of a reminder's "Join meeting" button. */
export const joinMeetingAction = 'calendar.reminder.join';

/** Adds a status question to a reminder (status sync, gcal #54: one message, not two). */
export type ReminderQuestion = (
  user: string,
  event: { id: string; start: Date },
) => Promise<{ line: string; buttons: PromptButton[] } | null>;

/**
 * Meeting reminders, exactly once per event occurrence per user, N minutes before (5, 10 or 15; 10 unless
 * chosen; off possible). A minute cron runs one query over the cache for every user and enqueues each due
 * reminder to start at its exact time. When it runs, the reminder re-reads the cache: a meeting moved,
 * cancelled or declined since is skipped (the moved one has its own reminder at its new time). The DM carries
 * a key per (user, event, start), so overlapping planning windows, retries or two replicas send it once.
 */
export class MeetingReminders {
  readonly #db: Kysely<Database>;
  readonly #settings: CalendarReminders;
  readonly #d: {
    jobs: JobRunner;
    messenger: SummaryMessenger;
    prompts?: PromptDms;
    question?: ReminderQuestion;
    clock: Clock;
    log: Logger;
  };

  /**
   * `prompts` (bot DMs with buttons) gives the reminder its "Join meeting" button and lets `question` (status
   * sync) add its buttons to the same message; without it reminders are plain DMs with a Markdown link.
   */
  constructor(deps: {
    db: Kysely<Database>;
    jobs: JobRunner;
    messenger: SummaryMessenger;
    prompts?: PromptDms;
    question?: ReminderQuestion;
    clock: Clock;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#settings = new CalendarReminders(deps.db);
    this.#d = deps;
  }

  register(): void {
    this.#d.jobs.register(planRemindersQueue, async () => {
      await this.plan(this.#d.clock.now());
    });
    this.#d.jobs.register(
      reminderQueue,
      async (p) => {
        await this.deliver({ user: p.user, eventId: p.eventId, start: new Date(p.start) });
      },
      { localConcurrency: 4 },
    );
  }

  /** After jobs start. */
  schedule(): Promise<void> {
    return this.#d.jobs.schedule(planRemindersQueue, '* * * * *', {});
  }

  /** Enqueues the reminders falling due in [at, at + 2 min); returns them. */
  async plan(at: number): Promise<DueReminder[]> {
    const due = await this.#settings.due(new Date(at), new Date(at + planWindowMs));
    for (const r of due) {
      const start = r.start.toISOString();
      await this.#d.jobs.send(
        reminderQueue,
        { user: r.user, eventId: r.eventId, start },
        {
          singletonKey: `${r.user}:${r.eventId}:${start}`,
          startAfter: new Date(r.start.getTime() - r.leadMinutes * 60_000),
        },
      );
    }
    return due;
  }

  /** Sends one reminder if the meeting is still on at that time; at most once per (user, event, start). */
  async deliver(r: { user: string; eventId: string; start: Date }): Promise<'sent' | 'skipped'> {
    const row = await new CalendarEvents(this.#db).get(r.user, r.eventId);
    const sync = await new CalendarSyncs(this.#db).get(r.user);
    if (
      !row ||
      sync?.status !== 'active' ||
      row.isCancelled ||
      row.declined ||
      row.start.getTime() !== r.start.getTime()
    ) {
      return 'skipped';
    }
    const e = fromRow(row);
    const zone = resolveZone(sync.timeZone);
    const minutes = Math.max(0, Math.round((r.start.getTime() - this.#d.clock.now()) / 60_000));
    const at = DateTime.fromJSDate(r.start, { zone: zone.iana }).toFormat('h:mm a');
    const title = cellText(e.subject.trim() === '' ? '(No subject)' : e.subject);
    const lines = [
      `⏰ **${e.webLink ? `[${title}](${e.webLink})` : title}** starts ${minutes <= 0 ? 'now' : `in ${minutes} minute${minutes === 1 ? '' : 's'}`} (${at}${zone.fallback ? ' UTC' : ''}).`,
      ...(e.location ? [`Where: ${cellText(e.location)}`] : []),
      ...(e.joinUrl ? [`[Join the meeting](${e.joinUrl})`] : []),
    ];
    const key = `calendar-reminder:${r.user}:${r.eventId}:${r.start.toISOString()}`;
    const buttons: PromptButton[] = [];
    if (this.#d.prompts) {
      if (e.joinUrl) {
        buttons.push({
          actionId: joinMeetingAction,
          name: 'Join meeting',
          style: 'primary',
          data: { eventId: e.id },
        });
      }
      const question = await this.#d.question?.(r.user, { id: e.id, start: r.start });
      if (question) {
        lines.push(question.line);
        buttons.push(...question.buttons);
      }
    }
    if (this.#d.prompts && buttons.length > 0)
      await this.#d.prompts.dm(r.user, lines.join('\n'), buttons, key);
    else await this.#d.messenger.dm(r.user, lines.join('\n'), key);
    return 'sent';
  }

  /**
   * A click on "Join meeting": the current join link of that event, from the cache (a link changed since
   * the reminder is the new one). Returns the reply text, and the URL for Mattermost to open when there is one.
   */
  async joinLink(user: string, eventId: string): Promise<{ text: string; url?: string }> {
    const row = await new CalendarEvents(this.#db).get(user, eventId);
    const e = row ? fromRow(row) : undefined;
    if (!e || e.isCancelled) return { text: 'This meeting is no longer on your calendar.' };
    if (!e.joinUrl) return { text: 'This meeting has no online meeting link any more.' };
    const title = cellText(e.subject.trim() === '' ? '(No subject)' : e.subject);
    return { text: `🔗 [Join ${title}](${e.joinUrl})`, url: e.joinUrl };
  }

  /** The reminder lead as a setting for the settings panel (the same value `/mscalendar reminders` sets). */
  setting(): CalendarSetting {
    const values = ['5', '10', '15', 'off'];
    return {
      id: 'reminders.lead',
      title: 'Meeting reminders',
      description: 'A DM before each meeting, with its join link.',
      options: values.map((value) => ({ value, label: value === 'off' ? 'Off' : `${value} min before` })),
      control: 'buttons',
      current: async (user) => {
        const lead = await this.#settings.lead(user);
        return lead === 0 ? 'off' : String(lead);
      },
      apply: async (user, value) => {
        if (!values.includes(value)) {
          throw new AppError(
            reminderErrors.MM365_CALENDAR_REMINDER_LEAD_INVALID,
            `"${value}" is not a choice. Choose 5, 10, 15 or off.`,
            { details: { value } },
          );
        }
        await this.#settings.setLead(
          user,
          value === 'off' ? 0 : Number(value),
          new Date(this.#d.clock.now()),
        );
      },
      welcome: { question: 'How long before each meeting should I remind you?' },
    };
  }

  remove(user: string): Promise<void> {
    return this.#settings.delete(user);
  }

  /** `/mscalendar reminders [5|10|15|off]`. */
  subcommand(): Subcommand {
    return {
      name: 'reminders',
      usage: '[5 | 10 | 15 | off]',
      summary: 'Choose how long before a meeting you are reminded, or turn reminders off',
      needsAccount: true,
      run: async (ctx) => {
        const choice = ctx.args[0]?.toLowerCase();
        if (choice !== undefined) {
          const minutes = choice === 'off' ? 0 : Number(choice);
          if (![0, 5, 10, 15].includes(minutes)) {
            return {
              text: `"${ctx.args[0]}" is not a choice. Use \`/mscalendar reminders 5\`, \`10\`, \`15\` or \`off\`.`,
            };
          }
          await this.#settings.setLead(ctx.userId, minutes, new Date(this.#d.clock.now()));
        }
        const lead = await this.#settings.lead(ctx.userId);
        return {
          text:
            lead === 0
              ? 'Meeting reminders are off. Turn them on with `/mscalendar reminders 10`.'
              : `You are reminded ${lead} minutes before each meeting, with its join link.`,
        };
      },
    };
  }
}
