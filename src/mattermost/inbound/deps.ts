import type { Counter } from 'prom-client';
import type { Clock } from '../../core/clock.ts';
import type { CommandSet } from '../../core/commands/index.ts';
import type { Logger } from '../../core/log.ts';
import type { TokenSigner } from '../../core/signed-token.ts';
import type { MattermostRest } from '../client/rest.ts';
import type { Messenger } from '../messages/messenger.ts';
import type { AccountStatusPort, CommandTokenStore } from '../ports.ts';
import type { AdminCheck } from './admin-check.ts';
import type { ActionDefinition, DialogDefinition } from './interactions.ts';

/** Everything the inbound routes use; built once by the edge factory. */
export interface InboundDeps {
  signer: () => Promise<TokenSigner>;
  clock: Clock;
  log: Logger;
  rest: MattermostRest;
  messenger: Messenger;
  commandTokens: CommandTokenStore;
  accounts: AccountStatusPort;
  admins: AdminCheck;
  commandSets: () => readonly CommandSet[];
  actions: ReadonlyMap<string, ActionDefinition>;
  dialogs: ReadonlyMap<string, DialogDefinition>;
  /** Where dialogs submit: `<publicUrl>/mattermost/dialog`. */
  dialogUrl: string;
  /** Mattermost's site URL: a response_url elsewhere is never called. */
  mattermostUrl: string;
  /** How long a route waits for its handler before answering "Working on it…". */
  ackMs: number;
  /** Answers that had to say "Working on it…", by kind (command, action). */
  slowAcks: Counter<'kind'>;
}

export const WORKING = 'Working on it…';

/** trigger_ids live 30 s (OutgoingIntegrationRequestsTimeout); we stop trying a little before. */
export const TRIGGER_BUDGET_MS = 25_000;
