/**
 * The benchmark's tenant: N users with 4–8 meetings each on the measured day, some of them occurrences of
 * weekday series, half with a Teams link, plus the changes made during the day (meetings moved, cancelled,
 * new invitations). Deterministic for a given seed number, so two runs measure the same calendars.
 *
 * Meetings are placed on 30-minute slots across the measured window (a global company: UTC slots, users in
 * seven zones), each participant free on it. Changes are made by the organizer only to meetings starting at
 * least 45 minutes after the change, to a slot at least 45 minutes after it: what people do in Outlook, and
 * it keeps "expected reminders" a function of the final calendars.
 */

const zones = [
  'Pacific Standard Time',
  'Eastern Standard Time',
  'UTC',
  'GMT Standard Time',
  'W. Europe Standard Time',
  'India Standard Time',
  'Tokyo Standard Time',
];

export interface BenchUser {
  key: string;
  /** The Mattermost-side user id (also the token-cache partition in the product). */
  mmId: string;
  timeZone: string;
  /** Has a daily summary at 08:00 local, weekdays. */
  summary: boolean;
}

export interface PlannedMeeting {
  subject: string;
  organizer: string;
  attendees: string[];
  start: number;
  end: number;
  recurring: boolean;
  online: boolean;
}

export type PlannedChange =
  | { at: number; kind: 'move'; subject: string; organizer: string; start: number; end: number }
  | { at: number; kind: 'cancel'; subject: string; organizer: string }
  | { at: number; kind: 'invite'; meeting: PlannedMeeting };

export interface Population {
  users: BenchUser[];
  meetings: PlannedMeeting[];
  changes: PlannedChange[];
}

export interface PopulationOptions {
  users: number;
  /** Start of the measured window (ms, UTC). */
  dayStart: number;
  hours: number;
  seed?: number;
  /** Share of single meetings moved, cancelled, and new invitations (relative to meetings) during the day. */
  moveShare?: number;
  cancelShare?: number;
  inviteShare?: number;
}

