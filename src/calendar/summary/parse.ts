import { AppError } from '../../core/errors.ts';
import { calendarErrors } from '../errors.ts';

/**
 * Parses a time of day as people type it: "8:30", "08:30", "17:05", "8am", "8:30 pm", "12:00am".
 * Returns "HH:MM" (24-hour). Throws MM365_CALENDAR_SUMMARY_TIME_INVALID with an example otherwise.
 */
export function parseTime(text: string): string {
  const m = /^\s*(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*$/i.exec(text);
  const bad = () =>
    new AppError(
      calendarErrors.MM365_CALENDAR_SUMMARY_TIME_INVALID,
      `"${text.trim()}" is not a time. Use HH:MM or h:mm am/pm, for example \`08:30\` or \`8:30am\`.`,
    );
  if (!m) throw bad();
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const half = m[3]?.toLowerCase().replace(/\./g, '');
  if (minute > 59) throw bad();
  if (half) {
    if (hour < 1 || hour > 12) throw bad();
    hour = (hour % 12) + (half === 'pm' ? 12 : 0);
  } else if (hour > 23 || m[2] === undefined) {
    // A bare number ("8") is ambiguous without am/pm or minutes; "8:00" or "8am" is not.
    throw bad();
  }
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

const dayNames = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** ISO weekday of a day name or a prefix of at least two letters ("mo", "tue", "thurs"), else undefined. */
function dayNumber(word: string): number | undefined {
  const w = word.toLowerCase();
  if (w.length < 2) return undefined;
  const i = dayNames.findIndex((d) => d.startsWith(w));
  return i < 0 ? undefined : i + 1;
}

/**
 * Parses the days a summary is sent: "weekdays", "every day"/"daily", "mon-fri", "mon,wed,fri", "tue-thu,sat",
 * full names too. Returns ISO weekdays (1 = Monday … 7 = Sunday), sorted. Throws
 * MM365_CALENDAR_SUMMARY_DAYS_INVALID otherwise.
 */
export function parseDays(text: string): number[] {
  const t = text.trim().toLowerCase();
  if (t === 'weekdays' || t === 'workdays') return [1, 2, 3, 4, 5];
  if (t === 'every day' || t === 'everyday' || t === 'daily' || t === 'all') return [1, 2, 3, 4, 5, 6, 7];
  if (t === 'weekend' || t === 'weekends') return [6, 7];
  const bad = () =>
    new AppError(
      calendarErrors.MM365_CALENDAR_SUMMARY_DAYS_INVALID,
      `"${text.trim()}" are not days. Use for example \`mon-fri\`, \`mon,wed,fri\`, \`weekdays\` or \`every day\`.`,
    );
  const days = new Set<number>();
  for (const part of t.split(/\s*,\s*|\s+/).filter((p) => p !== '')) {
    const [from, to, ...rest] = part.split('-');
    if (rest.length > 0 || from === undefined) throw bad();
    const a = dayNumber(from);
    const b = to === undefined ? a : dayNumber(to);
    if (a === undefined || b === undefined) throw bad();
    for (let d = a; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === b) break;
    }
  }
  if (days.size === 0) throw bad();
  return [...days].sort((x, y) => x - y);
}

/** "Mon–Fri", "Mon, Wed, Fri", "every day": for replies. */
export function describeDays(days: readonly number[]): string {
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  if (days.length === 7) return 'every day';
  const contiguous = days.every((d, i) => i === 0 || d === (days[i - 1] as number) + 1);
  if (contiguous && days.length > 2)
    return `${names[(days[0] as number) - 1]}–${names[(days.at(-1) as number) - 1]}`;
  return days.map((d) => names[d - 1]).join(', ');
}

/** The cron line for a local time on ISO weekdays (cron counts Sunday as 0). */
export function cronOf(localTime: string, days: readonly number[]): string {
  const [h, m] = localTime.split(':').map(Number);
  return `${m} ${h} * * ${days.map((d) => d % 7).join(',')}`;
}
