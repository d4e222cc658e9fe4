import {
  CalendarCache,
  type DailySummary,
  type InvitationNotices,
  type MeetingReminders,
} from '../../calendar/index.ts';
import type { CalendarSetting } from '../../calendar/settings/setting.ts';
import type { StatusSync } from '../../calendar/status/status-sync.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import type { MmUserId } from '../../core/ids.ts';
import { adminPart } from './admin.ts';
import { agendaPart } from './agenda.ts';
import { channelsPart } from './channels.ts';
import { eventsPart } from './events.ts';
import { invitationsPart } from './invitations.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';
import { remindersPart } from './reminders.ts';
import { settingsPart } from './settings.ts';
import { statusPart } from './status.ts';
import { summaryPart } from './summary.ts';
import { wireCalendar } from './sync.ts';

export type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/** The calendar feature as the app sees it: what to add to `/mscalendar` and what to call when. */
export interface WiredCalendar {
  shared: CalendarShared;
  parts: readonly CalendarPart[];
  /** Parts tests and the benchmark drive directly. */
  reminders: MeetingReminders;
  summary: DailySummary;
  status: StatusSync;
  invitations: InvitationNotices;
  /** Events linked to channels: their reminders (tests drive plan/deliver directly). */
  channels: ReturnType<typeof channelsPart>;
  subcommands: Subcommand[];
  settings: CalendarSetting[];
  /** The "what you get now" DM after connecting. */
  welcome: string;
  onConnected(user: MmUserId): Promise<void>;
  onDisconnected(user: MmUserId): Promise<void>;
  schedule(): Promise<void>;
}

/**
 * Builds every calendar part over the shared cache and sync (registering their queues, actions and
 * dialogs: call before jobs start). The sync starts first on connect and stops last on disconnect, so the
 * other parts can still read the cache while they clean up.
 */
export function wireCalendarFeature(deps: CalendarWiringDeps): WiredCalendar {
  const sync = wireCalendar(deps);
  const shared: CalendarShared = { cache: new CalendarCache(deps.store.db, deps.clock), sync };
  const status = statusPart(deps, shared);
  const reminders = remindersPart(deps, status.status);
  const summary = summaryPart(deps, shared);
  const invitations = invitationsPart(deps, shared);
  const channels = channelsPart(deps, shared);
  const parts: CalendarPart[] = [
    agendaPart(deps, shared),
    reminders,
    status,
    summary,
    eventsPart(deps, shared),
    channels,
    invitations,
    settingsPart(deps, { summary: summary.summary, parts: () => parts }),
    // Last: info and the admin commands close the help list.
    adminPart(deps, shared),
  ];
  return {
    shared,
    parts,
    reminders: reminders.reminders,
    summary: summary.summary,
    status: status.status,
    invitations: invitations.invitations,
    channels,
    subcommands: parts.flatMap((p) => p.subcommands ?? []),
    settings: parts.flatMap((p) => p.settings ?? []),
    welcome: ['What you get now:', ...parts.flatMap((p) => p.welcome ?? [])].join('\n'),
    async onConnected(user) {
      await sync.userConnected(user);
      for (const p of parts) await p.onConnected?.(user);
    },
    async onDisconnected(user) {
      for (const p of [...parts].reverse()) await p.onDisconnected?.(user);
      await sync.userDisconnected(user);
    },
    async schedule() {
      await sync.schedule();
      for (const p of parts) await p.schedule?.();
    },
  };
}
