import { MeetingReminders } from '../../calendar/index.ts';
import { botDms } from './messenger.ts';
import type { CalendarPart, CalendarWiringDeps } from './part.ts';

/** Meeting reminders: a minute planning cron over the cache and an exact-time job per reminder. */
export function remindersPart(deps: CalendarWiringDeps): CalendarPart & { reminders: MeetingReminders } {
  const reminders = new MeetingReminders({
    db: deps.store.db,
    jobs: deps.jobs,
    messenger: botDms(deps.mattermost),
    clock: deps.clock,
    log: deps.log,
  });
  reminders.register();
  return {
    name: 'reminders',
    reminders,
    subcommands: [reminders.subcommand()],
    welcome: ['- A reminder 10 minutes before each meeting (`/mscalendar reminders 5|10|15|off` to change).'],
    onDisconnected: (user) => reminders.remove(user),
    schedule: () => reminders.schedule(),
  };
}
