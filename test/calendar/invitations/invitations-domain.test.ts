/**
 * Invitation DMs against a scripted Graph and a real store and job runner (both drivers): the listener runs
 * inside each sync round's transaction, enqueues one job per DM there (a rolled-back round enqueues
 * nothing), the DM keys make a replayed round or a retried job post once, the setting turns it off, and
 * RSVP outcomes are worded for each Graph refusal.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvitationNotices, invitationQueue } from '../../../src/calendar/invitations/invitations.ts';
import type { InvitationDm, RsvpChoice } from '../../../src/calendar/invitations/ports.ts';
import type { CalendarDelta, CalendarEvent, CalendarGraph } from '../../../src/calendar/ports.ts';
import { CalendarSync } from '../../../src/calendar/sync/calendar-sync.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { CommandContext } from '../../../src/core/commands/index.ts';
import { AppError } from '../../../src/core/errors.ts';
import { parseMmUserId } from '../../../src/core/ids.ts';
import { createLogger } from '../../../src/core/log.ts';
import { createMetrics } from '../../../src/core/metrics/registry.ts';
import { JobRunner } from '../../../src/jobs/index.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';
import { invite, now, occurrence } from './events.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const user = 'u-alice';

class FakeGraph implements CalendarGraph {
  answers: CalendarDelta[] = [];
  async mailboxTimeZone(): Promise<string | null> {
    return 'Romance Standard Time';
  }
  async delta(): Promise<CalendarDelta> {
    return this.answers.shift() ?? { events: [], removed: [], cursor: 'idle', complete: true };
  }
  async subscribe(): Promise<string> {
    return 'sub';
  }
  async unsubscribe(): Promise<void> {}
  listen(): void {}
}

/** Posts like the Mattermost messenger: one post per key, however often it is asked. */
class FakeMessenger {
  posts = new Map<string, InvitationDm>();
  calls = 0;
  async send(dm: InvitationDm): Promise<void> {
    this.calls++;
    if (!this.posts.has(dm.key)) this.posts.set(dm.key, dm);
  }
}

