/**
 * calendar_status on both drivers: settings and block state round-trip, and the minute check's one query
 * (who needs a look now) over many users at once.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CalendarStatuses } from '../../../src/store/calendar-status.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

const now = new Date(Date.UTC(2026, 0, 5, 10, 0));
const min = 60_000;
const at = (m: number) => new Date(now.getTime() + m * min);

describe.each(drivers)('calendar_status on %s', (driver) => {
  let t: TestStore;
  let statuses: CalendarStatuses;

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const table of ['calendar_event', 'calendar_sync', 'calendar_status'] as const) {
      await t.store.db.deleteFrom(table).execute();
    }
    statuses = new CalendarStatuses(t.store.db);
  });

  async function user(
    id: string,
    opts: { sync?: 'active' | 'inactive'; mode?: 'dnd' | 'off'; custom?: boolean },
  ) {
    await t.store.db
      .insertInto('calendar_sync')
      .values({
        mm_user_id: id,
        status: opts.sync ?? 'active',
        generation: 1,
        created_at: now,
        updated_at: now,
      } as never)
      .execute();
    await statuses.setSettings(id, { mode: opts.mode ?? 'dnd', custom: opts.custom ?? false }, now);
  }
  async function event(user: string, id: string, from: number, to: number, showAs = 'busy', extra = {}) {
    await t.store.db
      .insertInto('calendar_event')
      .values({
        mm_user_id: user,
        event_id: id,
        ical_uid: null,
        series_master_id: null,
        event_type: 'singleInstance',
        start_at: at(from),
        end_at: at(to),
        is_all_day: false,
        is_cancelled: false,
        declined: false,
        partial: false,
        data: JSON.stringify({ showAs }),
        generation: 1,
        updated_at: now,
        ...extra,
      })
      .execute();
  }

  it('round-trips settings and block state, and a user never configured reads as all off', async () => {
    expect(await statuses.get('nobody')).toMatchObject({
      mode: 'off',
      custom: false,
      confirm: false,
      blockStart: null,
    });
    await statuses.setSettings('u', { mode: 'away', confirm: true }, now);
    await statuses.lock('u', now);
    await statuses.update(
      'u',
      {
        blockStart: at(0),
        blockEnd: at(30),
        outcome: 'applied',
        appliedStatus: 'away',
        priorStatus: 'dnd',
        customApplied: true,
      },
      now,
    );
    expect(await statuses.get('u')).toMatchObject({
      mode: 'away',
      custom: false,
      confirm: true,
      blockStart: at(0),
      blockEnd: at(30),
      outcome: 'applied',
      appliedStatus: 'away',
      priorStatus: 'dnd',
      customApplied: true,
    });
    await statuses.update('u', CalendarStatuses.cleared, now);
    expect(await statuses.get('u')).toMatchObject({ mode: 'away', blockStart: null, customApplied: false });
    await expect(
      sql`insert into calendar_status (mm_user_id, mode, updated_at) values ('bad', 'busy', now())`.execute(
        t.store.db,
      ),
    ).rejects.toThrow();
  });

  it('finds exactly the users who need a look now', async () => {
    await user('in-meeting', {}); // a busy meeting covers now, no block handled yet
    await event('in-meeting', 'e', -5, 25);
    await user('oof', {});
    await event('oof', 'e', -5, 25, 'oof');
    await user('tentative', {});
    await event('tentative', 'e', -5, 25, 'tentative');
    await user('declined', {});
    await event('declined', 'e', -5, 25, 'busy', { declined: true });
    await user('all-day', {});
    await event('all-day', 'e', -600, 840, 'busy', { is_all_day: true });
    await user('off', { mode: 'off' });
    await event('off', 'e', -5, 25);
    await user('custom-only', { mode: 'off', custom: true });
    await event('custom-only', 'e', -5, 25);
    await user('not-synced', { sync: 'inactive' });
    await event('not-synced', 'e', -5, 25);
    await user('later', {});
    await event('later', 'e', 30, 60);

    const handled = async (id: string, change: Parameters<CalendarStatuses['update']>[1]) => {
      await statuses.lock(id, now);
      await statuses.update(id, change, now);
    };
    await user('handled', {}); // in its handled block: nothing to do
    await event('handled', 'e', -5, 25);
    await handled('handled', { blockStart: at(-5), blockEnd: at(25), outcome: 'applied', nextAt: at(25) });
    await user('ended', {}); // its block is over and not restored yet
    await handled('ended', { blockStart: at(-40), blockEnd: at(-1), outcome: 'applied', nextAt: at(-1) });
    await user('was-offline', {});
    await event('was-offline', 'e', -5, 25);
    await handled('was-offline', {
      blockStart: at(-5),
      blockEnd: at(25),
      outcome: 'offline',
      nextAt: at(25),
    });
    await user('cancelled', {}); // handling a block the cache no longer shows
    await handled('cancelled', { blockStart: at(-5), blockEnd: at(25), outcome: 'applied', nextAt: at(25) });
    await user('lost-job', {});
    await handled('lost-job', { nextAt: at(-2) });
    await user('job-due-now', {});
    await handled('job-due-now', { nextAt: new Date(now.getTime() - 10_000) });
    await user('turned-off', { mode: 'off' }); // leftover state to restore
    await handled('turned-off', { blockStart: at(-5), blockEnd: at(25), outcome: 'applied' });

    expect(await statuses.due(now, 30_000)).toEqual(
      [
        'cancelled',
        'custom-only',
        'ended',
        'in-meeting',
        'lost-job',
        'oof',
        'turned-off',
        'was-offline',
      ].sort(),
    );
  });

  it('answers for 1,200 users in one query', async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `user-${String(i).padStart(4, '0')}`);
    await t.store.db
      .insertInto('calendar_sync')
      .values(
        ids.map(
          (id) =>
            ({ mm_user_id: id, status: 'active', generation: 1, created_at: now, updated_at: now }) as never,
        ),
      )
      .execute();
    await t.store.db
      .insertInto('calendar_status')
      .values(ids.map((id) => ({ mm_user_id: id, mode: 'dnd' as const, updated_at: now })))
      .execute();
    const rows = ids.flatMap((id, i) =>
      Array.from({ length: 10 }, (_, k) => ({
        mm_user_id: id,
        event_id: `e${k}`,
        ical_uid: null,
        series_master_id: null,
        event_type: 'singleInstance',
        // Every 20th user is in a meeting now; the others' meetings are later today.
        start_at: i % 20 === 0 && k === 0 ? at(-10) : at(60 + k * 60),
        end_at: i % 20 === 0 && k === 0 ? at(20) : at(90 + k * 60),
        is_all_day: false,
        is_cancelled: false,
        declined: false,
        partial: false,
        data: '{"showAs":"busy"}',
        generation: 1,
        updated_at: now,
      })),
    );
    for (let i = 0; i < rows.length; i += 1000) {
      await t.store.db
        .insertInto('calendar_event')
        .values(rows.slice(i, i + 1000))
        .execute();
    }
    const due = await statuses.due(now, 30_000);
    expect(due).toHaveLength(60);
    expect(due[0]).toBe('user-0000');
  });
});
