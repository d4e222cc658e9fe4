/**
 * Five-field cron (minute hour day-of-month month day-of-week) matched against one minute in a time zone,
 * for the benchmark's virtual job runner. Covers what the calendar schedules use (`*`, `*\/n`, numbers,
 * ranges, lists; day-of-week 0–7 with 0 and 7 Sunday). As in cron (and pg-boss's cron-parser), when both
 * day fields are restricted a minute matches if either does.
 */
import { DateTime } from 'luxon';

type Field = (value: number) => boolean;

function field(spec: string, min: number, max: number): { match: Field; any: boolean } {
  if (spec === '*') return { match: () => true, any: true };
  const allowed = new Set<number>();
  for (const part of spec.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range?.includes('-')) [lo, hi] = range.split('-').map(Number) as [number, number];
    else [lo, hi] = [Number(range), stepText === undefined ? Number(range) : max];
    if (![lo, hi, step].every(Number.isInteger) || step < 1 || lo < min || hi > max || lo > hi) {
      throw new Error(`cron field "${spec}" is not supported (range ${min}-${max})`);
    }
    for (let v = lo; v <= hi; v += step) allowed.add(v);
  }
  return { match: (v) => allowed.has(v), any: false };
}

export interface CronMatcher {
  /** True when the minute starting at `at` (ms, UTC) matches in the schedule's zone. */
  matches(at: number): boolean;
}

export function parseCron(expression: string, tz = 'UTC'): CronMatcher {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron "${expression}" needs five fields`);
  const [m, h, dom, mon, dow] = parts as [string, string, string, string, string];
  const minute = field(m, 0, 59);
  const hour = field(h, 0, 23);
  const day = field(dom, 1, 31);
  const month = field(mon, 1, 12);
  const weekday = field(dow, 0, 7);
  if (!DateTime.now().setZone(tz).isValid) throw new Error(`cron zone "${tz}" is not a valid IANA zone`);
  return {
    matches(at) {
      const t = DateTime.fromMillis(at, { zone: tz });
      if (!minute.match(t.minute) || !hour.match(t.hour) || !month.match(t.month)) return false;
      const wd = t.weekday % 7; // luxon: 1 = Monday … 7 = Sunday
      const dayOk = day.match(t.day);
      const weekdayOk = weekday.match(wd) || (wd === 0 && weekday.match(7));
      if (day.any || weekday.any) return dayOk && weekdayOk;
      return dayOk || weekdayOk;
    },
  };
}
