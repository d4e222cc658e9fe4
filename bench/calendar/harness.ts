/**
 * One simulated day of the calendar for N connected users (issue 6 "Performance"), on a simulated clock.
 *
 * What runs: the Microsoft simulator (in process, real HTTPS, its SimClock), PGlite in memory with every
 * migration, the real calendar modules (CalendarSync with createCalendarGraph over the Microsoft edge's
 * pieces, MeetingReminders, DailySummary) on a VirtualJobRunner, and the plugin's polling replayed on the
 * same calendars (plugin-replay.ts). The domain clock IS the simulator's clock, so both move together.
 *
 * Timeline: users connect one hour before the measured window (their start rounds, the service-start
 * catch-up and the summary set-up are "connect" figures, once per user, not per day); counters are then
 * reset and the window runs minute by minute: the organizers' changes planned for the minute are made
 * through Graph (delegated, with an "Outlook" app of their own), notifications are delivered by the simulator
 * to our webhook and left to settle, the crons due in that minute fire, and every job due runs.
 *
 * Connected accounts are not created through the sign-in chain (1,000 browser flows): the calendar only needs
 * its users listed (CalendarUsers) and a token per user, which SimTokens mints (see sim-tokens.ts). Bot DMs go
 * to a recording messenger with the real messenger's contract (one post per key).
 *
 * Status sync (src/calendar/status/) runs for every user (Do Not Disturb and "In a meeting"), writing to a
 * RecordingPresence (status-probe.ts) in place of Mattermost; its lag is measured per busy block of the
 * final calendars. Between minutes the clock steps to each job's due time, so a job planned for 10:00:07
 * runs at 10:00:07, not at the next minute: the measured lag is the product's, not the stepping's.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { startMicrosoftSim } from '../../sim/microsoft/index.ts';
import { SimClock } from '../../sim/shared/clock.ts';
import { CalendarCache } from '../../src/calendar/cache.ts';
import { MeetingReminders } from '../../src/calendar/reminders/reminders.ts';
import type { PromptDms } from '../../src/calendar/status/ports.ts';
import { StatusSync } from '../../src/calendar/status/status-sync.ts';
import { DailySummary, type SummaryMessenger } from '../../src/calendar/summary/daily-summary.ts';
import { registerCalendarSync } from '../../src/calendar/sync/register.ts';
import { resolveZone } from '../../src/calendar/time-zones.ts';
import type { Clock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { createMetrics } from '../../src/core/metrics/registry.ts';
import { Vault } from '../../src/core/vault/index.ts';
import { createCalendarGraph } from '../../src/microsoft/calendar/index.ts';
import { trustExtraCa } from '../../src/microsoft/clouds.ts';
import { CalendarStatuses } from '../../src/store/calendar-status.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { benchEdge } from './edge.ts';
import { readFinalCalendars } from './final-calendars.ts';
import { organizerChanges } from './organizers.ts';
import { PluginReplay } from './plugin-replay.ts';
import { makePopulation, type PlannedChange, type Population, simSeed } from './population.ts';
import { type CalendarBenchResult, percentile, tallyReminders } from './result.ts';
import { SimTokens } from './sim-tokens.ts';
import { RecordingPresence, statusLags } from './status-probe.ts';
import { type BenchDriver, openBenchStore } from './store.ts';
import { VirtualJobRunner } from './virtual-jobs.ts';

export type { CalendarBenchResult, ReminderTally } from './result.ts';

export interface CalendarBenchOptions {
  users: number;
  hours: number;
  /** Replay the plugin's pattern against the simulator (default true). */
  plugin?: boolean;
  seed?: number;
  /** Database driver (default: PostgreSQL when it answers, else PGlite). */
  driver?: BenchDriver;
  /** Shares of changes during the day (see PopulationOptions); defaults 10 % moved, 3 % cancelled, 5 % new. */
  changes?: { move?: number; cancel?: number; invite?: number };
  /** Called about every simulated hour with a line of progress. */
  progress?: (line: string) => void;
}

const apps = {
  ours: '5e1e0a11-0000-4000-8000-0000000be001',
  plugin: '5e1e0a11-0000-4000-8000-0000000be002',
  outlook: '5e1e0a11-0000-4000-8000-0000000be003',
  audit: '5e1e0a11-0000-4000-8000-0000000be004',
};

/** The next Wednesday at least two days ahead, 00:00 UTC: a weekday, so series and summaries run. */
function measuredDayStart(): number {
  let d = DateTime.utc().startOf('day').plus({ days: 2 });
  while (d.weekday !== 3) d = d.plus({ days: 1 });
  return d.toMillis();
}

