import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { occurrenceDates, RecurrenceError } from '../../../../sim/microsoft/calendar/recurrence.ts';

describe('occurrenceDates', () => {
  it('expands a weekday standup from a Wednesday, weeks starting Sunday', () => {
    const dates = occurrenceDates(
      { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday', 'friday'] },
      { type: 'noEnd', startDate: '2026-11-18' },
      '2026-11-30',
    );
    expect(dates).toEqual([
      '2026-11-18',
      '2026-11-20',
      '2026-11-23',
      '2026-11-25',
      '2026-11-27',
      '2026-11-30',
    ]);
  });

  it('counts numbered occurrences and honours interval', () => {
    expect(
      occurrenceDates(
        { type: 'daily', interval: 3 },
        { type: 'numbered', startDate: '2026-01-30', numberOfOccurrences: 4 },
        '2027-01-01',
      ),
    ).toEqual(['2026-01-30', '2026-02-02', '2026-02-05', '2026-02-08']);
    expect(
      occurrenceDates(
        { type: 'weekly', interval: 2, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
        { type: 'endDate', startDate: '2026-11-03', endDate: '2026-12-01' },
        '2027-01-01',
      ),
    ).toEqual(['2026-11-03', '2026-11-17', '2026-12-01']);
  });

  it('skips months without the day (absoluteMonthly on the 31st)', () => {
    expect(
      occurrenceDates(
        { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 },
        { type: 'numbered', startDate: '2026-01-01', numberOfOccurrences: 4 },
        '2027-12-31',
      ),
    ).toEqual(['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31']);
  });

  it('finds the last Friday and the second Tuesday (relativeMonthly)', () => {
    expect(
      occurrenceDates(
        { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' },
        { type: 'numbered', startDate: '2026-11-01', numberOfOccurrences: 3 },
        '2027-12-31',
      ),
    ).toEqual(['2026-11-27', '2026-12-25', '2027-01-29']);
    expect(
      occurrenceDates(
        { type: 'relativeMonthly', interval: 1, daysOfWeek: ['tuesday'], index: 'second' },
        { type: 'numbered', startDate: '2026-11-20', numberOfOccurrences: 2 },
        '2027-12-31',
      ),
    ).toEqual(['2026-12-08', '2027-01-12']);
  });

  it('expands yearly patterns', () => {
    expect(
      occurrenceDates(
        { type: 'absoluteYearly', interval: 1, month: 2, dayOfMonth: 29 },
        { type: 'noEnd', startDate: '2026-01-01' },
        '2032-12-31',
      ),
    ).toEqual(['2028-02-29', '2032-02-29']);
    expect(
      occurrenceDates(
        { type: 'relativeYearly', interval: 1, month: 11, daysOfWeek: ['thursday'], index: 'fourth' },
        { type: 'numbered', startDate: '2026-01-01', numberOfOccurrences: 2 },
        '2030-01-01',
      ),
    ).toEqual(['2026-11-26', '2027-11-25']);
  });

  it('rejects invalid patterns as Graph does', () => {
    expect(() =>
      occurrenceDates(
        { type: 'weekly', interval: 1 },
        { type: 'noEnd', startDate: '2026-01-01' },
        '2026-02-01',
      ),
    ).toThrow(RecurrenceError);
    expect(() =>
      occurrenceDates(
        { type: 'daily', interval: 0 },
        { type: 'noEnd', startDate: '2026-01-01' },
        '2026-02-01',
      ),
    ).toThrow(RecurrenceError);
  });

  it('property: dates are sorted, unique, within range and fit the weekly pattern', () => {
    const day = fc.constantFrom('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday');
    fc.assert(
      fc.property(
        fc.uniqueArray(day, { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 30 }),
        (days, interval, offset, count) => {
          const startDate = new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
          const dates = occurrenceDates(
            { type: 'weekly', interval, daysOfWeek: days },
            { type: 'numbered', startDate, numberOfOccurrences: count },
            '2035-01-01',
          );
          expect(dates).toHaveLength(count);
          expect([...dates].sort()).toEqual(dates);
          expect(new Set(dates).size).toBe(dates.length);
          const names = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
          for (const d of dates) {
            expect(d >= startDate).toBe(true);
            expect(days).toContain(names[new Date(`${d}T00:00:00Z`).getUTCDay()]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
