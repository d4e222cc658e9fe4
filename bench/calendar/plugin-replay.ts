/**
 * The Mattermost mscalendar plugin's Graph pattern, replayed against the simulator on the same calendars
 * (reference: mscalendar.md §3.5–3.8, §4, §5), with its own app registration so the simulator's per-app
 * counters keep its calls apart from ours:
 * - status sync + reminders, every 5 minutes (aligned to :00, :05, …): one app-only `POST /$batch` per 20
 *   users, each item `GET /Users/{id}/calendarView?startDateTime=now&endDateTime=now+10min&$top=20`; every
 *   user is polled (its reminders are on, as ours are by default). An event not cancelled whose start is
 *   within ±5.5 min of now+10 min gets a reminder, and the reminder reads the mailbox zone
 *   (`GET /users/{id}/mailboxSettings`, app-only).
 * - daily summary, every 15 minutes: users whose summary time is within 2 min of now in their zone, on a
 *   weekday, are fetched in `$batch`es of 20 (`calendarView` over their local day, `$top=20`).
 * - subscription renewals: the daily renew job PATCHes every user's subscription (48 h lifetime): counted,
 *   not replayed (the plugin's subscriptions would need a second webhook receiver; one call per user per
 *   day is all it costs in Graph calls).
 * Not counted: the plugin's change-notification processing (`GET {resource}` + mailbox zone per notification)
 * — it is an opt-in per user; and its token refreshes (Entra, not Graph).
 */
import { DateTime } from 'luxon';
import { resolveZone } from '../../src/calendar/time-zones.ts';
import type { SimTokens } from './sim-tokens.ts';

export interface PluginCounts {
  batchRequests: number;
  batchItems: number;
  mailboxReads: number;
  summaryBatchRequests: number;
  summaryBatchItems: number;
  /** Arithmetic, not replayed: one PATCH per user per day. */
  renewals: number;
  /** (user, event, start) → reminders the plugin sent for it. */
  reminders: Map<string, number>;
  /**
   * (user, event, start) of busy meetings → first run that saw it minus its start (ms; negative = before):
   * when the plugin's status sync could first set the user busy (§3.6: showAs busy, ≥ 1 attendee).
   */
  statusChanges: Map<string, number>;
  summaries: number;
}

interface ReplayUser {
  key: string;
  simId: string;
  timeZone: string;
  summary: boolean;
}

interface ViewEvent {
  id: string;
  isCancelled?: boolean;
  showAs?: string;
  attendees?: unknown[];
  start: { dateTime: string };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class PluginReplay {
  readonly counts: PluginCounts = {
    batchRequests: 0,
    batchItems: 0,
    mailboxReads: 0,
    summaryBatchRequests: 0,
    summaryBatchItems: 0,
    renewals: 0,
    reminders: new Map(),
    statusChanges: new Map(),
    summaries: 0,
  };
  readonly #graph: string;
  readonly #tokens: SimTokens;
  readonly #clientId: string;
  readonly #users: ReplayUser[];

  constructor(deps: { graph: string; tokens: SimTokens; clientId: string; users: ReplayUser[] }) {
    this.#graph = deps.graph;
    this.#tokens = deps.tokens;
    this.#clientId = deps.clientId;
    this.#users = deps.users;
  }

  /** The jobs due at the minute `at` (ms): status every 5 min, summary every 15 min. */
  async minute(at: number): Promise<void> {
    if (at % (5 * 60_000) === 0) await this.#statusSync(at);
    if (at % (15 * 60_000) === 0) await this.#dailySummary(at);
  }

  /** The renew job's PATCHes for a run of `hours`. */
  countRenewals(hours: number): void {
    this.counts.renewals = Math.round((this.#users.length * hours) / 24);
  }

  async #statusSync(at: number): Promise<void> {
    const end = at + 10 * 60_000;
    const views = await this.#batchViews(
      this.#users,
      () => `startDateTime=${iso(at)}&endDateTime=${iso(end)}&$top=20`,
      false,
    );
    for (const [user, events] of views) {
      for (const e of events) {
        if (e.isCancelled) continue;
        const start = Date.parse(`${e.start.dateTime.slice(0, 23)}Z`);
        const seen = `${user.key}|${e.id}|${start}`;
        if (e.showAs === 'busy' && (e.attendees?.length ?? 0) > 0 && !this.counts.statusChanges.has(seen)) {
          this.counts.statusChanges.set(seen, at - start);
        }
        if (Math.abs(start - end) > 5.5 * 60_000) continue;
        const key = `${user.key}|${e.id}|${start}`;
        this.counts.reminders.set(key, (this.counts.reminders.get(key) ?? 0) + 1);
        await this.#get(`/users/${user.simId}/mailboxSettings`);
        this.counts.mailboxReads++;
      }
    }
  }

  async #dailySummary(at: number): Promise<void> {
    const due = this.#users.filter((u) => {
      if (!u.summary) return false;
      const local = DateTime.fromMillis(at, { zone: resolveZone(u.timeZone).iana });
      if (local.weekday > 5) return false;
      const postAt = local.set({ hour: 8, minute: 0, second: 0, millisecond: 0 }).toMillis();
      return Math.abs(at - postAt) < 2 * 60_000;
    });
    if (due.length === 0) return;
    const views = await this.#batchViews(
      due,
      (u) => {
        const day = DateTime.fromMillis(at, { zone: resolveZone(u.timeZone).iana }).startOf('day');
        return `startDateTime=${iso(day.toMillis())}&endDateTime=${iso(day.plus({ days: 1 }).toMillis())}&$top=20`;
      },
      true,
    );
    this.counts.summaries += views.size;
  }

  async #batchViews(
    users: ReplayUser[],
    query: (u: ReplayUser) => string,
    summary: boolean,
  ): Promise<Map<ReplayUser, ViewEvent[]>> {
    const out = new Map<ReplayUser, ViewEvent[]>();
    const token = await this.#tokens.app(this.#clientId);
    for (let i = 0; i < users.length; i += 20) {
      const chunk = users.slice(i, i + 20);
      const res = await fetch(`${this.#graph}/$batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          requests: chunk.map((u, n) => ({
            id: String(n),
            method: 'GET',
            url: `/Users/${u.simId}/calendarView?${query(u)}`,
          })),
        }),
      });
      if (!res.ok) throw new Error(`plugin replay $batch: ${res.status} ${await res.text()}`);
      if (summary) {
        this.counts.summaryBatchRequests++;
        this.counts.summaryBatchItems += chunk.length;
      } else {
        this.counts.batchRequests++;
        this.counts.batchItems += chunk.length;
      }
      const body = (await res.json()) as {
        responses: { id: string; status: number; body?: { value?: ViewEvent[] } }[];
      };
      for (const r of body.responses) {
        const u = chunk[Number(r.id)];
        if (!u) continue;
        if (r.status !== 200) throw new Error(`plugin replay item ${u.key}: ${r.status}`);
        out.set(u, r.body?.value ?? []);
      }
    }
    return out;
  }

  async #get(path: string): Promise<void> {
    const token = await this.#tokens.app(this.#clientId);
    const res = await fetch(`${this.#graph}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`plugin replay GET ${path}: ${res.status}`);
    await res.arrayBuffer();
  }
}
