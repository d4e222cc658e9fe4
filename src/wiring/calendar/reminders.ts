import { z } from 'zod';
import { joinMeetingAction, MeetingReminders, type StatusSync } from '../../calendar/index.ts';
import { botDms } from './messenger.ts';
import type { CalendarPart, CalendarWiringDeps } from './part.ts';
import { promptDms } from './status.ts';

const joinData = z.object({ eventId: z.string().min(1) });

/**
 * Meeting reminders: a minute planning cron over the cache and an exact-time job per reminder. A reminder
 * with a join link has a "Join meeting" button; when status sync wants to ask before changing the status,
 * its question rides in the same reminder (one message, gcal #54).
 */
export function remindersPart(
  deps: CalendarWiringDeps,
  status?: StatusSync,
): CalendarPart & { reminders: MeetingReminders } {
  const reminders = new MeetingReminders({
    db: deps.store.db,
    jobs: deps.jobs,
    messenger: botDms(deps.mattermost),
    prompts: promptDms(deps.mattermost),
    ...(status ? { question: (user, event) => status.questionForReminder(user, event) } : {}),
    clock: deps.clock,
    log: deps.log,
  });
  reminders.register();
  deps.mattermost.registerAction({
    id: joinMeetingAction,
    async run(ctx) {
      const { eventId } = joinData.parse(ctx.data);
      // Mattermost opens the link (goto_location); the ephemeral copy is for clients that do not.
      const { text, url } = await reminders.joinLink(ctx.userId, eventId);
      return { ephemeralText: text, ...(url ? { gotoLocation: url } : {}) };
    },
  });
  return {
    name: 'reminders',
    reminders,
    subcommands: [reminders.subcommand()],
    settings: [reminders.setting()],
    welcome: ['- A reminder 10 minutes before each meeting (`/mscalendar reminders 5|10|15|off` to change).'],
    onDisconnected: (user) => reminders.remove(user),
    schedule: () => reminders.schedule(),
  };
}