function graphCallsByRoute(
  registry: ReturnType<typeof createMetrics>['registry'],
): Promise<Record<string, number>> {
  return (async () => {
    const metric = registry.getSingleMetric('mm365_graph_requests_total');
    const out: Record<string, number> = {};
    if (!metric) return out;
    for (const v of (await metric.get()).values) {
      const key = `${v.labels.method} ${v.labels.route}`;
      out[key] = (out[key] ?? 0) + v.value;
    }
    return out;
  })();
}

function minus(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) if (v - (b[k] ?? 0) > 0) out[k] = v - (b[k] ?? 0);
  return out;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((x, y) => x + y, 0);

export async function runCalendarDay(o: CalendarBenchOptions): Promise<CalendarBenchResult> {
  const wallStart = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampleRss = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const dayStart = measuredDayStart();
  const dayEnd = dayStart + o.hours * 3_600_000;
  const connectAt = dayStart - 3_600_000;
  const population: Population = makePopulation({
    users: o.users,
    dayStart,
    hours: o.hours,
    ...(o.seed === undefined ? {} : { seed: o.seed }),
    ...(o.changes?.move === undefined ? {} : { moveShare: o.changes.move }),
    ...(o.changes?.cancel === undefined ? {} : { cancelShare: o.changes.cancel }),
    ...(o.changes?.invite === undefined ? {} : { inviteShare: o.changes.invite }),
  });
  const simClock = new SimClock(connectAt);
  const clock: Clock = { now: () => simClock.now() };
  const log = createLogger({ log: { level: 'silent', format: 'json' } });
  const delegated = [
    'User.Read',
    'Calendars.ReadWrite',
    'Calendars.ReadWrite.Shared',
    'MailboxSettings.Read',
  ];
  const sim = await startMicrosoftSim({
    clock: simClock,
    seed: simSeed(population, [
      { clientId: apps.ours, displayName: 'mattermost-m365 (bench)', delegated, application: [] },
      {
        clientId: apps.plugin,
        displayName: 'mscalendar plugin (replay)',
        delegated,
        application: ['Calendars.Read', 'MailboxSettings.Read', 'User.Read.All'],
      },
      { clientId: apps.outlook, displayName: 'Outlook (organizers)', delegated, application: [] },
      { clientId: apps.audit, displayName: 'bench audit', delegated: [], application: ['Calendars.Read'] },
    ]),
  });
  const bench = await openBenchStore(o.driver);
  const { store } = bench;
  const edgeClose: (() => Promise<void>)[] = [];
  try {
    sim.context.settings.allowHttpNotificationUrl = true;
    trustExtraCa(sim.ready.ca);
    await migrateToLatest(store);
    const ready = sim.ready;
    const simIdOf = new Map(Object.entries(ready.users).map(([k, v]) => [k, v.id]));
    const keyOf = new Map(population.users.map((u) => [u.mmId, u.key]));
    const tokens = new SimTokens(ready, clock);
    const metrics = createMetrics();
    const jobs = new VirtualJobRunner(clock, log);
    const edge = benchEdge({
      ready,
      clientId: apps.ours,
      userKeyOf: (p) => keyOf.get(p) ?? p,
      tokens,
      store,
      vault: new Vault([{ id: 'k1', key: randomBytes(32) }]),
      jobs: jobs.asJobRunner(),
      registry: metrics.registry,
      clock,
      log,
    });
    edgeClose.push(() => edge.close());

    // The calendar, as src/wiring/calendar/ builds it, over the bench edge and runner.
    const ids = population.users.map((u) => u.mmId).sort();
    const lost: string[] = [];
    const calendar = registerCalendarSync({
      graph: createCalendarGraph({
        asUser: edge.asUser,
        subscriptions: edge.subscriptions,
        processor: edge.processor,
      }),
      db: store.db,
      jobs: jobs.asJobRunner(),
      sessions: { sessionLost: async (user, reason) => void lost.push(`${user}: ${reason}`) },
      users: {
        listActive: async (after, limit) => ids.filter((id) => after === null || id > after).slice(0, limit),
      },
      clock,
      log,
    });
    const posts = new Map<string, { user: string; text: string; count: number; at: number }>();
    const messenger: SummaryMessenger = {
      async dm(user, text, key) {
        const p = posts.get(key);
        if (p) p.count++;
        else posts.set(key, { user, text, count: 1, at: clock.now() });
      },
    };
    const prompts: PromptDms = { dm: (user, text, _buttons, key) => messenger.dm(user, text, key) };
    const presence = new RecordingPresence(clock);
    const status = new StatusSync({ db: store.db, jobs: jobs.asJobRunner(), presence, prompts, clock, log });
    status.register();
    calendar.sync.onChanges(status.listener());
    const cache = new CalendarCache(store.db, clock);
    const reminders = new MeetingReminders({
      db: store.db,
      jobs: jobs.asJobRunner(),
      messenger,
      prompts,
      question: (user, event) => status.questionForReminder(user, event),
      clock,
      log,
    });
    reminders.register();
    const summary = new DailySummary({
      db: store.db,
      jobs: jobs.asJobRunner(),
      cache,
      messenger,
      clock,
      log,
    });
    summary.register();
    await edge.start();

    // Settling: the simulator delivers notifications on the event loop after the Graph call that caused
    // them; wait until nothing new arrived for a few turns and nothing is being answered.
    const settle = async () => {
      let last = -1;
      let quiet = 0;
      while (quiet < 4) {
        await new Promise((r) => setTimeout(r, 10));
        const n = edge.webhook.received + sim.context.counters.notifications.sent;
        if (n === last && edge.webhook.inFlight === 0) quiet++;
        else quiet = 0;
        last = n;
      }
    };

    // Connect phase: everyone connects, the service-start round runs, half turn the summary on.
    for (const id of ids) await calendar.userConnected(id);
    await calendar.schedule();
    await reminders.schedule();
    await status.schedule();
    await edge.schedule();
    await jobs.runDue();
    const statuses = new CalendarStatuses(store.db);
    for (const u of population.users) {
      if (u.summary) await summary.update(u.mmId, { enabled: true, localTime: '08:00' });
      await statuses.setSettings(u.mmId, { mode: 'dnd', custom: true }, new Date(clock.now()));
      await status.request(u.mmId);
    }
    await settle();
    await jobs.runDue();
    const connectRoutes = await graphCallsByRoute(metrics.registry);
    o.progress?.(
      `connected ${ids.length} users, ${sum(connectRoutes)} Graph calls, ${((performance.now() - wallStart) / 1000) | 0} s`,
    );

    const apply = organizerChanges({
      graph: ready.graph,
      tokens,
      clientId: apps.outlook,
      domain: 'bench.example',
    });

    const plugin =
      o.plugin === false
        ? undefined
        : new PluginReplay({
            graph: ready.graph,
            tokens,
            clientId: apps.plugin,
            users: population.users.map((u) => ({
              key: u.key,
              simId: simIdOf.get(u.key) as string,
              timeZone: u.timeZone,
              summary: u.summary,
            })),
          });

    // The measured window, minute by minute.
    for (let t = connectAt + 60_000; t < dayStart; t += 60_000) {
      if (t > simClock.now()) await simClock.set(t);
      jobs.fireSchedules(t);
      await jobs.runDue();
    }
    if (dayStart > simClock.now()) await simClock.set(dayStart);
    await jobs.runDue();
    const before = await graphCallsByRoute(metrics.registry);
    sim.context.counters.reset();
    posts.clear();
    const queueBefore = new Map([...jobs.stats].map(([k, v]) => [k, { ...v }]));
    let nextChange = 0;
    const changeCount = { move: 0, cancel: 0, invite: 0 };
    for (let t = dayStart; t < dayEnd; t += 60_000) {
      if (t > simClock.now()) await simClock.set(t);
      let changed = false;
      while (
        nextChange < population.changes.length &&
        (population.changes[nextChange] as PlannedChange).at <= t
      ) {
        const c = population.changes[nextChange++] as PlannedChange;
        await apply(c);
        changeCount[c.kind]++;
        changed = true;
      }
      if (changed) await settle();
      jobs.fireSchedules(t);
      await plugin?.minute(t);
      await jobs.runDue();
      if (changed) {
        await settle();
        await jobs.runDue();
      }
      // Jobs due before the next minute run at their own time.
      for (let due = jobs.nextDue(); due !== undefined && due < t + 60_000; due = jobs.nextDue()) {
        if (due > simClock.now()) await simClock.set(due);
        await jobs.runDue();
      }
      sampleRss();
      if ((t - dayStart) % 3_600_000 === 0 && t > dayStart) {
        o.progress?.(
          `${DateTime.fromMillis(t, { zone: 'UTC' }).toFormat('HH:mm')} simulated, ${((performance.now() - wallStart) / 1000) | 0} s, ${posts.size} DMs`,
        );
      }
    }
    if (dayEnd > simClock.now()) await simClock.set(dayEnd);
    await jobs.runDue();
    const ourRoutes = minus(await graphCallsByRoute(metrics.registry), before);
    const simApps = sim.context.counters.perApp;
    const ourSim = simApps.get(apps.ours) ?? 0;
    const pluginSim = simApps.get(apps.plugin) ?? 0;
    plugin?.countRenewals(o.hours);

    const leadMs = 10 * 60_000;
    const { calendars, expectedReminders: expected } = await readFinalCalendars({
      graph: ready.graph,
      token: await tokens.app(apps.audit),
      users: population.users.map((u) => ({ key: u.key, mmId: u.mmId, simId: simIdOf.get(u.key) as string })),
      from: dayStart,
      to: dayEnd,
      leadMs,
    });
    const ourReminders = new Map<string, number>();
    let sameKeyRepeats = 0;
    let leadMin = Number.POSITIVE_INFINITY;
    let leadMax = Number.NEGATIVE_INFINITY;
    for (const [key, p] of posts) {
      const m = /^calendar-reminder:([^:]+):(.+):(\d{4}-\d\d-\d\dT[\d:.]+Z)$/.exec(key);
      if (!m) continue;
      const start = Date.parse(m[3] as string);
      leadMin = Math.min(leadMin, (start - p.at) / 60_000);
      leadMax = Math.max(leadMax, (start - p.at) / 60_000);
      const k = `${keyOf.get(m[1] as string)}|${m[2]}|${start}`;
      ourReminders.set(k, (ourReminders.get(k) ?? 0) + 1);
      sameKeyRepeats += p.count - 1;
    }
    const tally = (sent: Map<string, number>, repeats: number) => tallyReminders(expected, sent, repeats);
    let summariesExpected = 0;
    for (const u of population.users) {
      if (!u.summary) continue;
      const zone = resolveZone(u.timeZone).iana;
      for (let d = -1; d <= 1; d++) {
        const local = DateTime.fromMillis(dayStart, { zone }).startOf('day').plus({ days: d });
        const at = local.set({ hour: 8 }).toMillis();
        if (local.weekday <= 5 && at >= dayStart && at < dayEnd) summariesExpected++;
      }
    }
    const summariesSent = [...posts.keys()].filter((k) => k.startsWith('calendar-summary:')).length;
    const jobStats: CalendarBenchResult['jobs'] = {};
    for (const [q, s] of jobs.stats) {
      const b = queueBefore.get(q) ?? { sent: 0, completed: 0, failed: 0, gaveUp: 0, refused: 0 };
      jobStats[q] = {
        sent: s.sent - b.sent,
        completed: s.completed - b.completed,
        failed: s.failed - b.failed,
        gaveUp: s.gaveUp - b.gaveUp,
        refused: s.refused - b.refused,
      };
    }
    const lag = statusLags(calendars, presence, 'dnd', dayStart, dayEnd);
    const pluginLeads = plugin ? [...plugin.counts.statusChanges.values()].sort((a, b) => a - b) : [];
    sampleRss();
    const occurrences = population.meetings.reduce((n, m) => n + 1 + m.attendees.length, 0);
    return {
      users: o.users,
      driver: bench.driver,
      hours: o.hours,
      meetingsPerUser: occurrences / o.users,
      recurringShare:
        population.meetings.filter((m) => m.recurring).length / Math.max(1, population.meetings.length),
      changes: changeCount,
      connect: { graphCalls: sum(connectRoutes), byRoute: connectRoutes },
      ours: { graphCalls: sum(ourRoutes), byRoute: ourRoutes, simCounted: ourSim },
      plugin: plugin
        ? {
            ...plugin.counts,
            httpRequests:
              plugin.counts.batchRequests +
              plugin.counts.summaryBatchRequests +
              plugin.counts.mailboxReads +
              plugin.counts.renewals,
            subRequests: plugin.counts.batchItems + plugin.counts.summaryBatchItems,
            simCounted: pluginSim,
          }
        : undefined,
      reminders: tally(ourReminders, sameKeyRepeats),
      pluginReminders: plugin ? tally(plugin.counts.reminders, 0) : undefined,
      summaries: { expected: summariesExpected, sent: summariesSent },
      notifications: {
        delivered: sim.context.counters.notifications.sent,
        dropped: sim.context.counters.notifications.dropped,
      },
      jobs: jobStats,
      errors: [...jobs.errors, ...lost.map((l) => `session lost ${l}`)],
      statusLagMs:
        lag.blocks === 0
          ? undefined
          : {
              p50: percentile(lag.lagsMs, 50),
              p99: percentile(lag.lagsMs, 99),
              max: lag.lagsMs.at(-1) ?? Number.NaN,
              samples: lag.lagsMs.length,
              blocks: lag.blocks,
              missed: lag.missed,
            },
      pluginStatusLeadMs:
        pluginLeads.length === 0
          ? undefined
          : {
              p50: percentile(pluginLeads, 50),
              p99: percentile(pluginLeads, 99),
              min: pluginLeads[0] as number,
              samples: pluginLeads.length,
            },
      reminderLeadMinutes: leadMin === Number.POSITIVE_INFINITY ? undefined : { min: leadMin, max: leadMax },
      peakRssMb: peakRss / 1024 / 1024,
      wallSeconds: (performance.now() - wallStart) / 1000,
    };
  } finally {
    for (const c of edgeClose) await c();
    await bench.close();
    await sim.close();
    simClock.dispose();
  }
}
