import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dayOffset, nextWorkingDayOffset } from '../../../src/calendar/index.ts';
import { isoWeekdaysOf as isoWeekdays } from '../../../src/microsoft/calendar/working-hours.ts';

const monFri = [1, 2, 3, 4, 5];
/** 2026-11-27 is a Friday. */
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();

describe('next working day (#321)', () => {
  it('is tomorrow on Monday to Thursday, Monday on Friday, Saturday and Sunday', () => {
    const z = 'Europe/Berlin';
    expect(nextWorkingDayOffset(at('2026-11-23T10:00', z), z, monFri)).toBe(1); // Mon → Tue
    expect(nextWorkingDayOffset(at('2026-11-26T10:00', z), z, monFri)).toBe(1); // Thu → Fri
    expect(nextWorkingDayOffset(at('2026-11-27T10:00', z), z, monFri)).toBe(3); // Fri → Mon
    expect(nextWorkingDayOffset(at('2026-11-28T10:00', z), z, monFri)).toBe(2); // Sat → Mon
    expect(nextWorkingDayOffset(at('2026-11-29T10:00', z), z, monFri)).toBe(1); // Sun → Mon
  });

  it("counts the user's local date, not UTC's: late Friday in Los Angeles is Saturday in UTC", () => {
    // 2026-11-27 23:30 in Los Angeles = 2026-11-28 07:30 UTC.
    const ms = at('2026-11-27T23:30', 'America/Los_Angeles');
    expect(nextWorkingDayOffset(ms, 'America/Los_Angeles', monFri)).toBe(3);
    expect(nextWorkingDayOffset(ms, 'UTC', monFri)).toBe(2);
    // Early Monday in Auckland is still Sunday in UTC.
    const nz = at('2026-11-30T06:00', 'Pacific/Auckland');
    expect(nextWorkingDayOffset(nz, 'Pacific/Auckland', monFri)).toBe(1); // Mon → Tue
    expect(nextWorkingDayOffset(nz, 'UTC', monFri)).toBe(1); // Sun → Mon
  });

  it('follows other working weeks: Sunday to Thursday, a four-day week, one day', () => {
    const z = 'Asia/Riyadh';
    const sunThu = [7, 1, 2, 3, 4];
    expect(nextWorkingDayOffset(at('2026-11-26T09:00', z), z, sunThu)).toBe(3); // Thu → Sun
    expect(nextWorkingDayOffset(at('2026-11-28T09:00', z), z, sunThu)).toBe(1); // Sat → Sun
    expect(nextWorkingDayOffset(at('2026-11-26T09:00', z), z, [1, 2, 3, 4])).toBe(4); // Thu → Mon
    expect(nextWorkingDayOffset(at('2026-11-25T09:00', z), z, [3])).toBe(7); // Wed → next Wed
    expect(nextWorkingDayOffset(at('2026-11-25T09:00', z), z, [])).toBe(1);
  });

  it('crosses a DST change without skipping a day (Europe, last Sunday of October)', () => {
    const z = 'Europe/Berlin';
    // Friday 2026-10-23; the clocks go back on Sunday 2026-10-25; Monday is 3 local days ahead.
    expect(nextWorkingDayOffset(at('2026-10-23T23:59', z), z, monFri)).toBe(3);
  });

  it('always lands on a working day, 1 to 7 days ahead, in any zone (property)', () => {
    const zones = [
      'UTC',
      'America/Los_Angeles',
      'Asia/Kolkata',
      'Pacific/Chatham',
      'Australia/Lord_Howe',
      'Pacific/Kiritimati',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom(...zones),
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        (ms, zone, days) => {
          const offset = nextWorkingDayOffset(ms, zone, days);
          expect(offset).toBeGreaterThanOrEqual(1);
          expect(offset).toBeLessThanOrEqual(7);
          const today = DateTime.fromMillis(ms, { zone }).startOf('day');
          expect(days).toContain(today.plus({ days: offset }).weekday);
          for (let i = 1; i < offset; i++) expect(days).not.toContain(today.plus({ days: i }).weekday);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads Graph's daysOfWeek names", () => {
    expect(isoWeekdays(['friday', 'Monday', 'sunday', 'monday', 'funday'])).toEqual([1, 5, 7]);
    expect(isoWeekdays([])).toEqual([]);
  });
});

describe('day <when>', () => {
  const z = 'America/Los_Angeles';
  const friday = at('2026-11-27T16:00', z);
  it('takes offsets, today/tomorrow, weekdays (today included) and dates in the next 30 days', () => {
    expect(dayOffset('+1', friday, z)).toBe(1);
    expect(dayOffset('0', friday, z)).toBe(0);
    expect(dayOffset('30', friday, z)).toBe(30);
    expect(dayOffset('tomorrow', friday, z)).toBe(1);
    expect(dayOffset('Today', friday, z)).toBe(0);
    expect(dayOffset('sat', friday, z)).toBe(1);
    expect(dayOffset('monday', friday, z)).toBe(3);
    expect(dayOffset('fr', friday, z)).toBe(0);
    expect(dayOffset('2026-12-24', friday, z)).toBe(27);
  });
  it('refuses the rest with the usage', () => {
    expect(dayOffset(undefined, friday, z)).toMatch(/^Use `\/mscalendar day \+1`/);
    expect(dayOffset('+31', friday, z)).toContain('is outside the next 30 days');
    expect(dayOffset('2026-11-26', friday, z)).toContain('is outside the next 30 days');
    expect(dayOffset('-1', friday, z)).toContain('"-1" is not a day.');
    expect(dayOffset('m', friday, z)).toContain('"m" is not a day.');
    expect(dayOffset('2026-02-30', friday, z)).toContain('"2026-02-30" is not a date.');
  });
});
