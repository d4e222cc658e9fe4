/**
 * The user's Outlook working days (mailboxSettings.workingHours.daysOfWeek, graph-api.md §2.5), for the
 * agenda's "tomorrow is the next working day" (calendar/agenda/working-days.ts). Read when a user asks, one
 * Graph call: the sync does not store them (they rarely change and only `tomorrow` needs them).
 */
import { z } from 'zod';
import { isoWeekdays, type MailboxWorkingDays } from '../../calendar/agenda/working-days.ts';
import type { GraphSession } from '../graph/graph-session.ts';

const mailboxSettingsBody = z.object({
  workingHours: z.object({ daysOfWeek: z.array(z.string()).nullish() }).nullish(),
});

export function createMailboxWorkingDays(deps: {
  asUser(partition: string, feature: 'calendar'): GraphSession;
}): MailboxWorkingDays {
  return {
    async workingDays(user) {
      // The whole mailboxSettings: `/mailboxSettings/workingHours` is documented too, but this is the form
      // every Graph cloud and the simulator serve alike, and the body is small.
      const body = await deps.asUser(user, 'calendar').parse(mailboxSettingsBody, {
        path: '/me/mailboxSettings',
        route: '/me/mailboxSettings',
      });
      const days = isoWeekdays(body.workingHours?.daysOfWeek ?? []);
      return days.length > 0 ? days : null;
    },
  };
}
