import { DateTime } from 'luxon';

/**
 * Working days for `tomorrow` (the plugin's #321: on a Friday, "tomorrow" should be Monday). ISO weekdays,
 * 1 = Monday … 7 = Sunday, counted in the user's mailbox zone.
 */

/** Where the user's working days come from, for the reply. */
export type WorkingDaysSource = 'outlook' | 'summary' | 'default';

export interface WorkingDays {
  days: number[];
  source: WorkingDaysSource;
}

/**
 * The user's Outlook working days (mailboxSettings.workingHours.daysOfWeek), read when asked. Resolves
 * null when the mailbox has none set (or lists none); throws on a Graph failure (the caller falls back).
 */
export interface MailboxWorkingDays {
  workingDays(user: string): Promise<number[] | null>;
}

/**
 * Days from the user's today (0) to their next working day after today: 1 when tomorrow is a working day,
 * 3 on a Friday with Mon–Fri, … Counted on local dates in `iana`, so a DST change or a zone far from UTC
 * never skips or repeats a day. With no working days at all, plain tomorrow (1).
 */
export function nextWorkingDayOffset(now: number, iana: string, workingDays: readonly number[]): number {
  if (workingDays.length === 0) return 1;
  const today = DateTime.fromMillis(now, { zone: iana }).startOf('day');
  for (let offset = 1; offset <= 7; offset++) {
    if (workingDays.includes(today.plus({ days: offset }).weekday)) return offset;
  }
  return 1;
}
