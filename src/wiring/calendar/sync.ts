import { reportDead } from '../../accounts/index.ts';
import { type CalendarSyncModule, registerCalendarSync } from '../../calendar/index.ts';
import type { AccountService, InactiveReason } from '../../core/accounts/index.ts';
import type { Clock } from '../../core/clock.ts';
import { parseMmUserId } from '../../core/ids.ts';
import type { Logger } from '../../core/log.ts';
import type { JobRunner } from '../../jobs/index.ts';
import { createCalendarGraph } from '../../microsoft/calendar/index.ts';
import type { MicrosoftEdge } from '../../microsoft/index.ts';
import type { Store } from '../../store/index.ts';
import type { WiredAccounts } from '../accounts.ts';

const inactiveReasons = new Set<InactiveReason>([
  'refresh_expired',
  'revoked',
  'consent_withdrawn',
  'account_disabled',
]);

/**
 * The calendar cache kept current by notifications and delta (src/calendar/sync), over the Microsoft edge's
 * calendar slice. A session found dead goes through the accounts layer (inactive, one DM); which users to
 * sync comes from connected accounts. `accounts` is read lazily: it is wired after this module.
 */
export function wireCalendar(deps: {
  store: Store;
  jobs: JobRunner;
  clock: Clock;
  log: Logger;
  accountService: AccountService;
  microsoft: MicrosoftEdge;
  accounts: () => WiredAccounts | undefined;
}): CalendarSyncModule {
  return registerCalendarSync({
    graph: createCalendarGraph({
      asUser: (partition, feature) => deps.microsoft.asUser(partition, feature),
      subscriptions: deps.microsoft.subscriptions,
      processor: deps.microsoft.processor,
    }),
    db: deps.store.db,
    jobs: deps.jobs,
    clock: deps.clock,
    log: deps.log,
    sessions: {
      async sessionLost(user, reason) {
        const wired = deps.accounts();
        if (!wired) return;
        const why = inactiveReasons.has(reason as InactiveReason)
          ? (reason as InactiveReason)
          : 'refresh_expired';
        await reportDead(wired.deadSessionDeps, parseMmUserId(user), why, deps.log);
      },
    },
    users: {
      listActive: async (after, limit) =>
        (
          await deps.accountService.listActive(
            'calendar',
            after === null ? null : parseMmUserId(after),
            limit,
          )
        ).map((a) => a.mmUserId),
    },
  });
}
