/**
 * `npm run bench -- calendar [--users N] [--hours H] [--no-plugin] [--seed S] [--driver pg|pglite]`: a
 * simulated day of the calendar for N connected users (default 1,000 users, 24 h, at most 24), our Graph
 * calls against the plugin's pattern replayed on the same calendars, reminders expected / sent / duplicated /
 * missed, daily summaries, status lag from meeting start, peak RSS and wall time. See harness.ts for what
 * runs and how; docs/performance.md for the figures seen.
 */
import { figure as line } from '../foundation/report.ts';
import { type CalendarBenchOptions, type CalendarBenchResult, runCalendarDay } from './harness.ts';

export function parseCalendarArgs(argv: readonly string[]): CalendarBenchOptions {
  const o: CalendarBenchOptions = { users: 1000, hours: 24, plugin: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--users') o.users = value();
    else if (a === '--hours') o.hours = Math.min(value(), 24);
    else if (a === '--seed') o.seed = value();
    else if (a === '--no-plugin') o.plugin = false;
    else if (a === '--driver') {
      const d = argv[++i];
      if (d !== 'pg' && d !== 'pglite') throw new Error('--driver takes pg or pglite');
      o.driver = d;
    }
  }
  return o;
}

const perUserDay = (n: number, r: CalendarBenchResult) => (n / r.users) * (24 / r.hours);

/** Prints the figures as the other benchmarks do (bench/foundation/report.ts). */
export function printCalendarResult(r: CalendarBenchResult): void {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const scale = `${r.users} users, ${r.hours} simulated h`;
  line(
    'users',
    r.users,
    'users',
    `${r.meetingsPerUser.toFixed(1)} meetings/user, ${(r.recurringShare * 100).toFixed(0)}% series`,
  );
  line(
    'simulated hours',
    r.hours,
    'h',
    `changes: ${r.changes.move} moved, ${r.changes.cancel} cancelled, ${r.changes.invite} new invitations`,
  );
  line(
    'connect: Graph calls per user (once)',
    r.connect.graphCalls / r.users,
    'calls',
    `${r.connect.graphCalls} total`,
  );
  for (const [route, n] of Object.entries(r.connect.byRoute).sort((a, b) => b[1] - a[1])) {
    line(`  ${route}`.slice(0, 44), n, 'calls', `${(n / r.users).toFixed(2)} per user, at connect`);
  }
  line('ours: Graph calls', r.ours.graphCalls, 'calls', `${scale}; simulator counted ${r.ours.simCounted}`);
  line('ours: Graph calls per user per day', perUserDay(r.ours.graphCalls, r), 'calls', scale);
  for (const [route, n] of Object.entries(r.ours.byRoute).sort((a, b) => b[1] - a[1])) {
    line(`  ${route}`.slice(0, 44), n, 'calls', `${perUserDay(n, r).toFixed(2)} per user per day`);
  }
  if (r.plugin) {
    const p = r.plugin;
    line(
      'plugin: HTTP requests',
      p.httpRequests,
      'requests',
      `${p.batchRequests} status $batch, ${p.summaryBatchRequests} summary $batch, ${p.mailboxReads} mailbox reads, ${p.renewals} renewals (counted)`,
    );
    line(
      'plugin: $batch sub-requests',
      p.subRequests,
      'items',
      `${p.batchItems} status, ${p.summaryBatchItems} summary`,
    );
    const calls = p.httpRequests + p.subRequests;
    line(
      'plugin: Graph calls per user per day',
      perUserDay(calls, r),
      'calls',
      `requests + sub-requests; simulator counted ${p.simCounted} + ${p.renewals} renewals`,
    );
    line(
      'plugin: HTTP requests per user per day',
      perUserDay(p.httpRequests, r),
      'requests',
      'sub-requests not counted',
    );
    line('ratio ours / plugin (calls)', r.ours.graphCalls / calls, '×', 'target ≤ 0.10');
    line(
      'ratio ours / plugin (HTTP requests)',
      r.ours.graphCalls / p.httpRequests,
      '×',
      'each $batch as one request',
    );
  } else {
    out('plugin: not replayed (--no-plugin)');
  }
  const rem = (who: string, t: CalendarBenchResult['reminders']) => {
    line(`${who}: reminders expected`, t.expected, 'DMs', 'final calendars, 10 min lead');
    line(`${who}: reminders sent`, t.sent, 'DMs', `${t.unexpected} not expected`);
    line(
      `${who}: reminders duplicated`,
      t.duplicates,
      'DMs',
      who === 'ours'
        ? `${t.sameKeyRepeats} same-key repeats absorbed by the DM key`
        : 'same meeting reminded in two runs',
    );
    line(`${who}: reminders missed`, t.missed, 'DMs', 'expected, never sent');
  };
  rem('ours', r.reminders);
  const reminderJobs = r.jobs['calendar.reminder-at'];
  if (reminderJobs)
    line(
      'ours: reminder jobs run',
      reminderJobs.completed,
      'jobs',
      `${reminderJobs.refused} second plans refused by the queue (once per key)`,
    );
  if (r.pluginReminders) rem('plugin', r.pluginReminders);
  line('ours: daily summaries sent', r.summaries.sent, 'DMs', `${r.summaries.expected} expected`);
  line(
    'notifications delivered to our webhook',
    r.notifications.delivered,
    'notes',
    `${r.notifications.dropped} dropped`,
  );
  if (r.reminderLeadMinutes) {
    line(
      'ours: reminder posted, minutes before start',
      r.reminderLeadMinutes.min,
      'min',
      `min; max ${r.reminderLeadMinutes.max.toFixed(2)} (lead 10)`,
    );
  }
  if (r.statusLagMs) {
    const l = r.statusLagMs;
    line(
      'ours: status lag p50',
      l.p50 / 1000,
      's',
      `after block start; ${l.samples} of ${l.blocks} busy blocks`,
    );
    line('ours: status lag p99', l.p99 / 1000, 's', `max ${(l.max / 1000).toFixed(2)} s`);
    line('ours: busy blocks without a status change', l.missed, 'blocks', `of ${l.blocks}`);
  } else {
    out('status lag: not measured (no busy block in the window)');
  }
  if (r.pluginStatusLeadMs) {
    const l = r.pluginStatusLeadMs;
    line(
      'plugin: status set vs start p50',
      l.p50 / 1000,
      's',
      `negative = early; ${l.samples} busy meetings`,
    );
    line('plugin: status set vs start p99', l.p99 / 1000, 's', `earliest ${(l.min / 1000).toFixed(0)} s`);
  }
  line(
    'peak RSS',
    r.peakRssMb,
    'MB',
    `one process: simulator and service${r.driver === 'pglite' ? ', PGlite' : ' (PostgreSQL apart)'}`,
  );
  line('wall time', r.wallSeconds, 's', scale);
  const failed = Object.entries(r.jobs).filter(([, s]) => s.failed > 0);
  if (failed.length > 0 || r.errors.length > 0) {
    out(
      `job failures: ${failed.map(([q, s]) => `${q} ${s.failed} (${s.gaveUp} gave up)`).join(', ') || 'none'}`,
    );
    for (const e of r.errors) out(`  ${e}`);
  }
}

/** The registry's entry: options from the command line after the benchmark names. */
export async function calendarBench(): Promise<void> {
  const options = parseCalendarArgs(process.argv.slice(2));
  const result = await runCalendarDay({
    ...options,
    progress: (l) => process.stderr.write(`calendar bench: ${l}\n`),
  });
  printCalendarResult(result);
}
