export {
  CalendarChannelLinks,
  type ChannelLink,
  type LinkedOccurrence,
} from './calendar-channel-link.ts';
export { CalendarInvitations, defaultNotifyInvitations } from './calendar-invitation.ts';
export { CalendarReminders, type DueReminder, defaultLeadMinutes } from './calendar-reminder.ts';
export { CalendarSettingsPanels } from './calendar-settings-panel.ts';
export {
  CalendarStatuses,
  type StatusMode,
  type StatusOutcome,
  type StatusRow,
  type StatusSettings,
} from './calendar-status.ts';
export { CalendarSummaries, type SummarySetting } from './calendar-summary.ts';
export { CalendarWelcomes, type WelcomeState } from './calendar-welcome.ts';
export { type ConnectRequest, ConnectRequests } from './connect-request.ts';
export { ConnectedAccounts } from './connected-account.ts';
export { type DriverName, openStore, type Store } from './db.ts';
export { type MigrationReport, migrateToLatest } from './migrate.ts';
export type { Database } from './schema.ts';
export { StoredSecrets } from './stored-secret.ts';
