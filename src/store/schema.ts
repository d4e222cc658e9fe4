import type { CalendarChannelLinkTable } from './calendar-channel-link.ts';
import type { CalendarEventTable } from './calendar-event.ts';
import type { CalendarInvitationTable } from './calendar-invitation.ts';
import type { CalendarReminderTable } from './calendar-reminder.ts';
import type { CalendarSettingsPanelTable } from './calendar-settings-panel.ts';
import type { CalendarSummaryTable } from './calendar-summary.ts';
import type { CalendarSyncTable } from './calendar-sync.ts';
import type { CalendarWelcomeTable } from './calendar-welcome.ts';
import type { ConnectRequestTable } from './connect-request.ts';
import type { ConnectedAccountTable } from './connected-account.ts';
import type { MattermostChannelCursorTable } from './mattermost-channel-cursor.ts';
import type { MattermostCommandTable } from './mattermost-command.ts';
import type { MattermostLinkUseTable } from './mattermost-link-use.ts';
import type { MattermostOAuthFlowTable } from './mattermost-oauth-flow.ts';
import type { MattermostPostIntentTable } from './mattermost-post-intent.ts';
import type { MattermostUserTokenTable } from './mattermost-user-token.ts';
import type { MattermostWebSessionTable } from './mattermost-web-session.ts';
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
  mattermost_command: MattermostCommandTable;
  mattermost_post_intent: MattermostPostIntentTable;
  mattermost_user_token: MattermostUserTokenTable;
  mattermost_oauth_flow: MattermostOAuthFlowTable;
  mattermost_web_session: MattermostWebSessionTable;
  mattermost_link_use: MattermostLinkUseTable;
  mattermost_channel_cursor: MattermostChannelCursorTable;
  connected_account: ConnectedAccountTable;
  connect_request: ConnectRequestTable;
  calendar_sync: CalendarSyncTable;
  calendar_event: CalendarEventTable;
  calendar_summary: CalendarSummaryTable;
  calendar_reminder: CalendarReminderTable;
  calendar_invitation: CalendarInvitationTable;
  calendar_channel_link: CalendarChannelLinkTable;
  calendar_welcome: CalendarWelcomeTable;
  calendar_settings_panel: CalendarSettingsPanelTable;
}
