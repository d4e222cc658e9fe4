import type { Registry } from 'prom-client';
import type { CalendarCache, CalendarSyncModule } from '../../calendar/index.ts';
import type { CalendarSetting } from '../../calendar/settings/setting.ts';
import type { AccountService } from '../../core/accounts/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import type { Config } from '../../core/config/index.ts';
import type { MmUserId } from '../../core/ids.ts';
import type { Logger } from '../../core/log.ts';
import type { JobRunner } from '../../jobs/index.ts';
import type { MattermostEdge } from '../../mattermost/index.ts';
import type { MicrosoftEdge } from '../../microsoft/index.ts';
import type { Store } from '../../store/index.ts';
import type { WiredAccounts } from '../accounts.ts';

/** What every calendar part may use: the store, jobs, both edges and the shared cache and sync. */
export interface CalendarWiringDeps {
  config: Config;
  store: Store;
  jobs: JobRunner;
  clock: Clock;
  log: Logger;
  /** The app's metric registry (served on /metrics). */
  registry: Registry;
  accountService: AccountService;
  microsoft: MicrosoftEdge;
  mattermost: MattermostEdge;
  /** Wired after the calendar (it needs the calendar's subcommands): read it lazily, at run time. */
  accounts: () => WiredAccounts | undefined;
}

export interface CalendarShared {
  cache: CalendarCache;
  sync: CalendarSyncModule;
}

/**
 * One feature of the calendar as the composition sees it. Each `src/wiring/calendar/<part>.ts` builds one
 * from the domain (src/calendar/<part>/) and the edges; `index.ts` lists them. Contract:
 * - `register` work (queues, actions, dialogs) happens when the part is built, before jobs start;
 * - `onConnected` runs in list order after a user connects the calendar; `onDisconnected` in reverse order,
 *   before their Microsoft token is forgotten is NOT guaranteed (see src/wiring/calendar/sync.ts);
 * - `schedule` runs once after jobs started (crons, catch-up rounds).
 */
export interface CalendarPart {
  name: string;
  subcommands?: Subcommand[];
  settings?: CalendarSetting[];
  /** Lines for the "what you get now" DM after connecting. */
  welcome?: string[];
  onConnected?(user: MmUserId): Promise<void>;
  onDisconnected?(user: MmUserId): Promise<void>;
  schedule?(): Promise<void>;
}
