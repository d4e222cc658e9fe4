import { type Kysely, sql } from 'kysely';
import { CalendarEvents } from '../../store/calendar-event.ts';
import { type CalendarSyncState, CalendarSyncs } from '../../store/calendar-sync.ts';
import type { Database } from '../../store/index.ts';
import type { CalendarEvent } from '../ports.ts';
import { isBusy } from '../status/busy-blocks.ts';
import { fromRow } from '../sync/event-codec.ts';

/**
 * Read-only diagnostics for the admin commands (`info`, `avail`, `subscribe list`): counts and per-user
 * state across the calendar's tables (connected accounts, sync state, cache, subscriptions, notifications).
 * Kept here rather than in each table's store file because they are reports over several tables that
 * only the admin commands read; they never write. Every count is one SQL aggregate, so it is right by
 * construction (the plugin's support-packet counts were not, mscalendar.md §11).
 */

/** The subscription kind the calendar files its `/me/events` subscriptions under (the edge's constant). */
export const calendarSubscriptionKind = 'calendar.events';

export interface CalendarCounts {
  /** Accounts connected for the calendar and in good standing. */
  connectedUsers: number;
  /** Accounts connected for the calendar whose Microsoft session died (they must reconnect). */
  inactiveUsers: number;
  /** Sync rows by status. */
  syncs: { starting: number; active: number; inactive: number };
  /** Calendar subscriptions live at Graph: created there and not expired. */
  activeSubscriptions: number;
  /** Calendar subscription rows not live (pending creation, failed, or expired). */
  otherSubscriptions: number;
  cachedEvents: number;
}

export interface SubscriptionRow {
  owner: string;
  graphId: string | null;
  status: string;
  expiresAt: Date | null;
  lastNotificationAt: Date | null;
  lastError: string | null;
}

export interface UserDiagnostics {
  sync: CalendarSyncState | undefined;
  subscription: SubscriptionRow | undefined;
  cachedEvents: number;
  /** The next meetings that count as busy (see busyFilter), up to `limit`. */
  nextBusy: CalendarEvent[];
}

export interface UserRow {
  user: string;
  status: CalendarSyncState['status'];
  lastSyncAt: Date | null;
  lastError: string | null;
  events: number;
  subscriptionExpiresAt: Date | null;
}

const n = (v: unknown) => Number(v ?? 0);

export class CalendarAdminReport {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async counts(now: Date): Promise<CalendarCounts> {
    const accounts = await this.#db
      .selectFrom('connected_account')
      .select(['status', sql<string>`count(*)`.as('n')])
      .where(sql<boolean>`${'calendar'} = any(features)`)
      .groupBy('status')
      .execute();
    const syncs = await this.#db
      .selectFrom('calendar_sync')
      .select(['status', sql<string>`count(*)`.as('n')])
      .groupBy('status')
      .execute();
    const subs = await this.#db
      .selectFrom('microsoft_subscription')
      .select([
        sql<string>`count(*) filter (where graph_id is not null and expires_at > ${now})`.as('live'),
        sql<string>`count(*)`.as('all'),
      ])
      .where('kind', '=', calendarSubscriptionKind)
      .executeTakeFirst();
    const events = await this.#db
      .selectFrom('calendar_event')
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirst();
    const syncOf = (s: string) => n(syncs.find((r) => r.status === s)?.n);
    const live = n(subs?.live);
    return {
      connectedUsers: n(accounts.find((r) => r.status === 'active')?.n),
      inactiveUsers: n(accounts.find((r) => r.status === 'inactive')?.n),
      syncs: { starting: syncOf('starting'), active: syncOf('active'), inactive: syncOf('inactive') },
      activeSubscriptions: live,
      otherSubscriptions: n(subs?.all) - live,
      cachedEvents: n(events?.n),
    };
  }

