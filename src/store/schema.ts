import type { ConnectedAccountTable } from './connected-account.ts';
import type { StoredSecretTable } from './stored-secret.ts';

/** The database as Kysely sees it: one entry per table, each typed in that table's own file. */
export interface Database {
  stored_secret: StoredSecretTable;
  connected_account: ConnectedAccountTable;
}
