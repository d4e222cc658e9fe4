import type { ConnectedAccountTable } from './connected-account.ts';
import type { MicrosoftCertificateTable } from './microsoft-certificate.ts';
import type { MicrosoftNotificationTable } from './microsoft-notification.ts';
import type { MicrosoftSubscriptionTable } from './microsoft-subscription.ts';
import type { MicrosoftTokenCacheTable } from './microsoft-token-cache.ts';
import type { StoredSecretTable } from './stored-secret.ts';

/** The database as Kysely sees it: one entry per table, each typed in that table's own file. */
export interface Database {
  stored_secret: StoredSecretTable;
  microsoft_token_cache: MicrosoftTokenCacheTable;
  microsoft_notification: MicrosoftNotificationTable;
  microsoft_subscription: MicrosoftSubscriptionTable;
  microsoft_certificate: MicrosoftCertificateTable;
  connected_account: ConnectedAccountTable;
}