  /** One user's sync state, subscription, cache size and next busy meetings from `now`. */
  async user(user: string, now: Date, limit = 5): Promise<UserDiagnostics> {
    const sync = await new CalendarSyncs(this.#db).get(user);
    const [subscription] = await this.subscriptions({ owner: user, limit: 1, offset: 0 });
    const count = await this.#db
      .selectFrom('calendar_event')
      .select(sql<string>`count(*)`.as('n'))
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    // The cache's own window query: series masters and declined meetings are left out, as every view does.
    const rows = await new CalendarEvents(this.#db).listWindow(
      user,
      now,
      new Date(now.getTime() + 30 * 86_400_000),
    );
    const nextBusy = rows
      .map(fromRow)
      .filter((e) => countsAsBusy(e) && e.end > now)
      .sort((a, b) => a.start.getTime() - b.start.getTime())
      .slice(0, limit);
    return { sync, subscription, cachedEvents: n(count?.n), nextBusy };
  }

  /** Users with a sync row, by user id, a page at a time, with their cache size and subscription expiry. */
  async users(limit: number, offset: number): Promise<{ total: number; rows: UserRow[] }> {
    const total = await this.#db
      .selectFrom('calendar_sync')
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirst();
    const rows = await this.#db
      .selectFrom('calendar_sync as s')
      .select([
        's.mm_user_id',
        's.status',
        's.last_sync_at',
        's.last_error',
        (eb) =>
          eb
            .selectFrom('calendar_event as e')
            .select(sql<string>`count(*)`.as('n'))
            .whereRef('e.mm_user_id', '=', 's.mm_user_id')
            .as('events'),
        (eb) =>
          eb
            .selectFrom('microsoft_subscription as m')
            .select(sql<Date>`max(m.expires_at)`.as('x'))
            .whereRef('m.owner_key', '=', 's.mm_user_id')
            .where('m.kind', '=', calendarSubscriptionKind)
            .as('expires'),
      ])
      .orderBy('s.mm_user_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return {
      total: n(total?.n),
      rows: rows.map((r) => ({
        user: r.mm_user_id,
        status: r.status,
        lastSyncAt: r.last_sync_at ? new Date(r.last_sync_at) : null,
        lastError: r.last_error,
        events: n(r.events),
        subscriptionExpiresAt: r.expires ? new Date(r.expires) : null,
      })),
    };
  }

  /** Calendar subscriptions by owner, with the time of the last notification recorded for each. */
  async subscriptions(options: {
    owner?: string;
    limit: number;
    offset: number;
  }): Promise<SubscriptionRow[]> {
    let q = this.#db
      .selectFrom('microsoft_subscription as m')
      .select([
        'm.owner_key',
        'm.graph_id',
        'm.status',
        'm.expires_at',
        'm.last_error',
        (eb) =>
          eb
            .selectFrom('microsoft_notification as x')
            .select(sql<Date>`max(x.received_at)`.as('at'))
            .whereRef('x.subscription_id', '=', 'm.id')
            .as('last_notification'),
      ])
      .where('m.kind', '=', calendarSubscriptionKind);
    if (options.owner) q = q.where('m.owner_key', '=', options.owner);
    const rows = await q
      .orderBy('m.owner_key')
      .orderBy('m.id')
      .limit(options.limit)
      .offset(options.offset)
      .execute();
    return rows.map((r) => ({
      owner: r.owner_key,
      graphId: r.graph_id,
      status: r.status,
      expiresAt: r.expires_at ? new Date(r.expires_at) : null,
      lastNotificationAt: r.last_notification ? new Date(r.last_notification) : null,
      lastError: r.last_error,
    }));
  }

  async subscriptionCount(): Promise<number> {
    const r = await this.#db
      .selectFrom('microsoft_subscription')
      .select(sql<string>`count(*)`.as('n'))
      .where('kind', '=', calendarSubscriptionKind)
      .executeTakeFirst();
    return n(r?.n);
  }
}

/**
 * A meeting that makes the user busy: the status sync's own rule (status/busy-blocks.ts `isBusy`), so `avail`
 * shows exactly what the status and reminder logic count.
 */
export const countsAsBusy: (e: CalendarEvent) => boolean = isBusy;
