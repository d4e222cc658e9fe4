/**
 * Recurrence expansion for Outlook's `patternedRecurrence` (graph-api.md §2.3). Pure: works on calendar dates
 * (yyyy-mm-dd) only; the caller puts the series' wall-clock start time on each date in the series' zone.
 *
 * Rules modelled on Exchange: the range's startDate opens the series and the first occurrence is the first
 * date on or after it that fits the pattern; `numbered` counts occurrences, `endDate` is inclusive; weekly
 * weeks start on `firstDayOfWeek` (default sunday) and `interval` counts weeks from the week holding startDate;
 * absolute monthly/yearly dates that do not exist in a month (31 April) are skipped.
 */
import { DateTime } from 'luxon';

export interface RecurrencePatternInput {
  type: string;
  interval?: number;
  daysOfWeek?: string[] | null;
  firstDayOfWeek?: string | null;
  index?: string | null;
  dayOfMonth?: number | null;
  month?: number | null;
}

export interface RecurrenceRangeInput {
  type: string;
  startDate: string;
  endDate?: string | null;
  numberOfOccurrences?: number | null;
  recurrenceTimeZone?: string | null;
}

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const INDEX = ['first', 'second', 'third', 'fourth'];

/** luxon weekday (1 = Monday … 7 = Sunday) of a day name. */
function weekdayOf(name: string): number {
  const i = DAYS.indexOf(name.toLowerCase());
  if (i < 0) throw new RecurrenceError(`Invalid day of week '${name}'.`);
  return i + 1;
}

export class RecurrenceError extends Error {}

/** Validates a pattern/range pair the way Graph does on create; throws RecurrenceError with the reason. */
export function validateRecurrence(p: RecurrencePatternInput, r: RecurrenceRangeInput): void {
  const interval = p.interval ?? 1;
  if (!Number.isInteger(interval) || interval < 1)
    throw new RecurrenceError('Recurrence interval must be at least 1.');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.startDate ?? ''))
    throw new RecurrenceError('Recurrence range startDate is required.');
  switch (p.type) {
    case 'daily':
      break;
    case 'weekly':
    case 'relativeMonthly':
      if (!p.daysOfWeek?.length)
        throw new RecurrenceError(`DaysOfWeek is required for ${p.type} recurrence.`);
      p.daysOfWeek.forEach(weekdayOf);
      break;
    case 'absoluteMonthly':
      if (!p.dayOfMonth || p.dayOfMonth < 1 || p.dayOfMonth > 31)
        throw new RecurrenceError('DayOfMonth must be between 1 and 31.');
      break;
    case 'absoluteYearly':
      if (!p.dayOfMonth || !p.month)
        throw new RecurrenceError('Month and DayOfMonth are required for absoluteYearly recurrence.');
      break;
    case 'relativeYearly':
      if (!p.month || !p.daysOfWeek?.length)
        throw new RecurrenceError('Month and DaysOfWeek are required for relativeYearly recurrence.');
      break;
    default:
      throw new RecurrenceError(`Unknown recurrence pattern type '${p.type}'.`);
  }
  if (r.type === 'endDate') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(r.endDate ?? ''))
      throw new RecurrenceError('Recurrence range endDate is required.');
    if ((r.endDate ?? '') < r.startDate)
      throw new RecurrenceError('The recurrence range end date is before its start date.');
  } else if (r.type === 'numbered') {
    if (!r.numberOfOccurrences || r.numberOfOccurrences < 1)
      throw new RecurrenceError('numberOfOccurrences must be at least 1.');
  } else if (r.type !== 'noEnd') {
    throw new RecurrenceError(`Unknown recurrence range type '${r.type}'.`);
  }
}

/**
 * Occurrence dates of the series, in order, stopping after `untilDate` (inclusive, yyyy-mm-dd) or the range's
 * end, whichever comes first. `untilDate` bounds `noEnd` series.
 */
export function occurrenceDates(
  p: RecurrencePatternInput,
  r: RecurrenceRangeInput,
  untilDate: string,
): string[] {
  validateRecurrence(p, r);
  const interval = p.interval ?? 1;
  const start = DateTime.fromISO(r.startDate, { zone: 'UTC' });
  const last = r.type === 'endDate' && r.endDate && r.endDate < untilDate ? r.endDate : untilDate;
  const max = r.type === 'numbered' ? (r.numberOfOccurrences ?? 0) : Number.POSITIVE_INFINITY;
  const out: string[] = [];
  const push = (d: DateTime): boolean => {
    const iso = d.toISODate() ?? '';
    if (iso < r.startDate) return true;
    if (iso > last || out.length >= max) return false;
    out.push(iso);
    return true;
  };
  // Generous cap against pathological input: 20 years of daily occurrences.
  const GUARD = 7400;
  switch (p.type) {
    case 'daily':
      for (let i = 0; i < GUARD; i++) if (!push(start.plus({ days: i * interval }))) break;
      break;
    case 'weekly': {
      const first = weekdayOf(p.firstDayOfWeek ?? 'sunday');
      const weekStart = start.minus({ days: (start.weekday - first + 7) % 7 });
      const days = (p.daysOfWeek ?? [])
        .map(weekdayOf)
        .map((wd) => (wd - first + 7) % 7)
        .sort((a, b) => a - b);
      outer: for (let w = 0; w < GUARD; w++) {
        const base = weekStart.plus({ weeks: w * interval });
        for (const off of days) if (!push(base.plus({ days: off }))) break outer;
      }
      break;
    }
    case 'absoluteMonthly':
    case 'absoluteYearly': {
      const stepMonths = p.type === 'absoluteMonthly' ? interval : 12 * interval;
      let m = start.startOf('month');
      if (p.type === 'absoluteYearly') m = m.set({ month: p.month ?? 1 });
      if (m > start.startOf('month') && p.type === 'absoluteYearly') m = m.minus({ years: 1 });
      for (let i = 0; i < GUARD; i++) {
        const month = m.plus({ months: i * stepMonths });
        if ((month.daysInMonth ?? 0) < (p.dayOfMonth ?? 1)) {
          if ((month.toISODate() ?? '') > last) break;
          continue;
        }
        if (!push(month.set({ day: p.dayOfMonth ?? 1 }))) break;
      }
      break;
    }
    case 'relativeMonthly':
    case 'relativeYearly': {
      const stepMonths = p.type === 'relativeMonthly' ? interval : 12 * interval;
      let m = start.startOf('month');
      if (p.type === 'relativeYearly') {
        m = m.set({ month: p.month ?? 1 });
        if (m > start.startOf('month')) m = m.minus({ years: 1 });
      }
      const wds = new Set((p.daysOfWeek ?? []).map(weekdayOf));
      for (let i = 0; i < GUARD; i++) {
        const month = m.plus({ months: i * stepMonths });
        const matches: DateTime[] = [];
        for (let d = 1; d <= (month.daysInMonth ?? 28); d++) {
          const day = month.set({ day: d });
          if (wds.has(day.weekday)) matches.push(day);
        }
        const idx = p.index ?? 'first';
        const pick = idx === 'last' ? matches[matches.length - 1] : matches[INDEX.indexOf(idx)];
        if (!pick) continue;
        if (!push(pick)) break;
      }
      break;
    }
  }
  return out;
}
