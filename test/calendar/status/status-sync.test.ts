/**
 * Status sync against fake Mattermost ports and a real store (both drivers), on a ManualClock: the rules of
 * issue 6 item 2 (merge, manual respected, offline left alone, restore only if unchanged, meetings moved or
 * cancelled mid-block, custom status never overwritten, one user's failure isolated, restart mid-block) and
 * the confirmation question, alone or inside a reminder.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../src/calendar/ports.ts';
import type {
  CustomStatus,
  Presence,
  PromptButton,
  PromptDms,
  StatusPresence,
} from '../../../src/calendar/status/ports.ts';
import { StatusSync } from '../../../src/calendar/status/status-sync.ts';
import { toRow } from '../../../src/calendar/sync/event-codec.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/log.ts';
import { CalendarEvents } from '../../../src/store/calendar-event.ts';
import { CalendarStatuses } from '../../../src/store/calendar-status.ts';
import { CalendarSyncs } from '../../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { eventDefaults } from '../../helpers/calendar-event.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const min = 60_000;
const at = (m: number) => new Date(t0 + m * min);

function meeting(
  id: string,
  startMin: number,
  endMin: number,
  over: Partial<CalendarEvent> = {},
): CalendarEvent {
  return {
    id,
    iCalUId: `uid-${id}`,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: `Meeting ${id}`,
    bodyPreview: '',
    start: at(startMin),
    end: at(endMin),
    ...eventDefaults(),
    ...over,
  };
}

/** Mattermost's status rules as the sim and the server have them, per user, with injectable failures. */
class FakePresence implements StatusPresence {
  status = new Map<string, { status: Presence; manual: boolean; dndUntil: Date | null }>();
  custom = new Map<string, CustomStatus>();
  failFor = new Set<string>();
  calls: string[] = [];

  readonly clock: ManualClock;

  constructor(clock: ManualClock) {
    this.clock = clock;
  }

  #check(user: string): void {
    if (this.failFor.has(user)) throw new Error('404 user not found');
  }
  async get(user: string) {
    this.#check(user);
    const s = this.status.get(user) ?? { status: 'offline' as Presence, manual: false, dndUntil: null };
    return { status: s.status, manual: s.manual };
  }
  async set(user: string, status: 'online' | 'away' | 'dnd', dndUntil?: Date) {
    this.#check(user);
    this.calls.push(`${user}:set:${status}${dndUntil ? `@${dndUntil.toISOString()}` : ''}`);
    this.status.set(user, { status, manual: status !== 'online', dndUntil: dndUntil ?? null });
  }
  async getCustom(user: string) {
    this.#check(user);
    const c = this.custom.get(user);
    if (c?.expiresAt && c.expiresAt.getTime() <= this.clock.now()) return null;
    return c ?? null;
  }
  async setCustom(user: string, c: { emoji: string; text: string; expiresAt: Date }) {
    this.#check(user);
    this.calls.push(`${user}:custom:${c.text}@${c.expiresAt.toISOString()}`);
    this.custom.set(user, c);
  }
  async clearCustom(user: string) {
    this.#check(user);
    this.calls.push(`${user}:custom:clear`);
    this.custom.delete(user);
  }
  is(user: string, status: Presence, manual?: boolean) {
    this.status.set(user, { status, manual: manual ?? status !== 'online', dndUntil: null });
  }
  now(user: string) {
    return this.status.get(user)?.status;
  }
}

class FakePrompts implements PromptDms {
  sent: { user: string; message: string; buttons: readonly PromptButton[]; key: string }[] = [];
  async dm(user: string, message: string, buttons: readonly PromptButton[], key: string) {
    if (!this.sent.some((s) => s.key === key)) this.sent.push({ user, message, buttons, key });
  }
}

