/**
 * `info` and the admin commands over a seeded store (both drivers): right counts (the plugin's were not,
 * §11), readable diagnostics, paging, and the router hiding and refusing them for non-admins.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  adminSubcommands,
  CalendarAdminReport,
  type CalendarEvent,
  infoSubcommand,
} from '../../../src/calendar/index.ts';
import { toRow } from '../../../src/calendar/sync/event-codec.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import {
  type CommandCaller,
  type CommandSet,
  helpText,
  runCommand,
  type Subcommand,
} from '../../../src/core/commands/index.ts';
import type { EntraUserId, MmChannelId, MmTeamId, MmUserId, TenantId } from '../../../src/core/ids.ts';
import { createLogger } from '../../../src/core/log.ts';
import { CalendarEvents } from '../../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../../src/store/calendar-sync.ts';
import { ConnectedAccounts, migrateToLatest } from '../../../src/store/index.ts';
import { MicrosoftSubscriptions } from '../../../src/store/microsoft-subscription.ts';
import { eventDefaults } from '../../helpers/calendar-event.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const now = Date.UTC(2026, 10, 23, 12);
const clock = new ManualClock(now);
const at = (h: number) => new Date(now + h * 3_600_000);
const names: Record<string, string> = { ua: 'alice', ub: 'bob', uc: 'carol' };

function ev(id: string, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id,
    iCalUId: null,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: `Meeting ${id}`,
    bodyPreview: '',
    start: at(1),
    end: at(2),
    ...eventDefaults(),
    ...over,
  };
}

describe.each(drivers)('calendar admin commands on %s', (driver) => {
  let t: TestStore;
  let control: string[];
  let commands: Subcommand[];

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    const db = t.store.db;
    for (const table of [
      'microsoft_notification',
      'microsoft_subscription',
      'calendar_event',
      'calendar_sync',
      'connected_account',
    ] as const) {
      await db.deleteFrom(table).execute();
    }
    const accounts = new ConnectedAccounts(db);
    const account = (id: string, features: ('calendar' | 'teams')[], status: 'active' | 'inactive') =>
      accounts.save({
        mmUserId: id as MmUserId,
        microsoft: {
          tenantId: 't' as TenantId,
          entraUserId: `e-${id}` as EntraUserId,
          mail: `${id}@x`,
          userPrincipalName: `${id}@x`,
          displayName: id,
        },
        features,
        status,
        inactiveReason: status === 'inactive' ? 'refresh_expired' : null,
        inactiveNotifiedAt: null,
        connectedAt: at(-48),
        updatedAt: at(-48),
      });
    await account('ua', ['calendar'], 'active');
    await account('ub', ['calendar', 'teams'], 'active');
    await account('uc', ['calendar'], 'inactive');
    await account('ud', ['teams'], 'active'); // not a calendar user: counted nowhere here
    const syncs = new CalendarSyncs(db);
    for (const u of ['ua', 'ub', 'uc']) await syncs.begin(u, at(-1));
    await syncs.update(
      'ua',
      {
        status: 'active',
        timeZone: 'Pacific Standard Time',
        lastSyncAt: at(-0.5),
        lastFullSyncAt: at(-2),
        windowStart: at(-24),
        windowEnd: at(24 * 30),
      },
      at(-0.5),
    );
    await syncs.update(
      'ub',
      { status: 'active', timeZone: 'Customized Time Zone', lastSyncAt: at(-1) },
      at(-1),
    );
    await syncs.update(
      'uc',
      { status: 'inactive', lastError: 'session lost: refresh_expired', lastErrorAt: at(-3) },
      at(-3),
    );
    const events = new CalendarEvents(db);
    await events.upsert(
      'ua',
      [
        ev('busy-1', { start: at(1), end: at(2) }),
        ev('free', { showAs: 'free', start: at(1.5), end: at(2) }),
        ev('cancelled', { isCancelled: true, start: at(3), end: at(4) }),
        ev('declined', { response: 'declined', start: at(3), end: at(4) }),
        ev('oof', { showAs: 'oof', subject: 'Vacation | off', start: at(5), end: at(6) }),
        ev('past', { start: at(-3), end: at(-2) }),
      ].map(toRow),
      1,
      at(-1),
    );
    await events.upsert('ub', [ev('b1')].map(toRow), 1, at(-1));
    const subs = new MicrosoftSubscriptions(db);
    const sub = async (owner: string, graphId: string | null, expires: Date | null) => {
      const row = await subs.upsert({
        kind: 'calendar.events',
        ownerKey: owner,
        resource: '/me/events',
        changeType: 'created,updated,deleted',
        auth: '{}',
        includeResourceData: false,
        lifetimeMinutes: 10_000,
      });
      await subs.update(row.id, { graphId, expiresAt: expires, status: graphId ? 'active' : 'pending' });
      return row.id;
    };
    const live = await sub('ua', 'aaaaaaaa-0000-4000-8000-000000000001', at(100));
    await sub('ub', 'bbbbbbbb-0000-4000-8000-000000000002', at(-1)); // expired
    await sub('uc', null, null); // never created at Graph
    // A Teams subscription of ua: not the calendar's.
    await subs.upsert({
      kind: 'teams.chats',
      ownerKey: 'ua',
      resource: '/me/chats/getAllMessages',
      changeType: 'created',
      auth: '{}',
      includeResourceData: false,
      lifetimeMinutes: 60,
    });
    for (const [i, received] of [at(-5), at(-0.25)].entries()) {
      await db
        .insertInto('microsoft_notification')
        .values({
          id: `n${i}`,
          dedupe_key: `k${i}`,
          kind: 'change',
          subscription_id: live,
          body: '{}',
          received_at: received,
          processed_at: received,
        })
        .execute();
    }
    control = [];
    const report = new CalendarAdminReport(db);
    const build = {
      product: 'mattermost-m365',
      version: '0.1.0',
      commit: 'a'.repeat(40),
      startedAt: at(-2.5),
    };
    commands = [
      infoSubcommand({ report, build, clock }),
      ...adminSubcommands({
        report,
        build,
        clock,
        pageSize: 2,
        calendars: {
          list: async () => [
            {
              name: 'Calendar',
              ownerName: 'Alice A',
              ownerAddress: 'alice@x',
              canEdit: true,
              isDefault: true,
            },
            {
              name: 'Team | shared',
              ownerName: '',
              ownerAddress: 'team@x',
              canEdit: false,
              isDefault: false,
            },
          ],
        },
        directory: {
          userIdByName: async (n) => Object.entries(names).find(([, v]) => v === n)?.[0],
          usernames: async (ids) => new Map(ids.filter((i) => names[i]).map((i) => [i, names[i] as string])),
        },
        subscriptions: {
          ensureSubscription: async (u) => {
            control.push(`ensure ${u}`);
            return 'graph-sub-id';
          },
          dropSubscription: async (u) => {
            control.push(`drop ${u}`);
          },
        },
      }),
    ];
  });

  const set = (): CommandSet => ({
    trigger: 'mscalendar',
    description: 'Microsoft Calendar',
    hint: '[command]',
    connectHint: '`/mscalendar connect`',
    subcommands: [
      {
        name: 'status',
        aliases: ['info'],
        summary: 'Show your connection',
        run: async () => ({ text: 'status!' }),
      },
      ...commands,
    ],
  });
  const caller = (over: Partial<CommandCaller> = {}): CommandCaller => ({
    userId: 'ua' as MmUserId,
    channelId: 'c' as MmChannelId,
    teamId: 't' as MmTeamId,
    isAdmin: true,
    isConnected: true,
    ...over,
  });
  const run = (text: string, over: Partial<CommandCaller> = {}) =>
    runCommand(set(), text, caller(over), 'req-1', silent).then((r) => r.text);

  it('info: version and commit for anyone; counts that add up for admins only', async () => {
    const plain = await run('info', { isAdmin: false });
    expect(plain).toBe(
      `**mattermost-m365** version 0.1.0, commit \`aaaaaaaaaaaa\`, running since 2026-11-23 09:30 UTC (2 h 30 min).`,
    );
    // `info` is a command of its own: another command's alias does not shadow it.
    expect(plain).not.toContain('status!');
    const admin = await run('info');
    expect(admin).toContain('- Connected users: 2 (and 1 who must reconnect)');
    expect(admin).toContain('- Calendars in sync: 2 (0 starting, 1 stopped)');
    expect(admin).toContain('- Live event subscriptions: 1 (2 pending or expired)');
    expect(admin).toContain('- Cached events: 7');
  });

  it('help and routing: admin commands are listed for admins only, and refused to others as unknown', async () => {
    const user = helpText(set(), { isAdmin: false });
    const admin = helpText(set(), { isAdmin: true });
    for (const name of ['showcals', 'avail', 'subscribe', 'unsubscribe']) {
      expect(user).not.toContain(`/mscalendar ${name}`);
      expect(admin).toContain(`/mscalendar ${name}`);
      const refused = await run(name, { isAdmin: false });
      expect(refused).toContain(`Unknown command \`${name}\``);
      expect(refused).toBe(`Unknown command \`${name}\`.\n\n${user}`);
    }
    expect(user).toContain('`/mscalendar info` — Show the version of this service');
    expect(admin).toContain('`/mscalendar avail [@user | all [page]]` — Show calendar sync diagnostics');
    expect(admin.indexOf('/mscalendar info')).toBeLessThan(admin.indexOf('/mscalendar showcals'));
  });

  it('showcals: a readable table of the caller’s calendars', async () => {
    expect(await run('showcals')).toBe(
      [
        '**Your calendars** (2)',
        '| Calendar | Owner | Can edit | Default |',
        '| --- | --- | --- | --- |',
        '| Calendar | Alice A (alice@x) | yes | yes |',
        '| Team \\| shared | team@x | no |  |',
      ].join('\n'),
    );
    expect(await run('showcals', { isConnected: false })).toContain('You need to connect');
  });

  it('avail: the caller’s sync, subscription and next busy meetings (not free, cancelled or declined)', async () => {
    const text = await run('avail');
    expect(text).toContain('**Calendar diagnostics for you**');
    expect(text).toContain('- Sync: active');
    expect(text).toContain('- Mailbox time zone: Pacific Standard Time (America/Los_Angeles)');
    expect(text).toContain('- Last sync: 2026-11-23 11:30 UTC; last full sync: 2026-11-23 10:00 UTC');
    expect(text).toContain('- Last error: none');
    expect(text).toContain('- Cached events: 6 (window 2026-11-22 12:00 UTC to 2026-12-23 12:00 UTC)');
    expect(text).toContain(
      '- Event subscription: live, expires 2026-11-27 16:00 UTC, last notification 2026-11-23 11:45 UTC',
    );
    expect(text).toContain('| 2026-11-23 13:00 UTC | 2026-11-23 14:00 UTC | Meeting busy-1 | busy |');
    expect(text).toContain('| 2026-11-23 17:00 UTC | 2026-11-23 18:00 UTC | Vacation \\| off | oof |');
    for (const left of ['Meeting free', 'Meeting cancelled', 'Meeting declined', 'Meeting past']) {
      expect(text).not.toContain(left);
    }
  });

  it('avail @user: another user, by username; unknown users and bad syntax are said so', async () => {
    const bob = await run('avail @bob');
    expect(bob).toContain('**Calendar diagnostics for @bob**');
    expect(bob).toContain('- Mailbox time zone: unknown (Customized Time Zone): times are shown in UTC');
    expect(bob).toContain('- Event subscription: active, expires 2026-11-23 11:00 UTC');
    const carol = await run('avail carol');
    expect(carol).toContain('- Sync: inactive');
    expect(carol).toContain('- Last error: session lost: refresh\\_expired (2026-11-23 09:00 UTC)');
    expect(await run('avail @nobody')).toBe('There is no Mattermost user @nobody.');
    expect(await run('avail @bob extra')).toContain('Use `/mscalendar avail` (you)');
    expect(await run('avail', { isConnected: false })).toContain('You need to connect');
  });

  it('avail all: counts, then every synced user a page at a time (no Graph call)', async () => {
    const first = await run('avail all');
    expect(first).toContain(
      '**Calendar sync, all users**: 2 in sync, 0 starting, 1 stopped; 1 live subscriptions; 7 cached events.',
    );
    expect(first).toContain('| @alice | active | 2026-11-23 11:30 UTC | 6 | 2026-11-27 16:00 UTC |  |');
    expect(first).toContain('| @bob | active | 2026-11-23 11:00 UTC | 1 | 2026-11-23 11:00 UTC |  |');
    expect(first).not.toContain('@carol');
    expect(first).toContain('Page 1 of 2: `/mscalendar avail all 2` for the next.');
    const second = await run('avail all 2');
    expect(second).toContain('| @carol | inactive | — | 0 | — | session lost: refresh\\_expired |');
    expect(second).toContain('Page 2 of 2.');
    expect(await run('avail all 3')).toContain('There is no page 3: 2 in all.');
    expect(await run('avail all x')).toContain('"x" is not a page number.');
  });

  it('subscribe list: calendar subscriptions only, with owner, state, expiry and last notification, paged', async () => {
    const first = await run('subscribe list');
    expect(first).toContain('**Calendar event subscriptions** (3)');
    expect(first).toContain(
      '| @alice | `aaaaaaaa-0000-4000-8000-000000000001` | live | 2026-11-27 16:00 UTC | 2026-11-23 11:45 UTC |',
    );
    expect(first).toContain(
      '| @bob | `bbbbbbbb-0000-4000-8000-000000000002` | expired | 2026-11-23 11:00 UTC | — |',
    );
    expect(first).toContain('`/mscalendar subscribe list 2` for the next');
    expect(await run('subscribe list 2')).toContain('| @carol | — | pending | — | — |');
    expect(first).not.toContain('getAllMessages');
  });

  it('subscribe / unsubscribe: the caller’s own subscription through the sync', async () => {
    expect(await run('subscribe')).toBe(
      "You are already subscribed to your calendar's events (subscription `graph-sub-id`).",
    );
    expect(await run('subscribe', { userId: 'ub' as MmUserId })).toBe(
      "You are now subscribed to your calendar's events (subscription `graph-sub-id`).",
    );
    expect(await run('unsubscribe')).toContain('You have unsubscribed from your calendar events.');
    expect(await run('unsubscribe', { userId: 'nobody' as MmUserId })).toBe(
      'You are not subscribed to your calendar events.',
    );
    expect(await run('subscribe now')).toContain('Use `/mscalendar subscribe` (your own)');
    expect(control).toEqual(['ensure ua', 'ensure ub', 'drop ua']);
  });
});