describe.each(drivers)('invitation DMs on %s', (driver) => {
  let t: TestStore;
  let jobs: JobRunner;
  let graph: FakeGraph;
  let messenger: FakeMessenger;
  let sync: CalendarSync;
  let notices: InvitationNotices;
  let answers: { eventId: string; choice: RsvpChoice; comment: string; sendResponse: boolean }[];
  let refuse: Error | undefined;
  let clock: ManualClock;

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    // Not working: the test reads the queued jobs and delivers them itself.
    jobs = new JobRunner({
      store: t.store,
      log: silent,
      registry: createMetrics().registry,
      schema: 'pgboss',
      work: false,
    });
    jobs.declare(invitationQueue);
    await jobs.start();
  });
  afterAll(async () => {
    await jobs.stop(1000);
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['calendar_event', 'calendar_sync', 'calendar_invitation'] as const) {
      await t.store.db.deleteFrom(table).execute();
    }
    await sql`delete from pgboss.job where name = ${invitationQueue.name}`
      .execute(t.store.db)
      .catch(() => {});
    graph = new FakeGraph();
    messenger = new FakeMessenger();
    answers = [];
    refuse = undefined;
    clock = new ManualClock(now.getTime());
    sync = new CalendarSync({
      graph,
      db: t.store.db,
      jobs,
      sessions: { sessionLost: async () => {} },
      users: { listActive: async () => [] },
      clock,
      log: silent,
    });
    notices = new InvitationNotices({
      db: t.store.db,
      jobs,
      messenger,
      responder: {
        async respond(_user, eventId, choice, options) {
          if (refuse) throw refuse;
          answers.push({ eventId, choice, ...options });
        },
      },
      clock,
      log: silent,
    });
    sync.onChanges(notices.listener());
  });

  /** The DMs queued so far, in order. */
  async function queued(): Promise<InvitationDm[]> {
    const rows = await sql<{ data: InvitationDm }>`
      select data from pgboss.job where name = ${invitationQueue.name} order by created_on, id`.execute(
      t.store.db,
    );
    return rows.rows.map((r) => r.data);
  }

  async function connectWith(events: CalendarEvent[]): Promise<void> {
    graph.answers.push({ events, removed: [], cursor: 'c0', complete: true });
    await sync.start(user);
  }
  async function catchUp(events: CalendarEvent[], removed: string[] = []): Promise<void> {
    graph.answers.push({ events, removed, cursor: `c${Math.random()}`, complete: true });
    await sync.run(user, 'catch-up');
  }

  it('the first round is the baseline; a new invitation then queues one DM with RSVP, in the round’s transaction', async () => {
    await connectWith([invite('A')]);
    expect(await queued()).toEqual([]);
    await catchUp([invite('B')]);
    const dms = await queued();
    expect(dms).toHaveLength(1);
    expect(dms[0]?.message).toContain('Bob Organizer invited you to [Meeting B]');
    expect(dms[0]?.message).toContain('(Europe/Paris)');
    expect(dms[0]?.rsvp).toEqual({ eventId: 'B', status: 'Your response: not answered yet' });
    expect(dms[0]?.key).toMatch(/^calendar-invitation:u-alice:B:new:[0-9a-f]{16}$/);
  });

  it('a round that rolls back queues nothing; its retry queues the DM once', async () => {
    await connectWith([]);
    let fail = true;
    sync.onChanges(async () => {
      if (fail) throw new Error('a later listener fails: the round rolls back');
    });
    graph.answers.push({ events: [invite('B')], removed: [], cursor: 'c1', complete: true });
    await expect(sync.run(user, 'catch-up')).rejects.toThrow('rolls back');
    expect(await queued()).toEqual([]);
    fail = false;
    graph.answers.push({ events: [invite('B')], removed: [], cursor: 'c1', complete: true });
    await sync.run(user, 'catch-up');
    expect((await queued()).map((d) => d.key)).toHaveLength(1);
  });

  it('the same change decided twice gets the same key, so the DM is posted once; a retried job too', async () => {
    await connectWith([invite('A')]);
    const moved = invite('A', { location: 'Room 2', lastModified: new Date(now.getTime() + 1000) });
    await catchUp([moved]);
    const [dm] = await queued();
    if (!dm) throw new Error('no DM queued');
    // The same change seen again (a replayed round, e.g. after the cache was rebuilt): same key.
    const again = await notices.onRound(
      t.store.db,
      { user, full: false, first: false, previousWindow: null, at: now },
      [{ before: invite('A'), after: moved }],
    );
    expect(again.map((d) => d.key)).toEqual([dm.key]);
    expect(await notices.deliver(dm)).toBe('sent');
    expect(await notices.deliver(dm)).toBe('sent'); // the job retried after a lost answer
    expect(messenger.posts.size).toBe(1);
    expect(dm.message).toContain('- **Where:** ~~Room 1~~ → Room 2');
    // A different later change is another DM.
    await catchUp([invite('A', { location: 'Room 3', lastModified: new Date(now.getTime() + 2000) })]);
    const keys = (await queued()).map((d) => d.key);
    expect(new Set(keys).size).toBe(2);
  });

  it('unchanged resends, the user’s own answer and the organizer’s events queue nothing', async () => {
    const own = invite('O', { isOrganizer: true, response: 'organizer' });
    await connectWith([invite('A'), own]);
    await catchUp([invite('A')]); // resent unchanged
    await catchUp([invite('A', { response: 'accepted', showAs: 'busy' })]);
    await catchUp([
      { ...own, subject: 'Renamed' },
      invite('N', { isOrganizer: true, response: 'organizer' }),
    ]);
    expect(await queued()).toEqual([]);
  });

  it('a series is one DM (answering the series master); cancelled has no RSVP; removed is told', async () => {
    await connectWith([invite('A')]);
    await catchUp([6, 7, 8].map((d) => occurrence('S', d)));
    await catchUp([invite('A', { isCancelled: true, subject: 'Canceled: Meeting A' })]);
    await catchUp([], ['S-7']);
    const dms = await queued();
    expect(dms.map((d) => [d.key.split(':')[2], d.key.split(':')[3], d.rsvp?.eventId ?? null])).toEqual([
      ['series', 'S', 'S'],
      ['A', 'cancelled', null],
      ['series', 'S', null],
    ]);
    expect(dms[0]?.message).toContain('invited you to a recurring meeting');
    expect(dms[2]?.message).toContain('One occurrence of Series S is no longer on your calendar');
  });

  it('a full round sliding the window does not announce what came into view', async () => {
    await connectWith([invite('A')]);
    clock.advance(2 * 86_400_000);
    const beyond = invite('F', {
      start: new Date(now.getTime() + 31 * 86_400_000),
      end: new Date(now.getTime() + 31 * 86_400_000 + 3_600_000),
    });
    graph.answers.push({ events: [invite('A'), beyond], removed: [], cursor: 'c2', complete: true });
    await sync.run(user, 'full');
    expect(await queued()).toEqual([]);
  });

  it('notifications off: nothing queued, and a DM queued before turning it off is not posted', async () => {
    await connectWith([]);
    await catchUp([invite('B')]);
    const [dm] = await queued();
    if (!dm) throw new Error('no DM queued');
    const setting = notices.setting();
    expect(await setting.current(user)).toBe('on');
    await setting.apply(user, 'off');
    expect(await setting.current(user)).toBe('off');
    await catchUp([invite('C')]);
    expect(await queued()).toHaveLength(1);
    expect(await notices.deliver(dm)).toBe('skipped');
    await expect(setting.apply(user, 'maybe')).rejects.toMatchObject({
      code: 'MM365_CALENDAR_SETTING_CHOICE_INVALID',
      status: 400,
    });
    // A disconnected user (no sync row) gets nothing either.
    await setting.apply(user, 'on');
    await t.store.db.deleteFrom('calendar_sync').execute();
    expect(await notices.deliver(dm)).toBe('skipped');
    expect(messenger.calls).toBe(0);
  });

  it('/mscalendar notifications on|off, with a clear answer to anything else', async () => {
    const cmd = notices.subcommand();
    const ctx = (args: string[]): CommandContext => ({
      userId: parseMmUserId('a'.repeat(26)),
      channelId: 'c' as never,
      teamId: 't' as never,
      isAdmin: false,
      isConnected: true,
      args,
      rest: args.join(' '),
      requestId: 'r',
      triggerId: '',
    });
    expect(cmd.needsAccount).toBe(true);
    expect((await cmd.run(ctx(['off']))).text).toContain('Invitation DMs are off');
    expect((await cmd.run(ctx([]))).text).toContain('Invitation DMs are off');
    expect((await cmd.run(ctx(['on']))).text).toContain('You get a DM when you are invited');
    expect((await cmd.run(ctx(['sometimes']))).text).toContain('"sometimes" is not a choice');
  });

  it('RSVP: success keeps the buttons; gone, cancelled and refused are worded; not connected asks to connect', async () => {
    const ok = await notices.respond(user, 'A', 'accept');
    expect(ok).toEqual({
      status: '✅ You accepted (the organizer was told). You can change your answer with the buttons below.',
      buttons: 'keep',
    });
    await notices.respond(user, 'A', 'decline', { comment: ' Sorry, on leave ', sendResponse: true });
    await notices.respond(user, 'A', 'tentativelyAccept', { sendResponse: false });
    expect(answers).toEqual([
      { eventId: 'A', choice: 'accept', comment: '', sendResponse: true },
      { eventId: 'A', choice: 'decline', comment: 'Sorry, on leave', sendResponse: true },
      { eventId: 'A', choice: 'tentativelyAccept', comment: '', sendResponse: false },
    ]);

    refuse = new AppError('MM365_CALENDAR_EVENT_GONE', 'gone');
    expect(await notices.respond(user, 'A', 'accept')).toMatchObject({
      buttons: 'remove',
      ephemeral: expect.stringContaining('This meeting was changed or deleted since this message was sent'),
    });
    refuse = new AppError('MM365_CALENDAR_EVENT_CANCELLED', 'cancelled');
    expect(await notices.respond(user, 'A', 'accept')).toMatchObject({
      buttons: 'remove',
      ephemeral: 'The organizer cancelled this meeting, so there is nothing to answer.',
    });
    refuse = new AppError('MM365_CALENDAR_SESSION_LOST', 'no token', {
      details: { reason: 'not_connected' },
    });
    await expect(notices.respond(user, 'A', 'accept')).rejects.toMatchObject({
      code: 'MM365_CALENDAR_SESSION_LOST',
      status: 401,
      message: expect.stringContaining('`/mscalendar connect`'),
    });
    refuse = undefined;
    await expect(notices.respond(user, 'A', 'accept', { comment: 'x'.repeat(2001) })).rejects.toMatchObject({
      code: 'MM365_CALENDAR_RSVP_INVALID',
      status: 400,
    });
  });
});
