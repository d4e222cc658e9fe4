import { describe, expect, it } from 'vitest';
import { findJoinUrl, graphEventSchema, toCalendarEvent } from '../../src/microsoft/calendar/graph-event.ts';

const convert = (raw: unknown) => toCalendarEvent(graphEventSchema.parse(raw));

describe('Graph event → CalendarEvent', () => {
  it('converts a full invitation copy (times in their zone, my response, organizer, attendees, Teams link)', () => {
    const e = convert({
      id: 'AAMk1',
      iCalUId: '040000008200E0',
      type: 'singleInstance',
      subject: 'Design review',
      bodyPreview: 'Agenda',
      start: { dateTime: '2026-01-05T09:00:00.0000000', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-01-05T10:00:00.0000000', timeZone: 'Pacific Standard Time' },
      originalStartTimeZone: 'Pacific Standard Time',
      isAllDay: false,
      showAs: 'tentative',
      responseStatus: { response: 'tentativelyAccepted', time: '2026-01-01T00:00:00Z' },
      isCancelled: false,
      isOrganizer: false,
      organizer: { emailAddress: { name: 'Bob', address: 'Bob@Contoso.example' } },
      attendees: [
        {
          type: 'required',
          status: { response: 'accepted' },
          emailAddress: { name: 'Alice', address: 'alice@contoso.example' },
        },
        { type: 'resource', status: { response: 'none' }, emailAddress: { name: 'Room 1', address: null } },
      ],
      location: { displayName: 'Room 1', locationType: 'default' },
      onlineMeeting: { joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x' },
      lastModifiedDateTime: '2026-01-01T10:00:00.1234567Z',
      webLink: 'https://outlook.office365.com/owa/?itemid=AAMk1',
      importance: 'high',
      sensitivity: 'private',
      categories: ['Blue category'],
    });
    expect(e.start.toISOString()).toBe('2026-01-05T17:00:00.000Z');
    expect(e.end.toISOString()).toBe('2026-01-05T18:00:00.000Z');
    expect(e).toMatchObject({
      response: 'tentative',
      showAs: 'tentative',
      organizer: { name: 'Bob', email: 'bob@contoso.example' },
      attendees: [
        { name: 'Alice', email: 'alice@contoso.example', type: 'required', response: 'accepted' },
        { name: 'Room 1', email: '', type: 'resource', response: 'none' },
      ],
      location: 'Room 1',
      joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x',
      importance: 'high',
      sensitivity: 'private',
      categories: ['Blue category'],
      timeZone: 'Pacific Standard Time',
      partial: false,
      isAllDay: false,
      startDate: null,
    });
  });

  it('keeps all-day dates floating, whatever zone the response is in', () => {
    const e = convert({
      id: 'A',
      subject: 'Offsite',
      isAllDay: true,
      start: { dateTime: '2026-03-10T00:00:00.0000000', timeZone: 'Tokyo Standard Time' },
      end: { dateTime: '2026-03-11T00:00:00.0000000', timeZone: 'Tokyo Standard Time' },
    });
    expect(e).toMatchObject({ isAllDay: true, startDate: '2026-03-10', endDate: '2026-03-11' });
    expect(e.start.toISOString()).toBe('2026-03-10T00:00:00.000Z');
  });

  it('marks the trimmed occurrences calendarView/delta sends as partial', () => {
    const e = convert({
      '@odata.type': '#microsoft.graph.event',
      id: 'OCC1',
      seriesMasterId: 'MASTER',
      type: 'occurrence',
      start: { dateTime: '2026-01-06T17:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-01-06T17:15:00.0000000', timeZone: 'UTC' },
    });
    expect(e).toMatchObject({ partial: true, type: 'occurrence', seriesMasterId: 'MASTER', subject: '' });
    // An empty subject is still a full item: only a missing one means Graph trimmed it.
    const full = convert({
      id: 'S',
      subject: '',
      type: 'occurrence',
      start: { dateTime: '2026-01-06T17:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-01-06T17:15:00', timeZone: 'UTC' },
    });
    expect(full.partial).toBe(false);
  });

  it('finds a join link in the location or body when Graph has no online meeting, and only real meeting hosts', () => {
    expect(findJoinUrl('Zoom: https://contoso.zoom.us/j/123?pwd=abc', null)).toBe(
      'https://contoso.zoom.us/j/123?pwd=abc',
    );
    expect(findJoinUrl('', 'Join <https://meet.google.com/abc-defg-hij>')).toBe(
      'https://meet.google.com/abc-defg-hij',
    );
    expect(findJoinUrl('https://example.com/j/123 and https://evil.example/zoom.us/j/1')).toBeNull();
    const e = convert({
      id: 'Z',
      subject: 'Zoom call',
      start: { dateTime: '2026-01-05T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-01-05T10:00:00', timeZone: 'UTC' },
      onlineMeeting: null,
      body: { contentType: 'text', content: 'Dial in: https://us02web.zoom.us/j/987654321' },
    });
    expect(e.joinUrl).toBe('https://us02web.zoom.us/j/987654321');
  });

  it('maps responses and refuses an item without times', () => {
    const base = {
      id: 'R',
      subject: 's',
      start: { dateTime: '2026-01-05T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-01-05T10:00:00', timeZone: 'UTC' },
    };
    const r = (response: string) => convert({ ...base, responseStatus: { response } }).response;
    expect(
      ['organizer', 'accepted', 'tentativelyAccepted', 'declined', 'notResponded', 'none', 'weird'].map(r),
    ).toEqual(['organizer', 'accepted', 'tentative', 'declined', 'notResponded', 'none', 'none']);
    expect(graphEventSchema.safeParse({ id: 'x', subject: 's' }).success).toBe(false);
  });
});
