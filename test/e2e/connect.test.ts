import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveCheck } from '../../src/accounts/index.ts';
import { type App, buildApp } from '../../src/app.ts';
import { dailySummaryQueue } from '../../src/calendar/index.ts';
import type { Sandbox } from '../../src/cli/sandbox.ts';
import type { MmUserId } from '../../src/core/ids.ts';
import { createLogger } from '../../src/core/log.ts';
import { waitFor } from '../helpers/wait.ts';
import { startProduct, typeAs } from './product.ts';

/**
 * The whole product against both simulators, no mocks between: the sandbox's set-up, the service, and a
 * person (mm365 try) typing slash commands and following links in a browser.
 */
const log = createLogger({ log: { level: (process.env.E2E_LOG as 'warn') ?? 'silent', format: 'json' } });

describe('connected accounts, end to end', () => {
  let sandbox: Sandbox;
  let app: App;

  beforeAll(async () => {
    ({ sandbox, app } = await startProduct(log));
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
  });

  const type = (as: string, command: string) => typeAs(sandbox.info, as, command);

  async function botDms(user: string): Promise<string[]> {
    const mm = sandbox.info.mattermost;
    const me = mm.users[user] as { id: string; token: string };
    const channel = (await (
      await fetch(`${mm.url}/api/v4/channels/direct`, {
        method: 'POST',
        headers: { authorization: `Bearer ${me.token}`, 'content-type': 'application/json' },
        body: JSON.stringify([me.id, sandbox.info.bot.userId]),
      })
    ).json()) as { id: string };
    const posts = (await (
      await fetch(`${mm.url}/api/v4/channels/${channel.id}/posts`, {
        headers: { authorization: `Bearer ${me.token}` },
      })
    ).json()) as { order: string[]; posts: Record<string, { message: string }> };
    return posts.order.map((id) => posts.posts[id]?.message ?? '').reverse();
  }

  it('connects alice for Calendar, then Teams with the same account, through both sign-ins', async () => {
    const calendar = await type('alice', '/mscalendar connect');
    expect(calendar).toContain('I sent you a direct message with a link to connect your Microsoft account.');
    expect(calendar).toMatch(/302 \S+\/mattermost\/oauth\/callback → \S+\/connect\/start/);
    expect(calendar).toMatch(/302 \S+\/oauth2\/v2\.0\/authorize → \S+\/connect\/microsoft\/callback/);
    expect(calendar).toContain('200 ');
    expect(calendar).toContain('Connected to Microsoft Calendar as alice@contoso.example');
    expect(calendar).toContain('✅ Connected to Microsoft Calendar as alice@contoso.example');
    expect(calendar).toContain('What you get now:');
    expect(calendar).toContain('/mscalendar summary time 08:30');

    // Connecting the calendar starts its sync: alice's Outlook events reach the cache (subscription + delta).
    const aliceId = sandbox.info.mattermost.users.alice?.id as string;
    await waitFor(
      "alice's events in the calendar cache",
      async () =>
        (
          await app.store.db
            .selectFrom('calendar_event')
            .select('event_id')
            .where('mm_user_id', '=', aliceId)
            .execute()
        ).length > 0,
      30_000,
    );

    // The agenda reads the cache: alice's demo meetings, in her mailbox's zone.
    const week = await type('alice', '/mscalendar viewcal 7');
    expect(week).toContain('Times are shown in');
    expect(week).toContain('Daily standup');
    expect(week).toMatch(/\| \d{1,2}:\d{2} [AP]M – \d{1,2}:\d{2} [AP]M \|/);
    expect(await type('alice', '/mscalendar viewcal 99')).toContain('"99" is not a number of days');
    expect(await type('bob', '/mscalendar today')).toContain(
      'You need to connect your Microsoft account first',
    );

    // The daily summary: alice's time and days become a schedule in her mailbox's zone; a run DMs once.
    expect(await type('alice', '/mscalendar summary')).toContain('Your daily summary is off.');
    expect(await type('alice', '/mscalendar summary time 8:30am')).toContain(
      'Your daily summary is sent at 08:30 (Pacific Standard Time) on Mon–Fri.',
    );
    expect(await type('alice', '/mscalendar summary days mon,wed')).toContain('on Mon, Wed.');
    expect(await type('alice', '/mscalendar summary time 25:00')).toContain('"25:00" is not a time.');
    const schedules = await sql<{
      cron: string;
      timezone: string;
    }>`select cron, timezone from pgboss.schedule where name = 'calendar.daily-summary' and key = ${aliceId}`.execute(
      app.store.db,
    );
    expect(schedules.rows).toEqual([{ cron: '30 8 * * 1,3', timezone: 'America/Los_Angeles' }]);
    const dmsBefore = (await botDms('alice')).length;
    for (let i = 0; i < 2; i++) {
      await app.jobs.send(dailySummaryQueue, { user: aliceId });
      await waitFor(
        'the summary job',
        async () => (await app.jobs.countJobs(dailySummaryQueue)).completed === i + 1,
        30_000,
      );
    }
    const summaries = (await botDms('alice')).slice(dmsBefore);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('**Your daily summary**');
    expect(summaries[0]).toContain('Daily standup');
    expect(await type('alice', '/mscalendar summary off')).toContain('Your daily summary is off.');
    const after =
      await sql`select 1 from pgboss.schedule where name = 'calendar.daily-summary' and key = ${aliceId}`.execute(
        app.store.db,
      );
    expect(after.rows).toHaveLength(0);

    // Reminders: planned from the cache for everyone in one query, delivered once, skipped when moved.
    expect(await type('alice', '/mscalendar reminders')).toContain(
      'You are reminded 10 minutes before each meeting',
    );
    expect(await type('alice', '/mscalendar reminders 15')).toContain(
      'You are reminded 15 minutes before each meeting',
    );
    expect(await type('alice', '/mscalendar reminders 7')).toContain('"7" is not a choice.');
    const next = await app.store.db
      .selectFrom('calendar_event')
      .select(['event_id', 'start_at'])
      .where('mm_user_id', '=', aliceId)
      .where('is_all_day', '=', false)
      .where('start_at', '>', new Date())
      .orderBy('start_at')
      .executeTakeFirstOrThrow();
    const reminders = app.upstreams?.calendar?.reminders;
    if (!reminders) throw new Error('reminders are not wired');
    const planned = await reminders.plan(new Date(next.start_at).getTime() - 15 * 60_000 - 30_000);
    expect(planned).toContainEqual({
      user: aliceId,
      eventId: next.event_id,
      start: new Date(next.start_at),
      leadMinutes: 15,
    });
    const dmsBeforeReminder = (await botDms('alice')).length;
    const occurrence = { user: aliceId, eventId: next.event_id, start: new Date(next.start_at) };
    expect(await reminders.deliver(occurrence)).toBe('sent');
    expect(await reminders.deliver(occurrence)).toBe('sent');
    expect(
      await reminders.deliver({ ...occurrence, start: new Date(next.start_at.getTime() + 3_600_000) }),
    ).toBe('skipped');
    const reminderDms = (await botDms('alice')).slice(dmsBeforeReminder);
    expect(reminderDms).toHaveLength(1);
    expect(reminderDms[0]).toMatch(/^⏰ \*\*.+\*\* starts in \d+ minutes \(\d{1,2}:\d{2} [AP]M\)\./);
    expect(await type('alice', '/mscalendar reminders off')).toContain('Meeting reminders are off.');
    const plannedOff = await reminders.plan(new Date(next.start_at).getTime() - 15 * 60_000 - 30_000);
    expect(plannedOff.filter((r) => r.user === aliceId)).toEqual([]);

    const teams = await type('alice', '/msteams connect');
    expect(teams).toContain('✅ Connected to Microsoft Teams as alice@contoso.example');
    const alice = sandbox.info.mattermost.users.alice?.id as MmUserId;
    expect(await app.accounts.get(alice)).toMatchObject({
      status: 'active',
      features: ['calendar', 'teams'],
    });
    expect(await type('alice', '/msteams status')).toContain('for Microsoft Calendar and Microsoft Teams');
  }, 60_000);

  it('marks the account inactive and DMs alice once when her refresh token dies of inactivity', async () => {
    const alice = sandbox.info.mattermost.users.alice?.id as MmUserId;
    expect((await app.accounts.get(alice))?.status).toBe('active');
    // 91 days without using the refresh token, on the Microsoft simulator's clock.
    const ms = sandbox.info.microsoft;
    const advanced = await fetch(`${ms.control}/clock/advance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ms.controlToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ms: 91 * 86_400_000 }),
    });
    expect(advanced.status).toBe(200);
    const before = (await botDms('alice')).length;
    // Two checks, as two features might trip over the dead session: the account goes inactive, one DM.
    await app.jobs.send(keepAliveCheck, { mmUserId: alice }, { singletonKey: alice });
    await waitFor(
      'alice to be marked inactive',
      async () => (await app.accounts.get(alice))?.status === 'inactive',
      30_000,
    );
    await app.jobs.send(keepAliveCheck, { mmUserId: alice }, { singletonKey: alice });
    await waitFor(
      'both checks to finish',
      async () => (await app.jobs.countJobs(keepAliveCheck)).completed === 2,
      30_000,
    );
    expect(await app.accounts.get(alice)).toMatchObject({
      status: 'inactive',
      inactiveReason: 'refresh_expired',
    });
    const dms = await botDms('alice');
    expect(dms.slice(before)).toHaveLength(1);
    expect(dms.at(-1)).toContain(
      'Your Microsoft 365 connection stopped working because it was not used for too long.',
    );
    expect(dms.at(-1)).toMatch(/\[reconnect your account\]\(http:\/\/127\.0\.0\.1:\d+\/mattermost\/signin\?/);
    expect(await type('alice', '/mscalendar status')).toContain('the connection stopped working');
    // A feature command says why it cannot run, and how to fix it (the plugin's "marked inactive").
    expect(await type('alice', '/mscalendar today')).toContain(
      'Your Microsoft account connection has stopped working',
    );

    // Reconnecting brings it back.
    expect(await type('alice', '/mscalendar connect')).toContain(
      '✅ Connected to Microsoft Calendar as alice@contoso.example',
    );
    expect((await app.accounts.get(alice))?.status).toBe('active');
  }, 90_000);

  it('doctor passes against the running deployment, and says the webhook needs HTTPS for the real Graph', async () => {
    const { runDoctor } = await import('../../src/wiring/doctor.ts');
    const checks = await runDoctor(app);
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(byName.database?.status).toBe('pass');
    expect(byName['microsoft.credentials']?.status).toBe('pass');
    expect(byName['microsoft.application-permissions']?.status).toBe('pass');
    expect(byName['microsoft.redirect-uri']?.status).toBe('pass');
    expect(byName['microsoft.delegated-permissions']?.status).toBe('pass');
    expect(byName['microsoft.webhook']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('Graph only calls HTTPS URLs'),
    });
    expect(checks.some((c) => c.name.startsWith('mattermost.') && c.status === 'pass')).toBe(true);
  });

  it('doctor names the fix when the redirect URI is not registered and a permission lacks consent', async () => {
    const { runDoctor } = await import('../../src/wiring/doctor.ts');
    const ms = sandbox.info.microsoft;
    const clientId = sandbox.config.microsoft.clientId as string;
    const patch = await fetch(`${ms.control}/apps/${clientId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ms.controlToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        applicationPermissions: [
          'User.Read.All',
          'Calendars.Read',
          'Application.Read.All',
          'DelegatedPermissionGrant.Read.All',
        ],
        delegatedPermissions: ['User.Read', 'Calendars.ReadWrite'],
      }),
    });
    expect(patch.status).toBe(200);
    const other = buildApp(
      {
        ...sandbox.config,
        server: { ...sandbox.config.server, publicUrl: 'http://mm365.invalid' },
        database: { ...sandbox.config.database, dataDir: 'memory://' },
      },
      { log },
    );
    try {
      const checks = Object.fromEntries((await runDoctor(other)).map((c) => [c.name, c]));
      expect(checks['microsoft.application-permissions']).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('MailboxSettings.Read'),
      });
      expect(checks['microsoft.redirect-uri']).toMatchObject({
        status: 'fail',
        fix: expect.stringContaining('http://mm365.invalid/connect/microsoft/callback'),
      });
      expect(checks['microsoft.webhook']?.status).toBe('fail');
      expect(checks['microsoft.delegated-permissions']).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('MailboxSettings.Read'),
      });
    } finally {
      await other.store.close();
    }
  });

  it('disconnects feature by feature; the last one deletes the stored Microsoft tokens', async () => {
    const alice = sandbox.info.mattermost.users.alice?.id as MmUserId;
    const tokens = async () =>
      (
        await app.store.db
          .selectFrom('microsoft_token_cache')
          .select('partition')
          .where('partition', '=', alice)
          .execute()
      ).length;
    expect(await tokens()).toBe(1);
    expect(await type('alice', '/msteams disconnect')).toContain(
      'Disconnected alice@contoso.example from Microsoft Teams. Your account stays connected for Microsoft Calendar.',
    );
    expect(await tokens()).toBe(1);
    expect(await type('alice', '/mscalendar disconnect')).toContain(
      'Disconnected alice@contoso.example from Microsoft Calendar.',
    );
    expect(await tokens()).toBe(0);
    // The calendar's cache and sync state went with it.
    expect(
      await app.store.db
        .selectFrom('calendar_event')
        .select('event_id')
        .where('mm_user_id', '=', alice)
        .execute(),
    ).toHaveLength(0);
    expect(await app.accounts.get(alice)).toBeUndefined();
    expect(await type('alice', '/mscalendar status')).toContain('You are not connected to Microsoft 365.');
  }, 60_000);

  it('refuses what an attacker can send straight to the service: forged button context, replayed OAuth state, bad webhooks', async () => {
    const service = sandbox.info.service;
    const bob = sandbox.info.mattermost.users.bob?.id as string;
    // A button click with a context we never signed (Mattermost signs nothing; our HMAC is the only proof).
    const action = await fetch(`${service}/mattermost/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: bob,
        post_id: 'p'.repeat(26),
        channel_id: 'c'.repeat(26),
        context: { a: 'rsvp', sig: 'forged' },
      }),
    });
    expect(action.status).toBe(403);
    // Sign in with Mattermost: a state that was never issued to this browser is refused.
    const callback = await fetch(`${service}/mattermost/oauth/callback?code=abc&state=forged`, {
      redirect: 'manual',
    });
    expect(callback.status).toBeGreaterThanOrEqual(400);
    expect(callback.status).toBeLessThan(500);
    // Graph webhook: a validation token carrying markup is not echoed; a wrong clientState records nothing.
    const markup = await fetch(
      `${service}/microsoft/notifications?validationToken=${encodeURIComponent('<script>alert(1)</script>')}`,
      {
        method: 'POST',
      },
    );
    expect(markup.status).toBe(400);
    expect(await markup.text()).not.toContain('<script>');
    const before = await app.store.db.selectFrom('microsoft_notification').select('id').execute();
    const wrongState = await fetch(`${service}/microsoft/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        value: [
          {
            subscriptionId: '11111111-1111-1111-1111-111111111111',
            clientState: 'guessed',
            changeType: 'updated',
            resource: 'users/x/events/y',
            tenantId: sandbox.config.microsoft.tenantId,
            subscriptionExpirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
          },
        ],
      }),
    });
    expect(wrongState.status).toBe(403);
    expect(await app.store.db.selectFrom('microsoft_notification').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('refuses a forged slash command that did not come from Mattermost', async () => {
    const res = await fetch(`${sandbox.info.service}/mattermost/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: 'forged',
        command: '/mscalendar',
        text: 'connect',
        user_id: sandbox.info.mattermost.users.bob?.id ?? '',
        team_id: 'x',
        channel_id: 'y',
      }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
