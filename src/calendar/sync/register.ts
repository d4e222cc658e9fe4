import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import type { JobRunner, WorkOptions } from '../../jobs/index.ts';
import type { Database } from '../../store/index.ts';
import type { CalendarGraph, CalendarSessions, CalendarUsers } from '../ports.ts';
import { CalendarSync, type CalendarSyncOptions } from './calendar-sync.ts';
import { calendarReconcileQueue, calendarSyncQueue } from './queues.ts';

export interface CalendarSyncModuleDeps {
  /** The Microsoft edge's calendar slice: createCalendarGraph(...) from src/microsoft/calendar. */
  graph: CalendarGraph;
  db: Kysely<Database>;
  jobs: JobRunner;
  /** Accounts: mark the user inactive and tell them once (accounts' reportDead). */
  sessions: CalendarSessions;
  /** Accounts: active users connected for 'calendar' (AccountService.listActive('calendar', …) ids). */
  users: CalendarUsers;
  clock: Clock;
  log: Logger;
  options?: CalendarSyncOptions;
  /** Reconcile schedule (cron, UTC). Default hourly at :23; each user gets a full round once a day. */
  reconcileCron?: string;
  /** Worker tuning for the per-user queue (tests poll faster). */
  work?: WorkOptions;
}

export interface CalendarSyncModule {
  readonly sync: CalendarSync;
  /** After jobs.start(): puts the reconcile on its cron and queues one catch-up-everyone round now. */
  schedule(): Promise<void>;
  /** A user connected (or reconnected) the calendar: queues their start. */
  userConnected(user: string): Promise<void>;
  /** A user disconnected the calendar: subscription, cache and state are deleted (call before forgetting the token). */
  userDisconnected(user: string): Promise<void>;
}

/**
 * Registers the calendar sync with the job runner (call before jobs.start()) and with the edge's
 * notification processor (through CalendarGraph.listen). Composition roots call this once.
 */
export function registerCalendarSync(deps: CalendarSyncModuleDeps): CalendarSyncModule {
  const log = deps.log.child({ part: 'calendar' });
  const sync = new CalendarSync({
    graph: deps.graph,
    db: deps.db,
    jobs: deps.jobs,
    sessions: deps.sessions,
    users: deps.users,
    clock: deps.clock,
    log,
    ...(deps.options ? { options: deps.options } : {}),
  });
  deps.graph.listen((user, signal) => sync.onSignal(user, signal));
  deps.jobs.register(calendarSyncQueue, ({ user, mode }) => sync.run(user, mode), {
    localConcurrency: 2,
    ...deps.work,
  });
  deps.jobs.register(calendarReconcileQueue, async ({ catchUpAll }) => {
    const queued = await sync.reconcile(catchUpAll ? { catchUpAll } : {});
    log.info({ queued, catchUpAll: catchUpAll ?? false }, 'calendar reconcile queued users');
  });
  return {
    sync,
    async schedule() {
      await deps.jobs.schedule(calendarReconcileQueue, deps.reconcileCron ?? '23 * * * *', {});
      // Catch up everyone once now: notifications sent while no replica was running may be lost.
      await deps.jobs.send(calendarReconcileQueue, { catchUpAll: true });
    },
    userConnected: (user) => sync.requestStart(user),
    userDisconnected: (user) => sync.stop(user),
  };
}
