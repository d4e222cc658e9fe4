import { describe, expect, it } from 'vitest';
import { createEventForm, limits, prefill } from '../../../src/calendar/events/form.ts';
import { parseGuests, validateSubmission } from '../../../src/calendar/events/validate.ts';

const iana = 'America/Los_Angeles';
// Mon 2026-01-05 09:10 in Los Angeles.
const now = Date.parse('2026-01-05T17:10:00Z');
const good = {
  subject: 'Planning',
  date: '2026-01-05',
  start: '09:30',
  end: '10:00',
  all_day: false,
  online: true,
  location: 'Room 1',
  attendees: '@bob, carol@contoso.example',
  description: 'Agenda',
  channel: 'ch1',
};

function errors(over: Record<string, unknown>): Record<string, string> {
  const r = validateSubmission({ ...good, ...over }, { now, iana });
  return r.ok ? {} : r.errors;
}

describe('create-event form', () => {
  it('prefills today in the mailbox zone, the next half hour, 30 minutes', () => {
    expect(prefill(now, iana)).toEqual({ date: '2026-01-05', start: '09:30', end: '10:00' });
    expect(prefill(Date.parse('2026-01-05T17:40:00Z'), iana)).toEqual({
      date: '2026-01-05',
      start: '10:00',
      end: '10:30',
    });
    // 23:40 local: the next slot is tomorrow; the form offers tomorrow 09:00.
    expect(prefill(Date.parse('2026-01-06T07:40:00Z'), iana)).toEqual({
      date: '2026-01-06',
      start: '09:00',
      end: '09:30',
    });
  });

  it("stays within the real server's dialog limits", () => {
    const form = createEventForm({ now, iana, zoneLabel: iana, channelId: 'ch1' });
    expect(form.title.length).toBeLessThanOrEqual(24);
    for (const e of form.elements) {
      const max = e.max_length as number | undefined;
      if (e.type === 'text') expect(max ?? 150).toBeLessThanOrEqual(150);
      if (e.type === 'textarea') expect(max ?? 3000).toBeLessThanOrEqual(3000);
      for (const k of ['help_text', 'placeholder', 'default'] as const) {
        expect(String(e[k] ?? '').length).toBeLessThanOrEqual(150);
      }
    }
    expect(form.elements.find((e) => e.name === 'channel')).toMatchObject({
      data_source: 'channels',
      default: 'ch1',
    });
    expect(
      createEventForm({ now, iana, zoneLabel: iana, channelId: null }).elements.find(
        (e) => e.name === 'channel',
      ),
    ).not.toHaveProperty('default');
  });
});

describe('validateSubmission', () => {
  it('accepts a good timed event, in the mailbox zone', () => {
    const r = validateSubmission(good, { now, iana });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toMatchObject({
      subject: 'Planning',
      start: '2026-01-05T09:30:00',
      end: '2026-01-05T10:00:00',
      isAllDay: false,
      online: true,
      usernames: ['bob'],
      emails: ['carol@contoso.example'],
      channelId: 'ch1',
    });
    expect(r.event.startAt.toISOString()).toBe('2026-01-05T17:30:00.000Z');
  });

  it('accepts an all-day event (the plugin rejected it): midnight to next midnight, times ignored', () => {
    const r = validateSubmission({ ...good, all_day: 'true', start: '', end: '' }, { now, iana });
    expect(r.ok && r.event).toMatchObject({
      isAllDay: true,
      start: '2026-01-05T00:00:00',
      end: '2026-01-06T00:00:00',
    });
  });

  it('rejects every field out of range, each with its own message', () => {
    expect(errors({ subject: '  ' })).toEqual({ subject: 'Give the event a subject.' });
    expect(errors({ subject: 'x'.repeat(limits.subject + 1) }).subject).toContain('at most 150');
    expect(errors({ location: 'x'.repeat(limits.location + 1) }).location).toContain('at most 150');
    expect(errors({ description: 'x'.repeat(limits.description + 1) }).description).toContain('at most 3000');
    expect(errors({ attendees: 'x'.repeat(limits.attendeesText + 1) }).attendees).toContain('at most 3000');
    const many = Array.from({ length: 101 }, (_, i) => `p${i}@contoso.example`).join(',');
    expect(errors({ attendees: many }).attendees).toBe('At most 100 guests (you listed 101).');
    expect(errors({ attendees: '@bob, not-an-email@, x' }).attendees).toBe(
      'Not a @username or an e-mail address: not-an-email@, x.',
    );
    expect(errors({ date: '05/01/2026' }).date).toContain('YYYY-MM-DD');
    expect(errors({ date: '2026-02-30' }).date).toContain('YYYY-MM-DD');
    expect(errors({ date: '2026-01-04' }).date).toBe('The date is in the past (today is 2026-01-05).');
    expect(errors({ start: '09:10' }).start).toBe('Choose a start time from the list.');
    expect(errors({ end: '25:00' }).end).toBe('Choose an end time from the list.');
    expect(errors({ start: '10:00', end: '10:00' }).end).toBe('The end must be after the start.');
    expect(errors({ start: '11:00', end: '10:00' }).end).toBe('The end must be after the start.');
    expect(errors({ start: '08:30', end: '09:00' }).start).toBe('The start is in the past.');
    expect(errors({ all_day: true, date: '2026-01-04' }).date).toContain('in the past');
  });

  it('refuses a wall time the clocks skip in the mailbox zone', () => {
    // 2026-03-08 02:30 does not exist in Los Angeles (clocks go 02:00 → 03:00).
    expect(errors({ date: '2026-03-08', start: '02:30', end: '04:00' }).start).toContain('does not exist');
  });

  it('splits guests into @usernames and e-mails, lower-cased and deduplicated', () => {
    expect(parseGuests('@Bob bob carol@Contoso.example; carol@contoso.example,\n@dave')).toEqual({
      usernames: ['bob', 'dave'],
      emails: ['carol@contoso.example'],
      invalid: [],
    });
    expect(parseGuests('a@b @x').invalid).toEqual(['a@b', '@x']);
  });
});
