import { DateTime } from 'luxon';
import type { CommandContext, CommandReply, Subcommand } from '../../core/commands/index.ts';
import { isAppError } from '../../core/errors.ts';
import { cellText } from '../agenda/render.ts';
import { resolveZone } from '../time-zones.ts';
import type { AdminCalendars, AdminDirectory, BuildInfo } from './ports.ts';
import type { CalendarAdminReport } from './report.ts';

/** The sync's subscription controls the admin commands use (CalendarSync's methods). */
export interface SubscriptionControl {
  ensureSubscription(user: string): Promise<string>;
  dropSubscription(user: string): Promise<void>;
}

export interface AdminCommandDeps {
  report: CalendarAdminReport;
  calendars: AdminCalendars;
  directory: AdminDirectory;
  subscriptions: SubscriptionControl;
  build: BuildInfo;
  clock: { now(): number };
  /** Rows per page in `avail all` and `subscribe list`. */
  pageSize?: number;
}

const notConnected: CommandReply = {
  text: 'You need to connect your Microsoft account first: `/mscalendar connect`.',
};

/** Admin-facing instants: UTC, to the minute, unambiguous across the admin's and the users' zones. */
export function utc(at: Date | null | undefined): string {
  return at ? `${DateTime.fromJSDate(at, { zone: 'UTC' }).toFormat('yyyy-LL-dd HH:mm')} UTC` : '—';
}

/** "3 h 5 min", "2 d 4 h": how long ago or until, coarse. */
export function span(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A page number argument (1-based); undefined when absent, NaN-safe. */
function pageArg(arg: string | undefined): number | string {
  if (arg === undefined) return 1;
  const p = Number(arg);
  return Number.isInteger(p) && p >= 1 ? p : `"${arg}" is not a page number.`;
}

function pageFooter(page: number, pages: number, command: string): string {
  if (pages <= 1) return '';
  return page < pages
    ? `\nPage ${page} of ${pages}: \`${command} ${page + 1}\` for the next.`
    : `\nPage ${page} of ${pages}.`;
}

/** `info` (anyone): what runs, which version; admins also get the calendar's counts (right ones, §11). */
export function infoSubcommand(deps: Pick<AdminCommandDeps, 'report' | 'build' | 'clock'>): Subcommand {
  return {
    name: 'info',
    summary: 'Show the version of this service (and, for admins, usage counts)',
    run: async (ctx) => {
      const { build } = deps;
      const now = new Date(deps.clock.now());
      const commit = build.commit ? `, commit \`${build.commit.slice(0, 12)}\`` : '';
      const lines = [
        `**${build.product}** version ${build.version}${commit}, running since ${utc(build.startedAt)} (${span(now.getTime() - build.startedAt.getTime())}).`,
      ];
      if (ctx.isAdmin) {
        const c = await deps.report.counts(now);
        lines.push(
          '',
          '**Calendar** (admins only)',
          `- Connected users: ${c.connectedUsers}${c.inactiveUsers > 0 ? ` (and ${c.inactiveUsers} who must reconnect)` : ''}`,
          `- Calendars in sync: ${c.syncs.active} (${c.syncs.starting} starting, ${c.syncs.inactive} stopped)`,
          `- Live event subscriptions: ${c.activeSubscriptions}${c.otherSubscriptions > 0 ? ` (${c.otherSubscriptions} pending or expired)` : ''}`,
          `- Cached events: ${c.cachedEvents}`,
        );
      }
      return { text: lines.join('\n') };
    },
  };
}

async function availFor(deps: AdminCommandDeps, user: string, label: string): Promise<CommandReply> {
  const now = new Date(deps.clock.now());
  const d = await deps.report.user(user, now);
  if (!d.sync) {
    return {
      text: `${label} has no calendar sync: not connected to Microsoft Calendar, or disconnected since.`,
    };
  }
  const s = d.sync;
  const zone = resolveZone(s.timeZone);
  const zoneText = zone.fallback
    ? `unknown (${s.timeZone ?? 'not set'}): times are shown in UTC`
    : s.timeZone === zone.iana
      ? zone.iana
      : `${s.timeZone} (${zone.iana})`;
  const sub = d.subscription;
  const subText = !sub
    ? 'none: changes are only seen at the next full sync'
    : `${sub.graphId && sub.expiresAt && sub.expiresAt > now ? 'live' : sub.status}, expires ${utc(sub.expiresAt)}, last notification ${utc(sub.lastNotificationAt)}${sub.lastError ? `, last error: ${cellText(sub.lastError)}` : ''}`;
  const lines = [
    `**Calendar diagnostics for ${label}**`,
    `- Sync: ${s.status}${s.catchUpRequestedAt ? ' (a catch-up is queued)' : ''}`,
    `- Mailbox time zone: ${zoneText}`,
    `- Last sync: ${utc(s.lastSyncAt)}; last full sync: ${utc(s.lastFullSyncAt)}`,
    `- Last error: ${s.lastError ? `${cellText(s.lastError)} (${utc(s.lastErrorAt)})` : 'none'}`,
    `- Cached events: ${d.cachedEvents}${s.windowStart && s.windowEnd ? ` (window ${utc(s.windowStart)} to ${utc(s.windowEnd)})` : ''}`,
    `- Event subscription: ${subText}`,
    '',
  ];
  if (d.nextBusy.length === 0) {
    lines.push('No upcoming meetings count as busy (busy or out of office, not cancelled or declined).');
  } else {
    lines.push(
      'Next meetings that count as busy (busy or out of office, not cancelled or declined):',
      '| Starts | Ends | Meeting | Shows as |',
      '| --- | --- | --- | --- |',
      ...d.nextBusy.map(
        (e) => `| ${utc(e.start)} | ${utc(e.end)} | ${cellText(e.subject || '(No subject)')} | ${e.showAs} |`,
      ),
    );
  }
  return { text: lines.join('\n') };
}

async function availAll(deps: AdminCommandDeps, pageText: string | undefined): Promise<CommandReply> {
  const page = pageArg(pageText);
  if (typeof page === 'string') return { text: `${page} Use \`/mscalendar avail all 2\`.` };
  const size = deps.pageSize ?? 25;
  const now = new Date(deps.clock.now());
  const c = await deps.report.counts(now);
  const { total, rows } = await deps.report.users(size, (page - 1) * size);
  const names = await deps.directory.usernames(rows.map((r) => r.user));
  const lines = [
    `**Calendar sync, all users**: ${c.syncs.active} in sync, ${c.syncs.starting} starting, ${c.syncs.inactive} stopped; ${c.activeSubscriptions} live subscriptions; ${c.cachedEvents} cached events.`,
  ];
  if (total === 0) return { text: `${lines[0]}\nNo user has connected the calendar yet.` };
  const pages = Math.max(1, Math.ceil(total / size));
  if (rows.length === 0) return { text: `${lines[0]}\nThere is no page ${page}: ${pages} in all.` };
  lines.push(
    '',
    '| User | Sync | Last sync | Events | Subscription expires | Last error |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| @${names.get(r.user) ?? r.user} | ${r.status} | ${utc(r.lastSyncAt)} | ${r.events} | ${utc(r.subscriptionExpiresAt)} | ${r.lastError ? cellText(r.lastError).slice(0, 80) : ''} |`,
    ),
  );
  return { text: lines.join('\n') + pageFooter(page, pages, '/mscalendar avail all') };
}

