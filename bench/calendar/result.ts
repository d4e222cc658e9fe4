/**
 * What a calendar benchmark run reports, and how reminders are tallied against the final calendars.
 */

import type { PluginCounts } from './plugin-replay.ts';
import type { PlannedChange } from './population.ts';
import type { BenchDriver } from './store.ts';

export interface ReminderTally {
  expected: number;
  /** Distinct reminders posted (one per user, event and start). */
  sent: number;
  /** Expected reminders never posted. */
  missed: number;
  /** Posted for an occurrence the final calendars do not have then (moved away, cancelled, out of the window). */
  unexpected: number;
  /** Reminders beyond the first for the same user and event (any start: a moved meeting reminded twice too). */
  duplicates: number;
  /** Calls with a key already posted, absorbed by the DM key (the queue ran the reminder twice). */
  sameKeyRepeats: number;
}

export interface CalendarBenchResult {
  users: number;
  driver: BenchDriver;
  hours: number;
  meetingsPerUser: number;
  recurringShare: number;
  changes: Record<PlannedChange['kind'], number>;
  connect: { graphCalls: number; byRoute: Record<string, number> };
  ours: { graphCalls: number; byRoute: Record<string, number>; simCounted: number };
  plugin: (PluginCounts & { httpRequests: number; subRequests: number; simCounted: number }) | undefined;
  reminders: ReminderTally;
  pluginReminders: ReminderTally | undefined;
  summaries: { expected: number; sent: number };
  notifications: { delivered: number; dropped: number };
  jobs: Record<string, { sent: number; completed: number; failed: number; gaveUp: number; refused: number }>;
  errors: string[];
  /** Status change minus block start, over the busy blocks of the final calendars (undefined: not measured). */
  statusLagMs:
    | { p50: number; p99: number; max: number; samples: number; blocks: number; missed: number }
    | undefined;
  /** The plugin's status change (first 5-minute run that saw the busy meeting) minus the meeting's start. */
  pluginStatusLeadMs: { p50: number; p99: number; min: number; samples: number } | undefined;
  /** When our reminders were posted, minutes before the meeting (min and max over all). */
  reminderLeadMinutes: { min: number; max: number } | undefined;
  peakRssMb: number;
  wallSeconds: number;
}

/**
 * Reminders sent, keyed `user|eventId|startMs` with how many times each was posted, against the expected
 * keys. `repeats` is passed through (it is counted where the posts are).
 */
export function tallyReminders(
  expected: ReadonlySet<string>,
  sent: ReadonlyMap<string, number>,
  repeats: number,
): ReminderTally {
  let missed = 0;
  for (const k of expected) if (!sent.has(k)) missed++;
  let unexpected = 0;
  let posted = 0;
  const perEvent = new Map<string, number>();
  for (const [k, n] of sent) {
    if (!expected.has(k)) unexpected++;
    posted += n;
    const event = k.slice(0, k.lastIndexOf('|'));
    perEvent.set(event, (perEvent.get(event) ?? 0) + n);
  }
  return {
    expected: expected.size,
    sent: sent.size,
    missed,
    unexpected,
    duplicates: posted - perEvent.size,
    sameKeyRepeats: repeats,
  };
}

/** The value at percentile `p` of an ascending list (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
