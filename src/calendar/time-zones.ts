/**
 * Time zones as Graph names them (graph-api.md §7): mailboxSettings.timeZone and originalStartTimeZone are
 * Windows ids ("Pacific Standard Time"), Graph also accepts and sometimes returns IANA ids, and a mailbox can
 * be in a "Customized Time Zone" (or `tzone://Microsoft/Custom`) that no table knows. Everything here resolves
 * to an IANA id luxon computes with, through CLDR's windowsZones (the `windows-iana` package) — never a
 * hand-written table (the plugin's ~127 entries are why some users were skipped).
 */
import { DateTime } from 'luxon';
import { findIana, WINDOWS_TO_IANA_MAP } from 'windows-iana';

/** A mailbox zone resolved for arithmetic. */
export interface ResolvedZone {
  /** IANA id luxon accepts ('UTC' for the fallback). */
  iana: string;
  /** The name as Graph gave it (null when Graph gave none). */
  source: string | null;
  /**
   * True when the name could not be resolved (unknown, empty, customized) and UTC is used instead: the user
   * should be told their times are shown in UTC and why.
   */
  fallback: boolean;
}

const utcNames = new Set([
  'utc',
  'etc/utc',
  'etc/gmt',
  'gmt',
  'tzone://microsoft/utc',
  'coordinated universal time',
]);

function luxonAccepts(iana: string): boolean {
  return DateTime.now().setZone(iana).isValid;
}

/**
 * Resolves a Windows or IANA zone name to IANA. Windows ids go through CLDR's golden (territory 001) zone;
 * a legacy CLDR alias (Asia/Calcutta) is kept when luxon accepts it (ICU knows the aliases), else the next
 * candidate is tried. Never throws: an unknown name resolves to UTC with `fallback: true`.
 */
export function resolveZone(name: string | null | undefined): ResolvedZone {
  const source = name ?? null;
  const trimmed = (name ?? '').trim();
  if (!trimmed) return { iana: 'UTC', source, fallback: true };
  if (utcNames.has(trimmed.toLowerCase())) return { iana: 'UTC', source, fallback: false };
  const golden = findIana(trimmed, '001');
  const candidates = golden.length > 0 ? golden : findIana(trimmed);
  for (const z of candidates) if (luxonAccepts(z)) return { iana: z, source, fallback: false };
  // Graph accepts (and with an IANA Prefer header returns) IANA ids too; a bare word like "EST" is not one.
  if (trimmed.includes('/') && luxonAccepts(trimmed)) return { iana: trimmed, source, fallback: false };
  return { iana: 'UTC', source, fallback: true };
}

/** Every Windows zone id CLDR's windowsZones lists (for tests and doctor). */
export function knownWindowsZones(): string[] {
  return [...new Set(WINDOWS_TO_IANA_MAP.map((m) => m.windowsName as string))].sort();
}

/** A user's local calendar day: [start, end) as UTC instants, and its length (23, 24 or 25 h around DST). */
export interface LocalDay {
  /** The local date, yyyy-MM-dd. */
  date: string;
  start: Date;
  end: Date;
  hours: number;
}

/**
 * The local day containing `at` in `iana`, shifted by `offsetDays` (0 today, 1 tomorrow): from local midnight
 * to the next local midnight. Where midnight does not exist (a DST jump at 00:00), luxon's startOf('day')
 * gives the first instant of the day.
 */
export function localDay(at: Date | number, iana: string, offsetDays = 0): LocalDay {
  const base = DateTime.fromMillis(typeof at === 'number' ? at : at.getTime(), { zone: iana })
    .startOf('day')
    .plus({ days: offsetDays })
    .startOf('day');
  const next = base.plus({ days: 1 }).startOf('day');
  return {
    date: base.toISODate() ?? '',
    start: new Date(base.toMillis()),
    end: new Date(next.toMillis()),
    hours: (next.toMillis() - base.toMillis()) / 3_600_000,
  };
}

/**
 * Parses Graph's dateTimeTimeZone (`{dateTime:"2026-01-05T09:00:00.0000000", timeZone:"Pacific Standard
 * Time"}`, wall time with no offset) into a UTC instant. Unknown zones are read as UTC (flagged by
 * resolveZone to callers that care). Returns undefined for a malformed value.
 */
export function instantOf(value: { dateTime: string; timeZone?: string | null }): Date | undefined {
  const zone = resolveZone(value.timeZone ?? 'UTC').iana;
  const dt = DateTime.fromISO(value.dateTime.replace(/Z$/, ''), { zone });
  return dt.isValid ? new Date(dt.toMillis()) : undefined;
}