/** mulberry32: small, fast and good enough to pick meetings. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const slotMs = 30 * 60_000;

export function makePopulation(o: PopulationOptions): Population {
  const rand = prng(o.seed ?? 42);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const users: BenchUser[] = [];
  for (let i = 0; i < o.users; i++) {
    const n = String(i).padStart(5, '0');
    users.push({
      key: `user${n}`,
      // 26 lowercase letters and digits, like a Mattermost id.
      mmId: `bench${n}`.padEnd(26, 'x'),
      timeZone: zones[i % zones.length] as string,
      summary: i % 2 === 0,
    });
  }
  // Slots from 30 min into the window to 30 min before its end.
  const slots: number[] = [];
  for (let t = o.dayStart + slotMs; t + slotMs <= o.dayStart + o.hours * 3_600_000 - slotMs; t += slotMs) {
    slots.push(t);
  }
  const busy = users.map(() => new Set<number>());
  const need = users.map(() => int(4, 8));
  const meetings: PlannedMeeting[] = [];
  const free = (u: number, s: number, len: number) => {
    for (let k = 0; k < len; k++) if (busy[u]?.has(s + k) || s + k >= slots.length) return false;
    return true;
  };
  const take = (u: number, s: number, len: number) => {
    for (let k = 0; k < len; k++) busy[u]?.add(s + k);
    need[u] = (need[u] ?? 0) - 1;
  };
  let counter = 0;
  const order = users.map((_, i) => i);
  for (let round = 0; round < 12; round++) {
    for (const u of order) {
      if ((need[u] ?? 0) <= 0 || slots.length === 0) continue;
      const len = rand() < 0.7 ? 1 : 2;
      let s = -1;
      for (let tries = 0; tries < 20 && s === -1; tries++) {
        const c = int(0, slots.length - 1);
        if (free(u, c, len)) s = c;
      }
      if (s === -1) continue;
      const attendees: number[] = [];
      const want = int(0, 3);
      for (let tries = 0; tries < 30 && attendees.length < want; tries++) {
        const a = int(0, users.length - 1);
        if (a !== u && (need[a] ?? 0) > 0 && !attendees.includes(a) && free(a, s, len)) attendees.push(a);
      }
      take(u, s, len);
      for (const a of attendees) take(a, s, len);
      const start = slots[s] as number;
      meetings.push({
        subject: `M${++counter} ${attendees.length === 0 ? 'Focus block' : 'Sync'}`,
        organizer: users[u]?.key as string,
        attendees: attendees.map((a) => users[a]?.key as string),
        start,
        end: start + len * slotMs,
        recurring: attendees.length > 0 && rand() < 0.25,
        online: rand() < 0.5,
      });
    }
  }

  const changes: PlannedChange[] = [];
  const earliestChange = o.dayStart + 5 * 60_000;
  for (const m of meetings) {
    if (m.recurring) continue;
    const latest = m.start - 45 * 60_000;
    if (latest <= earliestChange) continue;
    const r = rand();
    const at = earliestChange + Math.floor(rand() * (latest - earliestChange));
    if (r < (o.moveShare ?? 0.1)) {
      const shift = int(2, 4) * slotMs;
      const start = Math.max(m.start + shift, Math.ceil((at + 45 * 60_000) / slotMs) * slotMs);
      const end = start + (m.end - m.start);
      if (end <= o.dayStart + o.hours * 3_600_000 - slotMs) {
        changes.push({ at, kind: 'move', subject: m.subject, organizer: m.organizer, start, end });
      }
    } else if (r < (o.moveShare ?? 0.1) + (o.cancelShare ?? 0.03)) {
      changes.push({ at, kind: 'cancel', subject: m.subject, organizer: m.organizer });
    }
  }
  const invites = Math.round(meetings.length * (o.inviteShare ?? 0.05));
  for (let i = 0; i < invites; i++) {
    const at = earliestChange + Math.floor(rand() * o.hours * 3_600_000 * 0.8);
    const first = Math.ceil((at + 45 * 60_000) / slotMs) * slotMs;
    const start = first + int(0, 4) * slotMs;
    if (start + slotMs > o.dayStart + o.hours * 3_600_000 - slotMs) continue;
    const organizer = users[int(0, users.length - 1)]?.key as string;
    const attendees = [
      ...new Set(Array.from({ length: int(1, 3) }, () => users[int(0, users.length - 1)]?.key as string)),
    ].filter((k) => k !== organizer);
    changes.push({
      at,
      kind: 'invite',
      meeting: {
        subject: `N${i + 1} New invitation`,
        organizer,
        attendees,
        start,
        end: start + slotMs,
        recurring: false,
        online: true,
      },
    });
  }
  changes.sort((a, b) => a.at - b.at);
  return { users, meetings, changes };
}

/** The simulator seed for a population: the users, four apps and the meetings (series start a week earlier). */
export function simSeed(
  p: Population,
  apps: { clientId: string; displayName: string; delegated: string[]; application: string[] }[],
): unknown {
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const week = 7 * 86_400_000;
  return {
    tenant: { domain: 'bench.example', displayName: 'Benchmark tenant' },
    users: p.users.map((u) => ({ key: u.key, displayName: `Bench ${u.key}`, timeZone: u.timeZone })),
    apps: apps.map((a) => ({
      clientId: a.clientId,
      displayName: a.displayName,
      delegatedPermissions: a.delegated,
      applicationPermissions: a.application,
      redirectUris: ['http://localhost/oauth2/callback'],
    })),
    events: p.meetings.map((m) => ({
      organizer: m.organizer,
      subject: m.subject,
      start: { dateTime: iso(m.recurring ? m.start - week : m.start), timeZone: 'UTC' },
      end: { dateTime: iso(m.recurring ? m.end - week : m.end), timeZone: 'UTC' },
      attendees: m.attendees,
      isOnlineMeeting: m.online,
      ...(m.online ? {} : { location: 'Room 1' }),
      ...(m.recurring
        ? {
            recurrence: {
              pattern: {
                type: 'weekly',
                interval: 1,
                daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
              },
              range: { type: 'noEnd', startDate: 'TODAY' },
            },
          }
        : {}),
    })),
  };
}
