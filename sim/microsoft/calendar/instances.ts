/**
 * What a calendar shows: stored items expanded into instances (single, series master, occurrence, exception)
 * and rendered as Graph JSON for a time zone (graph-api.md §2.1–2.3).
 *
 * Assumption (graph-api.md §11, unverified): all-day items are floating — their dates never shift across time
 * zones; under `Prefer: outlook.timezone` they render as midnight-to-midnight in the preferred zone's label.
 */
import type { Event } from '@microsoft/microsoft-graph-types';
import { DateTime } from 'luxon';
import type { SimRequest } from '../context.ts';
import type { StoredEvent } from '../state.ts';
import { occurrenceDates } from './recurrence.ts';
import { graphDateTime, parseDateTimeTimeZone, requireIana, toIana } from './time-zones.ts';

export interface Instance {
  stored: StoredEvent;
  id: string;
  type: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
  startMs: number;
  endMs: number;
  /** Occurrences: the date (series zone) the pattern put this occurrence on. */
  originalDate: string | null;
}

const OCC = 'OID.';

/** Occurrence ids carry the master id and the original date; clients must treat them as opaque. */
export function occurrenceId(masterId: string, date: string): string {
  return `${OCC}${masterId}.${date}`;
}

export function parseOccurrenceId(id: string): { masterId: string; date: string } | null {
  if (!id.startsWith(OCC)) return null;
  const date = id.slice(-10);
  return { masterId: id.slice(OCC.length, -11), date };
}

export function storedStart(e: Event): number {
  return parseDateTimeTimeZone(e.start as { dateTime?: string; timeZone?: string }, 'start');
}
export function storedEnd(e: Event): number {
  return parseDateTimeTimeZone(e.end as { dateTime?: string; timeZone?: string }, 'end');
}

function seriesZone(e: Event): string {
  return requireIana(e.recurrence?.range?.recurrenceTimeZone ?? e.start?.timeZone ?? 'UTC');
}

/** The master as listed by /events. */
export function masterInstance(s: StoredEvent): Instance {
  return {
    stored: s,
    id: s.id,
    type: s.event.recurrence ? 'seriesMaster' : 'singleInstance',
    startMs: storedStart(s.event),
    endMs: storedEnd(s.event),
    originalDate: null,
  };
}

/** Every instance of `s` overlapping [from, to). Series expand into occurrences and exceptions. */
export function instancesIn(s: StoredEvent, from: number, to: number): Instance[] {
  const e = s.event;
  if (!e.recurrence) {
    const i = masterInstance(s);
    return i.startMs < to && i.endMs > from ? [i] : [];
  }
  const zone = seriesZone(e);
  const startLocal = DateTime.fromMillis(storedStart(e), { zone });
  const duration = storedEnd(e) - storedStart(e);
  const until = DateTime.fromMillis(to, { zone }).plus({ days: 1 }).toISODate() ?? '';
  const dates = occurrenceDates(
    e.recurrence.pattern as Parameters<typeof occurrenceDates>[0],
    e.recurrence.range as Parameters<typeof occurrenceDates>[1],
    until,
  );
  const out: Instance[] = [];
  for (const date of dates) {
    if (s.cancelledDates.includes(date)) continue;
    const ex = s.exceptions[date];
    let startMs = DateTime.fromISO(`${date}T${startLocal.toFormat('HH:mm:ss')}`, { zone }).toMillis();
    let endMs = startMs + duration;
    if (ex?.start)
      startMs = parseDateTimeTimeZone(ex.start as { dateTime?: string; timeZone?: string }, 'start');
    if (ex?.end) endMs = parseDateTimeTimeZone(ex.end as { dateTime?: string; timeZone?: string }, 'end');
    if (startMs < to && endMs > from) {
      out.push({
        stored: s,
        id: occurrenceId(s.id, date),
        type: ex ? 'exception' : 'occurrence',
        startMs,
        endMs,
        originalDate: date,
      });
    }
  }
  return out;
}

export interface ViewPreferences {
  label: string;
  iana: string;
  /** `Prefer: outlook.body-content-type`; null leaves bodies as stored. */
  bodyType?: 'text' | 'html' | null;
}