describe.each(drivers)('status sync on %s', (driver) => {
  let t: TestStore;
  let clock: ManualClock;
  let presence: FakePresence;
  let prompts: FakePrompts;
  let jobs: { queue: string; user: string; startAfter?: Date }[];
  let status: StatusSync;

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());

  const build = () =>
    new StatusSync({
      db: t.store.db,
      jobs: {
        send: (async (q: { name: string }, payload: { user: string }, o: { startAfter?: Date } = {}) => {
          jobs.push({
            queue: q.name,
            user: payload.user,
            ...(o.startAfter ? { startAfter: new Date(o.startAfter) } : {}),
          });
          return 'job';
        }) as never,
        register: () => {},
        schedule: async () => {},
      },
      presence,
      prompts,
      clock,
      log: silent,
    });

  beforeEach(async () => {
    for (const table of ['calendar_event', 'calendar_sync', 'calendar_status'] as const) {
      await t.store.db.deleteFrom(table).execute();
    }
    clock = new ManualClock(t0);
    presence = new FakePresence(clock);
    prompts = new FakePrompts();
    jobs = [];
    status = build();
  });

  async function connect(
    user: string,
    settings: { mode?: 'dnd' | 'away' | 'off'; custom?: boolean; confirm?: boolean },
  ) {
    const syncs = new CalendarSyncs(t.store.db);
    await syncs.begin(user, at(-60));
    await syncs.update(user, { status: 'active', timeZone: 'UTC' }, at(-60));
    await new CalendarStatuses(t.store.db).setSettings(user, settings, at(-60));
  }
  async function put(user: string, ...events: CalendarEvent[]) {
    await new CalendarEvents(t.store.db).upsert(user, events.map(toRow), 1, new Date(clock.now()));
  }
  async function drop(user: string, ...ids: string[]) {
    await new CalendarEvents(t.store.db).remove(user, ids);
  }
  const goTo = (m: number) => clock.advance(t0 + m * min - clock.now());
  const planned = (user: string) =>
    jobs.filter((j) => j.user === user && j.startAfter).map((j) => j.startAfter?.toISOString());

  it('applies DND at the exact start of a merged block (overlap and a ≤5-minute gap) and restores the manual prior status at its end', async () => {
    await connect('u1', { mode: 'dnd' });
    presence.is('u1', 'away', true);
    // 10:00–10:30, 10:20–10:45 overlap, 10:50–11:00 after a 5-min gap: one block 10:00–11:00.
    await put('u1', meeting('a', 60, 90), meeting('b', 80, 105), meeting('c', 110, 120));
    await status.evaluate('u1');
    expect(planned('u1')).toEqual([at(60).toISOString()]);
    expect(presence.now('u1')).toBe('away');

    goTo(60);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');
    // Mattermost is told the block's end, so it reverts DND itself even if we were down.
    expect(presence.calls).toContain(`u1:set:dnd@${at(120).toISOString()}`);
    expect(planned('u1')).toEqual([at(60).toISOString(), at(120).toISOString()]);

    goTo(105); // between b and c: still the same block, nothing changes
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');

    goTo(120);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('away');
    expect(presence.status.get('u1')?.manual).toBe(true);
    const lag = await status.metrics.lag.get();
    expect(
      lag.values.find((v) => v.metricName?.endsWith('_count') && v.labels.transition === 'start')?.value,
    ).toBe(1);
    expect(
      lag.values.find((v) => v.metricName?.endsWith('_count') && v.labels.transition === 'end')?.value,
    ).toBe(1);
  });

  it('a meeting added right after one that is over starts its own block at its own start (no early change)', async () => {
    await connect('u1', { mode: 'dnd', confirm: true });
    presence.is('u1', 'online');
    await put('u1', meeting('a', 0, 30, { subject: 'First' }));
    goTo(31);
    // 9:33–10:00 bridges the 1-minute gap with "First", which is over: nothing changes before 9:33.
    await put('u1', meeting('b', 33, 60, { subject: 'Second' }));
    await status.evaluate('u1');
    expect(prompts.sent).toEqual([]);
    expect(planned('u1')).toEqual([at(33).toISOString()]);
    goTo(33);
    await status.evaluate('u1');
    expect(prompts.sent.map((p) => p.message)).toEqual([
      '📅 **Second** starts now. Set your status to Do Not Disturb until 10:00 AM?',
    ]);
  });

  it('ignores tentative, free, all-day, cancelled and declined events, and counts out-of-office as busy', async () => {
    await connect('u1', { mode: 'away' });
    presence.is('u1', 'online');
    await put(
      'u1',
      meeting('tent', 0, 30, { showAs: 'tentative' }),
      meeting('free', 0, 30, { showAs: 'free' }),
      meeting('allday', -540, 900, { isAllDay: true, startDate: '2026-01-05', endDate: '2026-01-06' }),
      meeting('cancel', 0, 30, { isCancelled: true }),
      meeting('declined', 0, 30, { response: 'declined' }),
    );
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('online');
    await put('u1', meeting('oof', 0, 30, { showAs: 'oof' }));
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('away');
    goTo(30);
    await status.evaluate('u1');
    // An automatic (not manual) prior status comes back as online.
    expect(presence.now('u1')).toBe('online');
    expect(presence.status.get('u1')?.manual).toBe(false);
  });

  it('leaves an offline user alone, and applies within the minute once they come online during the meeting', async () => {
    await connect('u1', { mode: 'dnd', custom: true });
    await put('u1', meeting('a', 0, 30));
    presence.is('u1', 'offline', false);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('offline');
    expect(presence.calls).toEqual([]);
    expect((await new CalendarStatuses(t.store.db).get('u1')).outcome).toBe('offline');

    goTo(5);
    presence.is('u1', 'online');
    expect(await status.check()).toBe(1); // the minute check looks again while the block lasts
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');
    expect(presence.custom.get('u1')?.text).toBe('In a meeting');
  });

  it('does nothing when the user already set the target status by hand, and does not restore it afterwards', async () => {
    await connect('u1', { mode: 'dnd' });
    presence.is('u1', 'dnd', true);
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    goTo(30);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');
    expect(presence.calls).toEqual([]);
  });

  it('an automatic (idle) away is made to stick for the meeting, and comes back as online', async () => {
    await connect('u1', { mode: 'away' });
    presence.is('u1', 'away', false);
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    expect(presence.status.get('u1')).toMatchObject({ status: 'away', manual: true });
    goTo(30);
    await status.evaluate('u1');
    expect(presence.status.get('u1')).toMatchObject({ status: 'online', manual: false });
  });

  it('does not restore a status the user changed during the meeting', async () => {
    await connect('u1', { mode: 'away' });
    presence.is('u1', 'online');
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('away');
    goTo(10);
    presence.is('u1', 'dnd', true); // they chose DND themselves
    goTo(30);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');
  });

  it('follows a meeting extended mid-block, and restores at once when it is cancelled', async () => {
    await connect('u1', { mode: 'dnd', custom: true });
    presence.is('u1', 'online');
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    expect(presence.custom.get('u1')?.expiresAt?.toISOString()).toBe(at(30).toISOString());

    goTo(10);
    await put('u1', meeting('a', 0, 45));
    await status.evaluate('u1');
    expect(presence.calls).toContain(`u1:set:dnd@${at(45).toISOString()}`);
    expect(presence.custom.get('u1')?.expiresAt?.toISOString()).toBe(at(45).toISOString());
    expect(planned('u1')).toContain(at(45).toISOString());

    goTo(20);
    await drop('u1', 'a');
    expect(await status.check()).toBe(1); // the cache no longer shows the handled block
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('online');
    expect(presence.custom.has('u1')).toBe(false);
  });

  it('never overwrites a custom status the user set, and never removes it', async () => {
    await connect('u1', { mode: 'off', custom: true });
    presence.is('u1', 'online');
    presence.custom.set('u1', { emoji: 'palm_tree', text: 'On holiday', expiresAt: null });
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    goTo(30);
    await status.evaluate('u1');
    expect(presence.custom.get('u1')?.text).toBe('On holiday');
    expect(presence.calls).toEqual([]);
  });

  it('one user failing (404) is recorded and retried by the minute check, and never stops the others', async () => {
    for (const u of ['u1', 'u2', 'u3']) {
      await connect(u, { mode: 'dnd' });
      presence.is(u, 'online');
      await put(u, meeting(`m-${u}`, 0, 30));
    }
    presence.failFor.add('u2');
    const queued = await status.check();
    expect(queued).toBe(3);
    for (const u of ['u1', 'u2', 'u3']) await status.evaluate(u);
    expect(presence.now('u1')).toBe('dnd');
    expect(presence.now('u3')).toBe('dnd');
    const row = await new CalendarStatuses(t.store.db).get('u2');
    expect(row.outcome).toBe('failed');
    expect(row.lastError).toContain('404');
    const failed = (await status.metrics.changes.get()).values.find((v) => v.labels.result === 'failed');
    expect(failed?.value).toBe(1);

    presence.failFor.delete('u2');
    goTo(1);
    expect(await status.check()).toBe(1);
    await status.evaluate('u2');
    expect(presence.now('u2')).toBe('dnd');
  });

  it('survives a restart in the middle of a meeting: a new instance restores from the stored state', async () => {
    await connect('u1', { mode: 'away', custom: true });
    presence.is('u1', 'dnd', true);
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('away');

    status = build(); // the process restarted; nothing in memory
    goTo(31);
    jobs = [];
    expect(await status.check()).toBe(1); // the end job was lost with the process: the minute check finds it
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');
    expect(await presence.getCustom('u1')).toBeNull(); // ours expired with the block
  });

  it('with "ask first", asks once at the start, and applies on "yes"', async () => {
    await connect('u1', { mode: 'dnd', confirm: true });
    presence.is('u1', 'online');
    await put('u1', meeting('a', 0, 30, { subject: 'Planning' }));
    await status.evaluate('u1');
    await status.evaluate('u1');
    expect(prompts.sent).toHaveLength(1);
    expect(prompts.sent[0]?.message).toContain('**Planning** starts now');
    expect(prompts.sent[0]?.buttons.map((b) => b.name)).toEqual(['Set Do Not Disturb', 'Leave my status']);
    expect(presence.now('u1')).toBe('online');

    const yes = prompts.sent[0]?.buttons[0]?.data as { start: string; answer: 'yes' };
    jobs = [];
    const reply = await status.answer('u1', yes);
    expect(reply.text).toContain('Do Not Disturb until the meeting ends');
    expect(jobs.map((j) => j.queue)).toEqual(['calendar.status']);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');
    goTo(30);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('online');
  });

  it('puts the question in the reminder (one message), then applies at the start without asking again', async () => {
    await connect('u1', { mode: 'away', confirm: true });
    presence.is('u1', 'online');
    await put('u1', meeting('a', 10, 40));
    const q = await status.questionForReminder('u1', { id: 'a', start: at(10) });
    expect(q?.line).toContain('When it starts, set your status to Away until 9:40 AM?');
    expect(await status.questionForReminder('u1', { id: 'a', start: at(10) })).not.toBeNull(); // a retried reminder
    const yes = q?.buttons[0]?.data as { start: string; answer: 'yes'; merged: true };
    expect(yes.merged).toBe(true);
    expect((await status.answer('u1', yes)).text).toContain('when the meeting starts');
    goTo(10);
    await status.evaluate('u1');
    expect(prompts.sent).toHaveLength(0);
    expect(presence.now('u1')).toBe('away');
  });

  it('"no" leaves the status alone for that meeting', async () => {
    await connect('u1', { mode: 'dnd', confirm: true });
    presence.is('u1', 'online');
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    const no = prompts.sent[0]?.buttons[1]?.data as { start: string; answer: 'no' };
    expect((await status.answer('u1', no)).text).toContain('stays as it is');
    await status.evaluate('u1');
    goTo(30);
    await status.evaluate('u1');
    expect(presence.calls).toEqual([]);
    // An answer to a meeting that is over changes nothing.
    expect((await status.answer('u1', { ...no, answer: 'yes' })).stale).toBe(true);
  });

  it('re-plans inside the sync transaction only when a busy event near now changed', async () => {
    await connect('u1', { mode: 'dnd' });
    await connect('u2', { mode: 'off' });
    const listener = status.listener();
    const round = (user: string) => ({ user, full: false, first: false, previousWindow: null, at: at(0) });
    await listener(t.store.db, round('u1'), [
      { before: null, after: meeting('x', 100, 130, { showAs: 'free' }) },
    ]);
    await listener(t.store.db, round('u2'), [{ before: null, after: meeting('y', 100, 130) }]);
    expect(jobs).toEqual([]);
    await listener(t.store.db, round('u1'), [{ before: null, after: meeting('z', 100, 130) }]);
    expect(jobs).toEqual([{ queue: 'calendar.status', user: 'u1' }]);
  });

  it('turning status sync off mid-meeting, or disconnecting, restores at once', async () => {
    await connect('u1', { mode: 'dnd', custom: true });
    presence.is('u1', 'online');
    await put('u1', meeting('a', 0, 30));
    await status.evaluate('u1');
    await new CalendarStatuses(t.store.db).setSettings('u1', { mode: 'off', custom: false }, at(1));
    goTo(1);
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('online');
    expect(presence.custom.has('u1')).toBe(false);

    await new CalendarStatuses(t.store.db).setSettings('u1', { mode: 'dnd' }, at(2));
    await status.evaluate('u1');
    expect(presence.now('u1')).toBe('dnd');
    await status.remove('u1');
    expect(presence.now('u1')).toBe('online');
    expect((await new CalendarStatuses(t.store.db).get('u1')).mode).toBe('off');
  });
});
