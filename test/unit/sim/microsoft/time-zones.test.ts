import { describe, expect, it } from 'vitest';
import {
  graphDateTime,
  graphInstant,
  parseDateTimeTimeZone,
  toIana,
  toWindows,
} from '../../../../sim/microsoft/calendar/time-zones.ts';
import { GraphError } from '../../../../sim/microsoft/graph-error.ts';

describe('time zones', () => {
  it('resolves Windows and IANA names and answers Windows names back', () => {
    expect(toIana('Pacific Standard Time')).toBe('America/Los_Angeles');
    expect(toIana('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(toIana('UTC')).toBe('UTC');
    expect(toIana('Europe/Paris')).toBe('Europe/Paris');
    expect(toIana('Mars Standard Time')).toBeUndefined();
    expect(toWindows('America/Los_Angeles')).toBe('Pacific Standard Time');
    expect(toWindows('Pacific Standard Time')).toBe('Pacific Standard Time');
  });

  it('parses dateTimeTimeZone values in their zone, across DST', () => {
    const summer = parseDateTimeTimeZone(
      { dateTime: '2026-07-01T09:00:00.0000000', timeZone: 'Pacific Standard Time' },
      'start',
    );
    expect(new Date(summer).toISOString()).toBe('2026-07-01T16:00:00.000Z');
    const winter = parseDateTimeTimeZone(
      { dateTime: '2026-12-01T09:00:00', timeZone: 'Pacific Standard Time' },
      'start',
    );
    expect(new Date(winter).toISOString()).toBe('2026-12-01T17:00:00.000Z');
    expect(() => parseDateTimeTimeZone({ dateTime: 'nope', timeZone: 'UTC' }, 'start')).toThrow(GraphError);
    expect(() =>
      parseDateTimeTimeZone({ dateTime: '2026-01-01T00:00:00', timeZone: 'Nowhere' }, 'start'),
    ).toThrow(GraphError);
  });

  it("formats Graph's wall-clock and instant strings with seven fractional digits", () => {
    const ms = Date.UTC(2026, 10, 23, 18, 30, 5, 120);
    expect(graphDateTime(ms, 'Europe/Berlin')).toBe('2026-11-23T19:30:05.0000000');
    expect(graphInstant(ms)).toBe('2026-11-23T18:30:05.1200000Z');
  });
});
