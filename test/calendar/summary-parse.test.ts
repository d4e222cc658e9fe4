import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronOf, describeDays, parseDays, parseTime } from '../../src/calendar/summary/parse.ts';

describe('daily summary settings', () => {
  it('reads times the way people type them', () => {
    expect(parseTime('8:30')).toBe('08:30');
    expect(parseTime(' 17:05 ')).toBe('17:05');
    expect(parseTime('8am')).toBe('08:00');
    expect(parseTime('8:30 PM')).toBe('20:30');
    expect(parseTime('12:00am')).toBe('00:00');
    expect(parseTime('12pm')).toBe('12:00');
    expect(parseTime('7.30 p.m.'.replace('.', ':'))).toBe('19:30');
  });

  it('refuses what is not a time, with an example', () => {
    for (const bad of ['25:00', '8:61', '8', '13pm', '0am', 'noon', '', '8:3']) {
      expect(() => parseTime(bad), bad).toThrow(/is not a time\. Use HH:MM or h:mm am\/pm/);
    }
  });

  it('turns every valid HH:MM back into itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (h, m) => {
        const t = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
        expect(parseTime(t)).toBe(t);
      }),
    );
  });

  it('reads days as names, prefixes, ranges (wrapping the week) and words', () => {
    expect(parseDays('weekdays')).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays('mon-fri')).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays('Monday, Wednesday,fri')).toEqual([1, 3, 5]);
    expect(parseDays('tue-thu sat')).toEqual([2, 3, 4, 6]);
    expect(parseDays('fri-mon')).toEqual([1, 5, 6, 7]);
    expect(parseDays('every day')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(parseDays('thurs')).toEqual([4]);
    for (const bad of ['', 'm', 'someday', 'mon-', 'mon-tue-wed', 'x,y']) {
      expect(() => parseDays(bad), bad).toThrow(/are not days/);
    }
  });

  it('describes days and builds the cron line (Sunday is 0 for cron)', () => {
    expect(describeDays([1, 2, 3, 4, 5])).toBe('Mon–Fri');
    expect(describeDays([1, 3, 5])).toBe('Mon, Wed, Fri');
    expect(describeDays([1, 2, 3, 4, 5, 6, 7])).toBe('every day');
    expect(cronOf('08:30', [1, 2, 3, 4, 5])).toBe('30 8 * * 1,2,3,4,5');
    expect(cronOf('00:05', [6, 7])).toBe('5 0 * * 6,0');
  });
});
