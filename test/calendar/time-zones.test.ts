import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { instantOf, knownWindowsZones, localDay, resolveZone } from '../../src/calendar/time-zones.ts';

describe('calendar time zones (CLDR windowsZones through windows-iana)', () => {
  it('maps every Windows zone CLDR knows to an IANA zone luxon accepts, never falling back', () => {
    const zones = knownWindowsZones();
    expect(zones.length).toBeGreaterThan(130); // CLDR 4x lists ~140 Windows ids (the plugin's table had ~127)
    const broken = zones.filter((w) => {
      const r = resolveZone(w);
      return r.fallback || !DateTime.now().setZone(r.iana).isValid;
    });
    expect(broken).toEqual([]);
  });

  it('uses the golden (001) zone and keeps offsets right', () => {
    expect(resolveZone('Pacific Standard Time')).toEqual({
      iana: 'America/Los_Angeles',
      source: 'Pacific Standard Time',
      fallback: false,
    });
    expect(resolveZone('W. Europe Standard Time').iana).toBe('Europe/Berlin');
    expect(resolveZone('India Standard Time').iana).toMatch(/^Asia\/(Calcutta|Kolkata)$/);
    expect(
      DateTime.fromISO('2026-01-15T12:00:00Z').setZone(resolveZone('India Standard Time').iana).offset,
    ).toBe(330);
    expect(resolveZone('UTC')).toMatchObject({ iana: 'UTC', fallback: false });
  });

  it('accepts IANA names as Graph also returns them', () => {
    expect(resolveZone('Europe/Paris')).toMatchObject({ iana: 'Europe/Paris', fallback: false });
    expect(resolveZone('America/Indianapolis').fallback).toBe(false);
  });

  it('falls back to UTC, flagged, for unknown and customized zones', () => {
    for (const name of [
      'Customized Time Zone',
      'tzone://Microsoft/Custom',
      'Mars Standard Time',
      'EST5',
      '',
      null,
    ]) {
      expect(resolveZone(name)).toMatchObject({ iana: 'UTC', fallback: true });
    }
  });

  it('gives 23- and 25-hour local days on DST edges and 24 otherwise', () => {
    const la = 'America/Los_Angeles';
    expect(localDay(Date.parse('2026-03-08T20:00:00Z'), la)).toMatchObject({ date: '2026-03-08', hours: 23 });
    expect(localDay(Date.parse('2026-11-01T20:00:00Z'), la)).toMatchObject({ date: '2026-11-01', hours: 25 });
    const berlin = resolveZone('W. Europe Standard Time').iana;
    expect(localDay(Date.parse('2026-03-29T12:00:00Z'), berlin).hours).toBe(23);
    expect(localDay(Date.parse('2026-10-25T12:00:00Z'), berlin).hours).toBe(25);
    const plain = localDay(Date.parse('2026-01-05T07:59:00Z'), la);
    expect(plain).toMatchObject({ date: '2026-01-04', hours: 24 });
    expect(plain.start.toISOString()).toBe('2026-01-04T08:00:00.000Z');
    expect(plain.end.toISOString()).toBe('2026-01-05T08:00:00.000Z');
    // "tomorrow" from late evening in LA is the next local day, not the next UTC day.
    expect(localDay(Date.parse('2026-01-06T06:30:00Z'), la, 1).date).toBe('2026-01-06');
  });

  it('reads Graph dateTimeTimeZone wall times in their zone', () => {
    expect(
      instantOf({
        dateTime: '2026-01-05T09:00:00.0000000',
        timeZone: 'Pacific Standard Time',
      })?.toISOString(),
    ).toBe('2026-01-05T17:00:00.000Z');
    expect(instantOf({ dateTime: '2026-01-05T09:00:00.0000000', timeZone: 'UTC' })?.toISOString()).toBe(
      '2026-01-05T09:00:00.000Z',
    );
    expect(instantOf({ dateTime: 'garbage', timeZone: 'UTC' })).toBeUndefined();
  });

  it('property: in every CLDR zone, the local day contains the instant, starts on its own date, lasts 23–25 h and days tile', () => {
    const zones = knownWindowsZones().map((w) => resolveZone(w).iana);
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.integer({ min: -2, max: 2 }),
        (iana, at, offset) => {
          const today = localDay(at, iana);
          expect(today.start.getTime()).toBeLessThanOrEqual(at);
          expect(today.end.getTime()).toBeGreaterThan(at);
          expect(today.hours).toBeGreaterThanOrEqual(23); // Lord Howe shifts by 30 min: 23.5 / 24.5
          expect(today.hours).toBeLessThanOrEqual(25);
          const other = localDay(at, iana, offset);
          expect(DateTime.fromJSDate(other.start, { zone: iana }).toISODate()).toBe(other.date);
          // Consecutive days tile the timeline: no gap, no overlap.
          expect(localDay(at, iana, offset + 1).start.getTime()).toBe(other.end.getTime());
        },
      ),
      { numRuns: 500 },
    );
  });
});