/** The zone label and IANA zone a response should use: `Prefer: outlook.timezone`, else `fallback`. */
export function preferredZone(req: SimRequest, fallback = 'UTC'): ViewPreferences {
  const m = /outlook\.timezone\s*=\s*"([^"]+)"/i.exec(req.headers.prefer ?? '');
  const b = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(req.headers.prefer ?? '');
  const bodyType = (b?.[1]?.toLowerCase() as 'text' | 'html' | undefined) ?? null;
  const label = m?.[1] ?? fallback;
  const iana = toIana(label);
  if (!iana) return { label: fallback, iana: toIana(fallback) ?? 'UTC', bodyType };
  return { label, iana, bodyType };
}

export function preferenceApplied(req: SimRequest): Record<string, string> {
  const applied: string[] = [];
  const m = /outlook\.timezone\s*=\s*"([^"]+)"/i.exec(req.headers.prefer ?? '');
  if (m?.[1] && toIana(m[1])) applied.push(`outlook.timezone="${m[1]}"`);
  const b = /outlook\.body-content-type\s*=\s*"?(text|html)"?/i.exec(req.headers.prefer ?? '');
  if (b?.[1]) applied.push(`outlook.body-content-type="${b[1].toLowerCase()}"`);
  // Sim ids never change when items move, so an ImmutableId request is honoured by construction.
  if (/IdType\s*=\s*"ImmutableId"/i.test(req.headers.prefer ?? '')) applied.push('IdType="ImmutableId"');
  return applied.length ? { 'Preference-Applied': applied.join(', ') } : {};
}

function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\r\n')
    .replace(/<\/(p|div)>/gi, '\r\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

function textToHtml(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${esc.replace(/\r?\n/g, '<br>')}</body></html>`;
}

function bodyPreview(e: Event): string {
  const text = (e.body?.content ?? '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.slice(0, 255);
}

/** Graph JSON of an instance, times in `zone`. */
export function renderInstance(inst: Instance, zone: ViewPreferences): Event & Record<string, unknown> {
  const s = inst.stored;
  const base: Event = {
    ...structuredClone(s.event),
    ...(inst.originalDate ? structuredClone(s.exceptions[inst.originalDate] ?? {}) : {}),
  };
  const allDay = base.isAllDay === true;
  const render = (ms: number, original: { dateTime?: string | null } | null | undefined) =>
    allDay
      ? { dateTime: `${(original?.dateTime ?? '').slice(0, 10)}T00:00:00.0000000`, timeZone: zone.label }
      : { dateTime: graphDateTime(ms, zone.iana), timeZone: zone.label };
  let start = render(inst.startMs, base.start);
  let end = render(inst.endMs, base.end);
  if (allDay && inst.originalDate) {
    const days = Math.round((inst.endMs - inst.startMs) / 86_400_000);
    start = { dateTime: `${inst.originalDate}T00:00:00.0000000`, timeZone: zone.label };
    const endDate = DateTime.fromISO(inst.originalDate).plus({ days }).toISODate();
    end = { dateTime: `${endDate}T00:00:00.0000000`, timeZone: zone.label };
  }
  const out: Event & Record<string, unknown> = {
    '@odata.etag': `W/"${base.changeKey}"`,
    ...base,
    id: inst.id,
    type: inst.type,
    start,
    end,
    bodyPreview: bodyPreview(base),
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(inst.id)}&exvsurl=1&path=/calendar/item`,
  };
  const want = zone.bodyType;
  if (want && base.body && base.body.contentType !== want) {
    const content = base.body.content ?? '';
    out.body = { contentType: want, content: want === 'text' ? htmlToText(content) : textToHtml(content) };
  }
  if (inst.type === 'occurrence' || inst.type === 'exception') {
    out.seriesMasterId = s.id;
    out.recurrence = null;
    out.originalStart = new Date(inst.startMs).toISOString().replace('.000Z', 'Z');
    out.iCalUId = `${s.event.iCalUId ?? ''}${Buffer.from(inst.originalDate ?? '')
      .toString('hex')
      .toUpperCase()}`;
  } else {
    out.seriesMasterId = null;
  }
  return out;
}
