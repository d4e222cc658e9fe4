/**
 * Time zones the Graph way (graph-api.md §7): requests may name a Windows zone or an IANA zone; responses use
 * what the client asked for (Prefer header) or the stored zone. IANA is what luxon computes with, so every
 * name is resolved to IANA through CLDR (windows-iana) before any arithmetic.
 */
import { DateTime } from 'luxon';
import { findIana, findWindows } from 'windows-iana';
import { badRequest } from '../graph-error.ts';

/** Resolves a Windows or IANA name to an IANA zone luxon can use; undefined when unknown. */
export function toIana(name: string): string | undefined {
  if (name === 'UTC' || name === 'Etc/UTC' || name === 'tzone://Microsoft/Utc') return 'UTC';
  const fromWindows = findIana(name);
  if (fromWindows && fromWindows.length > 0) {
    for (const z of fromWindows) if (DateTime.local().setZone(z).isValid) return z;
  }
  if (DateTime.local().setZone(name).isValid && name.includes('/')) return name;
  return undefined;
}

export function isKnownTimeZone(name: string): boolean {
  return toIana(name) !== undefined;
}

/** The Windows name of a zone (what mailboxSettings and originalStartTimeZone report). */
export function toWindows(name: string): string {
  if (toIana(name) === undefined) return name;
  if (findIana(name)?.length) return name;
  return findWindows(name)?.[0] ?? name;
}

/** Resolves or throws Graph's 400 for an unknown zone. */
export function requireIana(name: string | undefined | null): string {
  const z = toIana(name ?? '');
  if (!z) {
    throw badRequest(
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name ?? ''}'.`,
      'TimeZoneNotSupportedException',
    );
  }
  return z;
}

/** Graph's wall-clock format: local time, 7 fractional digits, no offset. */
export function graphDateTime(ms: number, iana: string): string {
  return `${DateTime.fromMillis(ms, { zone: iana }).toFormat("yyyy-MM-dd'T'HH:mm:ss")}.0000000`;
}

/** Parses a `dateTimeTimeZone` value to epoch ms; throws Graph's 400 on bad input. */
export function parseDateTimeTimeZone(
  v: { dateTime?: unknown; timeZone?: unknown } | undefined | null,
  field: string,
): number {
  if (!v || typeof v.dateTime !== 'string')
    throw badRequest(`'${field}' is required.`, 'ErrorInvalidRequest');
  const zone = requireIana(typeof v.timeZone === 'string' ? v.timeZone : 'UTC');
  const dt = DateTime.fromISO(v.dateTime.replace(/Z$/, ''), { zone });
  if (!dt.isValid)
    throw badRequest(`Cannot convert the literal '${v.dateTime}' to the expected type 'Edm.DateTimeOffset'.`);
  return dt.toMillis();
}

/** ISO instant with 7 fractional digits and Z (createdDateTime etc.). */
export function graphInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(ms % 1000).padStart(3, '0')}0000Z`;
}
