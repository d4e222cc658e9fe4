/** Front door of the calendar domain. */

export {
  type AdminCommandDeps,
  adminSubcommands,
  infoSubcommand,
  type SubscriptionControl,
} from './admin/commands.ts';
export type { AdminCalendars, AdminDirectory, BuildInfo, CalendarInfo } from './admin/ports.ts';
export { CalendarAdminReport, type CalendarCounts, countsAsBusy } from './admin/report.ts';
export { type AgendaDeps, agendaSubcommands, dayOffset, workingDaysOf } from './agenda/commands.ts';
export { cellText, renderDay, zoneFix, zoneLine } from './agenda/render.ts';
export {
  type MailboxWorkingDays,
  nextWorkingDayOffset,
  type WorkingDays,
} from './agenda/working-days.ts';
export { CalendarCache, type CalendarDay } from './cache.ts';
export { calendarErrors } from './errors.ts';
export {
  changedFields,
  decideNotices,
  type InvitationNotice,
  type NoticeKind,
  type WatchedField,
} from './invitations/detect.ts';
export { invitationErrors } from './invitations/errors.ts';
export {
  InvitationNotices,
  invitationQueue,
  maxCommentLength,
  type RsvpOutcome,
} from './invitations/invitations.ts';
export type {
  CalendarResponder,
  InvitationDm,
  InvitationMessenger,
  RsvpChoice,
} from './invitations/ports.ts';
export { answeredLine, renderNotice, responseLine, whenText } from './invitations/render.ts';
export type {
  Attendee,
  CalendarDelta,
  CalendarEvent,
  CalendarGraph,
  CalendarSessions,
  CalendarUsers,
  CalendarWindow,
  ChangeSignal,
  EventType,
  Person,
  ResponseState,
  ShowAs,
} from './ports.ts';
export {
  joinMeetingAction,
  MeetingReminders,
  planRemindersQueue,
  type ReminderQuestion,
  reminderQueue,
} from './reminders/reminders.ts';
export type { CalendarSetting, SettingOption } from './settings/setting.ts';
export { type BusyBlock, busyBlocks, isBusy, mergeGapMs } from './status/busy-blocks.ts';
export { statusErrors } from './status/errors.ts';
export { createStatusMetrics, type StatusMetrics } from './status/metrics.ts';
export type {
  CustomStatus,
  Presence,
  PresenceState,
  PromptButton,
  PromptDms,
  StatusPresence,
} from './status/ports.ts';
export { StatusSettingsUi } from './status/settings.ts';
export {
  type ConfirmData,
  meetingCustomStatus,
  StatusSync,
  statusCheckQueue,
  statusConfirmAction,
  statusEvaluateQueue,
} from './status/status-sync.ts';
export {
  DailySummary,
  dailySummaryQueue,
  type SummaryMessenger,
  summaryRescheduleQueue,
} from './summary/daily-summary.ts';
export { cronOf, describeDays, parseDays, parseTime } from './summary/parse.ts';
export {
  type CalendarChange,
  type CalendarChangeListener,
  type CalendarRound,
  CalendarSync,
  type CalendarSyncOptions,
  type CalendarZoneListener,
} from './sync/calendar-sync.ts';
export { calendarReconcileQueue, calendarSyncQueue, type SyncMode } from './sync/queues.ts';
export {
  type CalendarSyncModule,
  type CalendarSyncModuleDeps,
  registerCalendarSync,
} from './sync/register.ts';
export {
  instantOf,
  knownWindowsZones,
  type LocalDay,
  localDay,
  type ResolvedZone,
  resolveZone,
} from './time-zones.ts';
