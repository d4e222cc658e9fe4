/**
 * The calendar benchmark's harness at tiny scale (5 users, 3 simulated hours, many changes), so CI proves it
 * runs end to end: the simulator, our calendar modules (sync, reminders, summary, status) on the virtual job
 * runner, notifications through the webhook, the plugin replay, and the tallies. It asserts the harness works and its tallies agree with
 * themselves, not performance figures (benchmarks measure those; docs/performance.md quotes them).
 */
import { describe, expect, it } from 'vitest';
import { runCalendarDay } from '../../bench/calendar/harness.ts';
import { parseCalendarArgs } from '../../bench/calendar/index.ts';

describe('calendar benchmark harness', () => {
  it('runs a small simulated day: changes reach the cache, every reminder is sent once, status follows blocks', async () => {
    const r = await runCalendarDay({
      users: 5,
      hours: 3,
      driver: 'pg',
      changes: { move: 0.5, cancel: 0.3, invite: 1 },
    });
    expect(r.errors).toEqual([]);
    expect(r.changes.move + r.changes.cancel + r.changes.invite).toBeGreaterThan(0);
    // Changes were notified to our webhook and caught up with delta (one call each, at least one).
    expect(r.notifications.delivered).toBeGreaterThan(0);
    expect(r.ours.byRoute['GET /me/calendarView/delta']).toBeGreaterThan(0);
    expect(r.jobs['calendar.sync']?.completed).toBeGreaterThan(0);
    // Reminders: the final calendars decide what is expected; ours sends each once, misses none.
    expect(r.reminders.expected).toBeGreaterThan(0);
    expect(r.reminders).toMatchObject({
      sent: r.reminders.expected,
      missed: 0,
      unexpected: 0,
      duplicates: 0,
    });
    // The plugin's replay polled every 5 minutes: 36 runs of one $batch for 5 users.
    expect(r.plugin?.batchRequests).toBe(36);
    expect(r.plugin?.batchItems).toBe(180);
    expect(r.ours.graphCalls).toBeLessThan((r.plugin?.httpRequests ?? 0) + (r.plugin?.subRequests ?? 0));
    // Status sync: every busy block of the final calendars turned the user DND, within a minute of its start.
    expect(r.statusLagMs?.blocks).toBeGreaterThan(0);
    expect(r.statusLagMs?.missed).toBe(0);
    expect(r.statusLagMs?.p99).toBeLessThanOrEqual(60_000);
    expect(r.reminderLeadMinutes?.min).toBeGreaterThan(9.9);
  }, 60_000);

  it('reads its scale from the command line after the benchmark name', () => {
    expect(parseCalendarArgs(['calendar', '--users', '50', '--hours', '3', '--no-plugin'])).toMatchObject({
      users: 50,
      hours: 3,
      plugin: false,
    });
    expect(parseCalendarArgs([])).toMatchObject({ users: 1000, hours: 24, plugin: true });
    expect(() => parseCalendarArgs(['--users', 'many'])).toThrow(/positive whole number/);
  });
});
