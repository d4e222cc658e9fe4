import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { calendarSyncQueue, summaryRescheduleQueue } from '../../src/calendar/index.ts';
import type { Sandbox } from '../../src/cli/sandbox.ts';
import { createLogger } from '../../src/core/log.ts';
import { waitFor } from '../helpers/wait.ts';
import { startProduct, typeAs } from './product.ts';

/**
 * The agenda, summary and admin commands end to end: the service against both simulators, people typing
 * `/mscalendar …` in Mattermost. alice is made a system admin in Mattermost; bob and carol are not. The app
 * runs on the real clock, so "tomorrow is not a working day" is arranged by setting bob's Outlook working
 * days relative to today.
 */
const log = createLogger({ log: { level: (process.env.E2E_LOG as 'warn') ?? 'silent', format: 'json' } });
const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

describe('agenda, summary and admin commands, end to end', () => {
  let sandbox: Sandbox;
  let app: App;
  const id = (user: string) => sandbox.info.mattermost.users[user]?.id as string;

  const type = (as: string, command: string, follow = false) => typeAs(sandbox.info, as, command, follow);

  async function control(method: string, path: string, body?: unknown): Promise<Response> {
    const ms = sandbox.info.microsoft;
    return fetch(`${ms.control}${path}`, {
      method,
      headers: { authorization: `Bearer ${ms.controlToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** Sets a mailbox's Outlook working days through Graph, as the user would in Outlook. */
  async function setWorkingDays(user: string, days: string[]): Promise<void> {
    const token = (await (await control('POST', '/tokens', { user })).json()) as { access_token: string };
    const res = await fetch(`${sandbox.info.microsoft.graph}/me/mailboxSettings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workingHours: { daysOfWeek: days } }),
    });
    expect(res.status).toBe(200);
  }

  const synced = async (user: string) =>
    (
      await app.store.db
        .selectFrom('calendar_sync')
        .select('status')
        .where('mm_user_id', '=', id(user))
        .executeTakeFirst()
    )?.status === 'active';

  beforeAll(async () => {
    ({ sandbox, app } = await startProduct(log));
    // alice administers Mattermost (before her first command: the service caches the admin check a minute).
    const mm = sandbox.info.mattermost;
    const promoted = await fetch(`${mm.url}/api/v4/users/${id('alice')}/roles`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${mm.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ roles: 'system_user system_admin' }),
    });
    expect(promoted.status).toBe(200);
    // carol's mailbox is in a customized zone no table knows.
    expect((await control('PATCH', '/users/carol', { timeZone: 'Customized Time Zone' })).status).toBe(200);
    for (const user of ['alice', 'bob', 'carol']) {
      expect(await type(user, '/mscalendar connect', true)).toContain('✅ Connected to Microsoft Calendar');
    }
    await waitFor(
      'alice, bob and carol in sync',
      async () => (await synced('alice')) && (await synced('bob')) && (await synced('carol')),
      30_000,
    );
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
  });

  it('tomorrow is the next working day when Outlook says tomorrow is not one; day +1 is tomorrow itself', async () => {
    // bob's mailbox is in UTC. Every day is a working day except tomorrow's weekday.
    const expected = () => {
      const today = DateTime.utc().startOf('day');
      return { tomorrow: today.plus({ days: 1 }), next: today.plus({ days: 2 }) };
    };
    const before = expected();
    await setWorkingDays(
      'bob',
      weekdays.filter((_, i) => i + 1 !== before.tomorrow.weekday),
    );
    let text = await type('bob', '/mscalendar tomorrow');
    // Past midnight UTC between the set-up and the command: arrange again for the new day.
    if (expected().tomorrow.toISODate() !== before.tomorrow.toISODate()) {
      await setWorkingDays(
        'bob',
        weekdays.filter((_, i) => i + 1 !== expected().tomorrow.weekday),
      );
      text = await type('bob', '/mscalendar tomorrow');
    }
    const { tomorrow, next } = expected();
    expect(text).toContain('Times are shown in UTC.');
    expect(text).toContain(`#### Your next working day, ${next.toFormat('cccc d LLLL yyyy')}`);
    expect(text).toContain(`Tomorrow (${tomorrow.toFormat('cccc')}) is not one of your working days (`);
    expect(text).toContain('from your working hours in Outlook), so this is your next working day.');
    expect(await type('bob', '/mscalendar day +1')).toContain(
      `#### Tomorrow, ${tomorrow.toFormat('cccc d LLLL yyyy')}`,
    );
    // Every day a working day again: tomorrow is tomorrow.
    await setWorkingDays('bob', weekdays);
    expect(await type('bob', '/mscalendar tomorrow')).toContain(
      `#### Tomorrow, ${expected().tomorrow.toFormat('cccc d LLLL yyyy')}`,
    );
  });

  it('info: the version for anyone, and right counts for admins', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as {
      version: string;
    };
    const bob = await type('bob', '/mscalendar info');
    expect(bob).toContain(`**mattermost-m365** version ${pkg.version}, commit \``);
    expect(bob).not.toContain('Connected users');
    const alice = await type('alice', '/mscalendar info');
    expect(alice).toContain('- Connected users: 3');
    expect(alice).toContain('- Calendars in sync: 3 (0 starting, 0 stopped)');
    expect(alice).toContain('- Live event subscriptions: 3');
    const events = await app.store.db
      .selectFrom('calendar_event')
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(alice).toContain(`- Cached events: ${Number(events.n)}`);
  });

  it('help lists admin commands for admins only; others get them refused as unknown, like any unknown command', async () => {
    const bobHelp = await type('bob', '/mscalendar help');
    const aliceHelp = await type('alice', '/mscalendar help');
    for (const name of ['showcals', 'avail', 'subscribe', 'unsubscribe']) {
      expect(bobHelp).not.toContain(`/mscalendar ${name}`);
      expect(aliceHelp).toContain(`/mscalendar ${name}`);
      expect(await type('bob', `/mscalendar ${name}`)).toContain(`Unknown command \`${name}\`.`);
    }
    for (const name of ['today', 'tomorrow', 'day', 'viewcal', 'summary', 'info']) {
      expect(bobHelp).toContain(`/mscalendar ${name}`);
    }
    const unknown = await type('bob', '/mscalendar frobnicate');
    expect(unknown).toContain('Unknown command `frobnicate`.');
    expect(unknown).toContain('/mscalendar today');
  });

  it('showcals, avail and subscribe list for an admin: readable, from Graph and the database', async () => {
    const cals = await type('alice', '/mscalendar showcals');
    expect(cals).toContain('**Your calendars** (');
    expect(cals).toContain('| Calendar | Owner | Can edit | Default |');
    expect(cals).toMatch(/\| Calendar \| Alice Archer \(alice@contoso\.example\) \| yes \| yes \|/);

    const mine = await type('alice', '/mscalendar avail');
    expect(mine).toContain('**Calendar diagnostics for you**');
    expect(mine).toContain('- Sync: active');
    expect(mine).toContain('- Mailbox time zone: Pacific Standard Time (America/Los_Angeles)');
    expect(mine).toMatch(/- Event subscription: live, expires \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(await type('alice', '/mscalendar avail @carol')).toContain(
      '- Mailbox time zone: unknown (Customized Time Zone): times are shown in UTC',
    );
    const all = await type('alice', '/mscalendar avail all');
    expect(all).toContain(
      '**Calendar sync, all users**: 3 in sync, 0 starting, 0 stopped; 3 live subscriptions;',
    );
    for (const user of ['alice', 'bob', 'carol'])
      expect(all).toMatch(new RegExp(`\\| @${user} \\| active \\|`));

    const subs = await type('alice', '/mscalendar subscribe list');
    expect(subs).toContain('**Calendar event subscriptions** (3)');
    for (const user of ['alice', 'bob', 'carol'])
      expect(subs).toMatch(new RegExp(`\\| @${user} \\| \`[0-9a-f-]{36}\` \\| live \\|`));
    expect(await type('alice', '/mscalendar subscribe')).toContain(
      "You are already subscribed to your calendar's events",
    );
  });

  it('an unknown mailbox zone: agenda and summary say UTC, why, and how to fix it; bad summary times are refused', async () => {
    const today = await type('carol', '/mscalendar today');
    expect(today).toContain(
      "Times are shown in UTC because your mailbox's time zone (Customized Time Zone) is not a standard zone we can convert. To fix it, pick a named time zone in Outlook",
    );
    const summary = await type('carol', '/mscalendar summary time 8:30');
    expect(summary).toContain('Your daily summary is sent at 08:30 UTC on Mon–Fri.');
    expect(summary).toContain('pick a named time zone in Outlook');
    for (const bad of ['25:00', '8', '7:75', 'noon', '13pm']) {
      expect(await type('carol', `/mscalendar summary time ${bad}`)).toContain(`"${bad}" is not a time.`);
    }
    expect(await type('carol', '/mscalendar summary time')).toContain('"" is not a time.');
    const schedule = await sql<{
      cron: string;
      timezone: string;
    }>`select cron, timezone from pgboss.schedule where name = 'calendar.daily-summary' and key = ${id('carol')}`.execute(
      app.store.db,
    );
    expect(schedule.rows).toEqual([{ cron: '30 8 * * 1,2,3,4,5', timezone: 'UTC' }]);
  });

  it("moves alice's summary to her new mailbox zone once, when a sync round sees it change", async () => {
    expect(await type('alice', '/mscalendar summary time 08:30')).toContain(
      'Your daily summary is sent at 08:30 (Pacific Standard Time) on Mon–Fri.',
    );
    const zoneOf = async () =>
      (
        await sql<{
          timezone: string;
        }>`select timezone from pgboss.schedule where name = 'calendar.daily-summary' and key = ${id('alice')}`.execute(
          app.store.db,
        )
      ).rows[0]?.timezone;
    expect(await zoneOf()).toBe('America/Los_Angeles');
    const total = async () =>
      Object.values(await app.jobs.countJobs(summaryRescheduleQueue)).reduce((a, b) => a + b, 0);
    const rescheduledBefore = await total(); // the first round of each user (zone unknown → known)
    // A full round bumps the sync row's generation (one per full round).
    const generation = async () =>
      (
        await app.store.db
          .selectFrom('calendar_sync')
          .select('generation')
          .where('mm_user_id', '=', id('alice'))
          .executeTakeFirstOrThrow()
      ).generation;
    const fullRound = async () => {
      const before = await generation();
      await app.jobs.send(
        calendarSyncQueue,
        { user: id('alice'), mode: 'full' },
        { singletonKey: id('alice') },
      );
      await waitFor('a full sync round for alice', async () => (await generation()) > before, 30_000);
    };
    expect((await control('PATCH', '/users/alice', { timeZone: 'Tokyo Standard Time' })).status).toBe(200);
    await fullRound();
    await waitFor('the summary to move to Tokyo', async () => (await zoneOf()) === 'Asia/Tokyo', 30_000);
    expect(await total()).toBe(rescheduledBefore + 1);
    await fullRound(); // same zone: nothing to move
    expect(await total()).toBe(rescheduledBefore + 1);
    expect(await type('alice', '/mscalendar summary')).toContain(
      'Your daily summary is sent at 08:30 (Tokyo Standard Time) on Mon–Fri.',
    );
  });
});
