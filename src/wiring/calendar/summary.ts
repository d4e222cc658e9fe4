import { DailySummary } from '../../calendar/index.ts';
import { botDms } from './messenger.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/** The daily summary: a per-user cron in the mailbox zone, re-scheduled when that zone changes. */
export function summaryPart(
  deps: CalendarWiringDeps,
  shared: CalendarShared,
): CalendarPart & { summary: DailySummary } {
  const summary = new DailySummary({
    db: deps.store.db,
    jobs: deps.jobs,
    cache: shared.cache,
    messenger: botDms(deps.mattermost),
    clock: deps.clock,
    log: deps.log,
  });
  summary.register();
  // A new mailbox zone (seen by a full sync round) moves the user's summary to it, once per change.
  shared.sync.sync.onZoneChange((tx, user) => summary.onZoneChanged(tx, user));
  return {
    name: 'summary',
    summary,
    subcommands: [summary.subcommand()],
    welcome: [
      '- A daily summary if you want one: `/mscalendar summary time 08:30` (Mon–Fri; `summary days` to change).',
    ],
    onDisconnected: (user) => summary.remove(user),
  };
}
