import type { UserCustomStatus } from '@mattermost/types/users';
import { z } from 'zod';
import {
  type CustomStatus,
  createStatusMetrics,
  type PromptDms,
  type StatusPresence,
  StatusSettingsUi,
  StatusSync,
  statusConfirmAction,
} from '../../calendar/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { MattermostEdge } from '../../mattermost/index.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/**
 * The user's presence and custom status through the bot's REST client (a system admin: it may set other
 * users' statuses, reference §1.12). DND carries `dnd_end_time` in epoch seconds, rounded up so
 * Mattermost never ends it before the meeting does.
 */
export function mattermostPresence(mattermost: MattermostEdge, clock: Clock): StatusPresence {
  const rest = mattermost.rest;
  return {
    async get(user) {
      const s = await rest.getStatus(user);
      return { status: s.status, manual: s.manual };
    },
    async set(user, status, dndUntil) {
      await rest.setStatus(
        user,
        status,
        status === 'dnd' && dndUntil ? Math.ceil(dndUntil.getTime() / 1000) : undefined,
      );
    },
    async getCustom(user) {
      const raw = (await rest.getUser(user)).props?.customStatus;
      return parseCustomStatus(raw, clock.now());
    },
    async setCustom(user, c) {
      await rest.setCustomStatus(user, {
        emoji: c.emoji,
        text: c.text,
        duration: 'date_and_time' as UserCustomStatus['duration'],
        expires_at: c.expiresAt.toISOString(),
      });
    },
    async clearCustom(user) {
      await rest.deleteCustomStatus(user);
    },
  };
}

/**
 * `props.customStatus` as Mattermost stores it (a JSON string). Unparseable, empty or expired = none;
 * Mattermost's zero time ("0001-01-01…") means no expiry.
 */
export function parseCustomStatus(raw: unknown, now: number): CustomStatus | null {
  if (typeof raw !== 'string' || raw === '') return null;
  let v: { emoji?: unknown; text?: unknown; duration?: unknown; expires_at?: unknown };
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  const emoji = typeof v.emoji === 'string' ? v.emoji : '';
  const text = typeof v.text === 'string' ? v.text : '';
  if (emoji === '' && text === '') return null;
  const at = typeof v.expires_at === 'string' ? Date.parse(v.expires_at) : Number.NaN;
  const expiresAt = Number.isNaN(at) || at <= 0 || v.duration === '' ? null : new Date(at);
  if (expiresAt && expiresAt.getTime() <= now) return null;
  return { emoji, text, expiresAt };
}

/** Bot DMs with buttons bound to the recipient and the post. */
export function promptDms(mattermost: MattermostEdge): PromptDms {
  return {
    async dm(user, message, buttons, key) {
      await mattermost.interactive.dm(user, message, buttons, { key });
    },
  };
}

const confirmData = z.object({
  start: z.string().datetime(),
  answer: z.enum(['yes', 'no']),
  merged: z.boolean().optional(),
  text: z.string().optional(),
});

/**
 * Status sync: presence and "In a meeting" follow the busy blocks of the cache. Re-plans a user inside
 * each sync round that touched their busy events, runs a minute check, answers the confirmation buttons,
 * and restores what it set when the user disconnects.
 */
export function statusPart(
  deps: CalendarWiringDeps,
  shared: CalendarShared,
): CalendarPart & { status: StatusSync } {
  const log = deps.log.child({ part: 'calendar-status' });
  const status = new StatusSync({
    db: deps.store.db,
    jobs: deps.jobs,
    presence: mattermostPresence(deps.mattermost, deps.clock),
    prompts: promptDms(deps.mattermost),
    clock: deps.clock,
    log,
    metrics: createStatusMetrics(deps.registry),
  });
  status.register();
  shared.sync.sync.onChanges(status.listener());
  deps.mattermost.registerAction({
    id: statusConfirmAction,
    async run(ctx) {
      const data = confirmData.parse(ctx.data);
      const { text } = await status.answer(ctx.userId, data);
      // In a reminder the post keeps its Join button: only the clicker is told. A standalone question
      // is replaced by its answer (buttons gone).
      if (data.merged || !data.text) return { ephemeralText: text };
      return { update: { message: `${data.text}\n\n${text}`, props: { attachments: [] } } };
    },
  });
  const ui = new StatusSettingsUi({
    db: deps.store.db,
    clock: deps.clock,
    changed: (user) => status.request(user),
  });
  return {
    name: 'status',
    status,
    subcommands: [ui.subcommand()],
    settings: ui.settings(),
    welcome: [
      '- Your status can follow your meetings (Do Not Disturb or Away, and "In a meeting"): `/mscalendar presence dnd|away|off`, `presence custom on|off`.',
    ],
    onDisconnected: (user) => status.remove(user),
    schedule: () => status.schedule(),
  };
}
