/**
 * The user's Outlook working days (mailboxSettings.workingHours.daysOfWeek, graph-api.md §2.5), for the
 * agenda's "tomorrow is the next working day" (calendar/agenda/working-days.ts). Read when a user asks, one
 * Graph call: the sync does not store them (they rarely change and only `tomorrow` needs them).
 * Satisfies the agenda's MailboxWorkingDays port structurally (the edge imports only calendar/ports.ts).
 */
import { z } from 'zod';
import type { GraphSession } from '../graph/graph-session.ts';

const mailboxSettingsBody = z.object({
  workingHours: z.object({ daysOfWeek: z.array(z.string()).nullish() }).nullish(),
});

const isoOf: Record<string, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};

/** Graph's `daysOfWeek` (["monday", …], any case) as sorted ISO weekdays (1 = Monday); unknown names left out. */
export function isoWeekdaysOf(daysOfWeek: readonly string[]): number[] {
  const days = new Set<number>();
  for (const d of daysOfWeek) {
    const n = isoOf[d.toLowerCase()];
    if (n) days.add(n);
  }
  return [...days].sort((a, b) => a - b);
}

export function createMailboxWorkingDays(deps: {
  asUser(partition: string, feature: 'calendar'): GraphSession;
}): { workingDays(user: string): Promise<number[] | null> } {
  return {
    async workingDays(user) {
      // The whole mailboxSettings: `/mailboxSettings/workingHours` is documented too, but this is the form
      // every Graph cloud and the simulator serve alike, and the body is small.
      const body = await deps.asUser(user, 'calendar').parse(mailboxSettingsBody, {
        path: '/me/mailboxSettings',
        route: '/me/mailboxSettings',
      });
      const days = isoWeekdaysOf(body.workingHours?.daysOfWeek ?? []);
      return days.length > 0 ? days : null;
    },
  };
}
