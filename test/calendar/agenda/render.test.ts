import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageBudget } from '../../../src/calendar/agenda/render.ts';
import type { CalendarEvent } from '../../../src/calendar/index.ts';
import { cellText, renderDay, zoneLine } from '../../../src/calendar/index.ts';

const base: CalendarEvent = {
  id: 'e1',
  iCalUId: null,
  type: 'singleInstance',
  seriesMasterId: null,
  subject: 'Daily standup',
  bodyPreview: '',
  start: new Date('2026-11-23T17:00:00Z'),
  end: new Date('2026-11-23T17:30:00Z'),
  isAllDay: false,
  startDate: null,
  endDate: null,
  timeZone: 'Pacific Standard Time',
  showAs: 'busy',
  response: 'accepted',
  responseRequested: true,
  isCancelled: false,
  isOrganizer: false,
  organizer: null,
  attendees: [],
  location: 'Room 1',
  joinUrl: 'https://teams.microsoft.com/l/meetup-join/abc',
  lastModified: null,
  webLink: 'https://outlook.office.com/calendar/item/e1',
  importance: 'normal',
  sensitivity: 'normal',
  categories: [],
  partial: false,
};
const day = {
  date: '2026-11-23',
  start: new Date('2026-11-23T08:00:00Z'),
  end: new Date('2026-11-24T08:00:00Z'),
};
const iana = 'America/Los_Angeles';

describe('agenda rendering', () => {
  it('renders a day as a table in the user’s zone, with link, location, join link and response', () => {
    const text = renderDay('Today', day, [base], iana);
    expect(text.split('\n')).toEqual([
      '#### Today, Monday 23 November 2026',
      '| Time | Event | Join | You |',
      '| --- | --- | --- | --- |',
      '| 9:00 AM – 9:30 AM | [Daily standup](https://outlook.office.com/calendar/item/e1) · Room 1 | [Join](https://teams.microsoft.com/l/meetup-join/abc) | Accepted |',
    ]);
  });

  it('marks cancelled events and drops their join link, shows all-day events and meetings running past midnight', () => {
    const cancelled = { ...base, id: 'e2', isCancelled: true, response: 'notResponded' as const };
    const allDay = {
      ...base,
      id: 'e3',
      subject: '',
      isAllDay: true,
      startDate: '2026-11-23',
      endDate: '2026-11-24',
      joinUrl: null,
      location: '',
      webLink: null,
      response: 'organizer' as const,
    };
    const late = {
      ...base,
      id: 'e4',
      start: new Date('2026-11-24T07:00:00Z'),
      end: new Date('2026-11-24T09:00:00Z'),
      joinUrl: null,
    };
    const lines = renderDay('Today', day, [allDay, cancelled, late], iana).split('\n');
    expect(lines[3]).toBe('| All day | (No subject) |  | Organizer |');
    expect(lines[4]).toContain(
      '~~[Daily standup](https://outlook.office.com/calendar/item/e1)~~ (cancelled)',
    );
    expect(lines[4]).toContain('|  | Not answered |');
    expect(lines[5]).toContain('11:00 PM – 1:00 AM (Tue)');
  });

  it('heads other days with just their date', () => {
    expect(renderDay('', day, [], iana)).toBe('#### Monday 23 November 2026\nNo meetings.');
  });

  it('says so when there is nothing', () => {
    expect(renderDay('Tomorrow', day, [], iana)).toBe('#### Tomorrow, Monday 23 November 2026\nNo meetings.');
  });

  it('never lets a subject or location break out of its table cell or become markup', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (subject) => {
        const row = renderDay(
          'Today',
          day,
          [{ ...base, subject, location: subject, webLink: null, joinUrl: null }],
          iana,
        ).split('\n')[3] as string;
        // Unescaped pipes are exactly the 5 column separators; no newline leaks into the row.
        expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
        expect(cellText(subject)).not.toMatch(/(^|[^\\])[[\]`*_<>]/);
      }),
      { numRuns: 300 },
    );
  });

  it('cuts a day too long for one Mattermost post at a row, and counts what is left out', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      ...base,
      id: `e${i}`,
      subject: `Meeting ${i} ${'x'.repeat(200)}`,
    }));
    const text = renderDay('Today', day, many, iana);
    expect(text.length).toBeLessThanOrEqual(messageBudget);
    const rows = text
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Time') && !l.startsWith('| ---'));
    const last = rows.at(-1) as string;
    const shown = rows.length - 1;
    expect(shown).toBeGreaterThan(10);
    expect(last).toBe(`| … | ${300 - shown} more meetings not shown: the message would be too long |  |  |`);
    // A day that fits is never cut.
    expect(renderDay('Today', day, many.slice(0, 5), iana)).not.toContain('not shown');
  });

  it('names the zone, and explains a fallback to UTC', () => {
    expect(zoneLine({ iana, source: 'Pacific Standard Time', fallback: false })).toBe(
      'Times are shown in Pacific Standard Time (America/Los_Angeles).',
    );
    expect(zoneLine({ iana: 'UTC', source: 'Customized Time Zone', fallback: true })).toBe(
      "Times are shown in UTC because your mailbox's time zone (Customized Time Zone) is not a standard zone we can convert. To fix it, pick a named time zone in Outlook (Settings → Time and language → Time zone); it is picked up here within a day.",
    );
    // No zone at all (never set in Outlook): said as such, with the same fix.
    expect(zoneLine({ iana: 'UTC', source: null, fallback: true })).toBe(
      'Times are shown in UTC because your mailbox has no time zone set. To fix it, pick a named time zone in Outlook (Settings → Time and language → Time zone); it is picked up here within a day.',
    );
    expect(zoneLine({ iana: 'UTC', source: '  ', fallback: true })).toContain('has no time zone set');
  });
});