async function subscriptionList(deps: AdminCommandDeps, pageText: string | undefined): Promise<CommandReply> {
  const page = pageArg(pageText);
  if (typeof page === 'string') return { text: `${page} Use \`/mscalendar subscribe list 2\`.` };
  const size = deps.pageSize ?? 25;
  const total = await deps.report.subscriptionCount();
  if (total === 0) return { text: 'There are no calendar event subscriptions.' };
  const pages = Math.max(1, Math.ceil(total / size));
  const rows = await deps.report.subscriptions({ limit: size, offset: (page - 1) * size });
  if (rows.length === 0) return { text: `There is no page ${page}: ${pages} in all.` };
  const names = await deps.directory.usernames(rows.map((r) => r.owner));
  const now = deps.clock.now();
  const lines = [
    `**Calendar event subscriptions** (${total})`,
    '| Owner | Subscription | State | Expires | Last notification |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => {
      const live = r.graphId && r.expiresAt && r.expiresAt.getTime() > now;
      const state = live ? 'live' : r.expiresAt && r.expiresAt.getTime() <= now ? 'expired' : r.status;
      return `| @${names.get(r.owner) ?? r.owner} | ${r.graphId ? `\`${r.graphId}\`` : '—'} | ${state}${r.lastError ? ` (${cellText(r.lastError).slice(0, 60)})` : ''} | ${utc(r.expiresAt)} | ${utc(r.lastNotificationAt)} |`;
    }),
  ];
  return { text: lines.join('\n') + pageFooter(page, pages, '/mscalendar subscribe list') };
}

/** The caller's calendar must be connected for the commands about their own mailbox. */
function own(ctx: CommandContext, run: () => Promise<CommandReply>): Promise<CommandReply> {
  return ctx.isConnected ? run() : Promise.resolve(notConnected);
}

/**
 * The admin commands (adminOnly: hidden from and refused to everyone else by the router, like an unknown
 * command). Readable text, never JSON dumps; `avail all` and `subscribe list` read the database only (no
 * Graph call per user), paged.
 */
export function adminSubcommands(deps: AdminCommandDeps): Subcommand[] {
  return [
    {
      name: 'showcals',
      summary: 'List your calendars: name, owner, whether you can edit, default',
      adminOnly: true,
      needsAccount: true,
      run: async (ctx) => {
        const cals = await deps.calendars.list(ctx.userId);
        if (cals.length === 0) return { text: 'Your mailbox has no calendars.' };
        return {
          text: [
            `**Your calendars** (${cals.length})`,
            '| Calendar | Owner | Can edit | Default |',
            '| --- | --- | --- | --- |',
            ...cals.map(
              (c) =>
                `| ${cellText(c.name || '(no name)')} | ${cellText(c.ownerName || c.ownerAddress || '—')}${c.ownerAddress && c.ownerName ? ` (${cellText(c.ownerAddress)})` : ''} | ${c.canEdit ? 'yes' : 'no'} | ${c.isDefault ? 'yes' : ''} |`,
            ),
          ].join('\n'),
        };
      },
    },
    {
      name: 'avail',
      usage: '[@user | all [page]]',
      summary: 'Show calendar sync diagnostics for you, a user, or everyone',
      adminOnly: true,
      run: async (ctx) => {
        const [target, more] = ctx.args;
        if (target === undefined) return own(ctx, () => availFor(deps, ctx.userId, 'you'));
        if (target.toLowerCase() === 'all') return availAll(deps, more);
        const name = target.replace(/^@/, '');
        if (!/^[a-z0-9._-]+$/i.test(name) || more !== undefined) {
          return {
            text: `Use \`/mscalendar avail\` (you), \`/mscalendar avail @user\` or \`/mscalendar avail all\`.`,
          };
        }
        const id = await deps.directory.userIdByName(name.toLowerCase());
        if (!id) return { text: `There is no Mattermost user @${name}.` };
        return availFor(deps, id, `@${name}`);
      },
    },
    {
      name: 'subscribe',
      usage: '[list [page]]',
      summary: 'Make sure your event subscription exists, or list all calendar subscriptions',
      adminOnly: true,
      run: async (ctx) => {
        const [action, more] = ctx.args;
        if (action?.toLowerCase() === 'list') return subscriptionList(deps, more);
        if (action !== undefined) {
          return { text: 'Use `/mscalendar subscribe` (your own) or `/mscalendar subscribe list`.' };
        }
        return own(ctx, async () => {
          const [before] = await deps.report.subscriptions({ owner: ctx.userId, limit: 1, offset: 0 });
          const now = deps.clock.now();
          const wasLive = !!before?.graphId && !!before.expiresAt && before.expiresAt.getTime() > now;
          try {
            const id = await deps.subscriptions.ensureSubscription(ctx.userId);
            return {
              text: wasLive
                ? `You are already subscribed to your calendar's events (subscription \`${id}\`).`
                : `You are now subscribed to your calendar's events (subscription \`${id}\`).`,
            };
          } catch (err) {
            if (isAppError(err) && err.code === 'MM365_CALENDAR_SESSION_LOST') {
              return { text: 'Your Microsoft sign-in has expired: `/mscalendar connect` again, then retry.' };
            }
            throw err;
          }
        });
      },
    },
    {
      name: 'unsubscribe',
      summary: 'Delete your event subscription (the next full sync, within a day, subscribes again)',
      adminOnly: true,
      run: (ctx) =>
        own(ctx, async () => {
          const [before] = await deps.report.subscriptions({ owner: ctx.userId, limit: 1, offset: 0 });
          if (!before) return { text: 'You are not subscribed to your calendar events.' };
          await deps.subscriptions.dropSubscription(ctx.userId);
          return {
            text: 'You have unsubscribed from your calendar events. Changes now reach the cache only at the next full sync (within a day), which subscribes again; `/mscalendar subscribe` does it now.',
          };
        }),
    },
  ];
}
