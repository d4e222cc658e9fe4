/**
 * Which sync changes deserve an invitation DM (src/calendar/invitations/detect.ts): every rule on its own,
 * with hand-made rounds, and the DM text for each kind.
 */
import { describe, expect, it } from 'vitest';
import { decideNotices } from '../../../src/calendar/invitations/detect.ts';
import { renderNotice } from '../../../src/calendar/invitations/render.ts';
import { resolveZone } from '../../../src/calendar/time-zones.ts';
import { invite, now, occurrence, round } from './events.ts';

const day = 86_400_000;
const kinds = (r: ReturnType<typeof decideNotices>) => r.map((n) => `${n.kind}:${n.about}`);

describe('decideNotices', () => {
  it('a new invitation is one "new" notice; the first round after connecting is the baseline', () => {
    const changes = [{ before: null, after: invite('A') }];
    expect(kinds(decideNotices(round(), changes))).toEqual(['new:A']);
    expect(decideNotices(round({ first: true, full: true, previousWindow: null }), changes)).toEqual([]);
  });

  it('the organizer’s own events are never announced', () => {
    const own = invite('A', { isOrganizer: true, response: 'organizer' });
    expect(decideNotices(round(), [{ before: null, after: own }])).toEqual([]);
    expect(decideNotices(round(), [{ before: own, after: { ...own, subject: 'x' } }])).toEqual([]);
    expect(decideNotices(round(), [{ before: own, after: null }])).toEqual([]);
  });

  it('an event entering the window on a full round is not new; one inside the old window is', () => {
    const prevEnd = now.getTime() + 30 * day;
    const entering = invite('late', {
      start: new Date(prevEnd + 3_600_000),
      end: new Date(prevEnd + 7_200_000),
    });
    const missed = invite('missed');
    const r = round({ full: true });
    expect(
      kinds(
        decideNotices(r, [
          { before: null, after: entering },
          { before: null, after: missed },
        ]),
      ),
    ).toEqual(['new:missed']);
    // On a catch-up round the window does not move: a far-future invitation is news.
    expect(kinds(decideNotices(round(), [{ before: null, after: entering }]))).toEqual(['new:late']);
  });

  it('meetings that ended already are not news, whatever happened to them', () => {
    const past = invite('P', {
      start: new Date(now.getTime() - 7_200_000),
      end: new Date(now.getTime() - 3_600_000),
    });
    expect(decideNotices(round(), [{ before: null, after: past }])).toEqual([]);
    expect(decideNotices(round(), [{ before: past, after: { ...past, location: 'Elsewhere' } }])).toEqual([]);
    expect(decideNotices(round(), [{ before: past, after: { ...past, isCancelled: true } }])).toEqual([]);
    // Swept out of the window by its start moving on (a full round): not a deletion.
    expect(decideNotices(round({ full: true }), [{ before: past, after: null }])).toEqual([]);
  });

  it('"updated" only when a watched field changed, in display order; the user’s own response is silent', () => {
    const a = invite('A');
    expect(
      decideNotices(round(), [{ before: a, after: { ...a, response: 'accepted', showAs: 'busy' } }]),
    ).toEqual([]);
    expect(
      decideNotices(round(), [{ before: a, after: { ...a, bodyPreview: 'agenda', categories: ['x'] } }]),
    ).toEqual([]);
    const moved = {
      ...a,
      start: new Date(a.start.getTime() + 3_600_000),
      end: new Date(a.end.getTime() + 3_600_000),
      location: 'Room 2',
      joinUrl: 'https://teams.microsoft.com/l/meetup-join/x',
      attendees: [
        ...a.attendees.slice(0, 1),
        { name: 'Dave', email: 'dave@contoso.example', type: 'optional' as const, response: 'none' as const },
      ],
    };
    const [n] = decideNotices(round(), [{ before: a, after: moved }]);
    expect(n?.kind).toBe('updated');
    expect(n?.changed).toEqual(['when', 'where', 'attendees', 'join']);
    expect(decideNotices(round(), [{ before: a, after: { ...a, subject: 'Renamed' } }])[0]?.changed).toEqual([
      'subject',
    ]);
  });

  it('cancelled by isCancelled (not the subject), once; a "Canceled:" subject alone is just a rename', () => {
    const a = invite('A');
    const cancelled = { ...a, isCancelled: true, subject: `Canceled: ${a.subject}` };
    expect(kinds(decideNotices(round(), [{ before: a, after: cancelled }]))).toEqual(['cancelled:A']);
    // Already cancelled: a later change to the cancelled copy is not news.
    expect(decideNotices(round(), [{ before: cancelled, after: { ...cancelled, location: 'x' } }])).toEqual(
      [],
    );
    const renamed = decideNotices(round(), [
      { before: a, after: { ...a, subject: `Canceled: ${a.subject}` } },
    ]);
    expect(renamed.map((n) => n.kind)).toEqual(['updated']);
  });

  it('removed: a future meeting leaving the calendar; not when it was cancelled or declined before', () => {
    const a = invite('A');
    expect(kinds(decideNotices(round(), [{ before: a, after: null }]))).toEqual(['removed:A']);
    expect(decideNotices(round(), [{ before: { ...a, isCancelled: true }, after: null }])).toEqual([]);
    expect(decideNotices(round(), [{ before: { ...a, response: 'declined' }, after: null }])).toEqual([]);
  });

  it('an event whose id changed (moved folder: removed + created with one iCalUId) is an update, or nothing', () => {
    const a = invite('A');
    const moved = { ...a, id: 'A2' };
    expect(
      decideNotices(round(), [
        { before: a, after: null },
        { before: null, after: moved },
      ]),
    ).toEqual([]);
    const movedAndRenamed = { ...moved, subject: 'New name' };
    const out = decideNotices(round(), [
      { before: a, after: null },
      { before: null, after: movedAndRenamed },
    ]);
    expect(out.map((n) => [n.kind, n.event.id, n.changed])).toEqual([['updated', 'A2', ['subject']]]);
  });

  it('a recurring series is one DM, not one per occurrence: new, updated, cancelled, one occurrence removed', () => {
    const occ = [6, 7, 8, 9].map((d) => occurrence('S', d));
    const created = decideNotices(
      round(),
      occ.map((o) => ({ before: null, after: o })),
    );
    expect(created.map((n) => [n.kind, n.about, n.event.id, n.series])).toEqual([
      ['new', 'series:S', 'S-6', { masterId: 'S', instances: 4 }],
    ]);
    const renamed = decideNotices(
      round(),
      occ.map((o) => ({ before: o, after: { ...o, subject: 'Series renamed' } })),
    );
    expect(renamed.map((n) => [n.kind, n.about, n.changed])).toEqual([['updated', 'series:S', ['subject']]]);
    const cancelled = decideNotices(
      round(),
      occ.map((o) => ({ before: o, after: { ...o, isCancelled: true } })),
    );
    expect(cancelled.map((n) => n.kind)).toEqual(['cancelled']);
    const oneGone = decideNotices(round(), [{ before: occ[2] ?? null, after: null }]);
    expect(oneGone.map((n) => [n.kind, n.event.id, n.series?.instances])).toEqual([['removed', 'S-8', 1]]);
  });

  it('a series moved to other days (old occurrence ids removed, new ones added) is one "updated"', () => {
    const old = [6, 7].map((d) => occurrence('S', d));
    const next = [6, 7].map((d) =>
      occurrence('S', d, {
        id: `S-${d}b`,
        start: new Date(Date.UTC(2026, 0, d, 9)),
        end: new Date(Date.UTC(2026, 0, d, 10)),
      }),
    );
    const out = decideNotices(round(), [
      ...old.map((o) => ({ before: o, after: null })),
      ...next.map((o) => ({ before: null, after: o })),
    ]);
    expect(out.map((n) => [n.kind, n.about, n.changed, n.before?.id, n.event.id])).toEqual([
      ['updated', 'series:S', ['when'], 'S-6', 'S-6b'],
    ]);
  });

  it('an exception (one occurrence changed on its own) is a DM about that occurrence', () => {
    const o = occurrence('S', 7);
    const ex = { ...o, type: 'exception' as const, location: 'Room 9' };
    const out = decideNotices(round(), [{ before: o, after: ex }]);
    expect(out.map((n) => [n.kind, n.about, n.series, n.changed])).toEqual([
      ['updated', 'S-7', null, ['where']],
    ]);
  });

  it('a series master in the round speaks for the series', () => {
    const master = invite('M', { type: 'seriesMaster' });
    const occ = [6, 7].map((d) => occurrence('M', d));
    const out = decideNotices(round(), [
      { before: null, after: master },
      ...occ.map((o) => ({ before: null, after: o })),
    ]);
    expect(out.map((n) => [n.kind, n.event.id, n.series])).toEqual([
      ['new', 'M', { masterId: 'M', instances: 2 }],
    ]);
  });
});

describe('decideNotices, partial and odd copies', () => {
  it('a trimmed occurrence (no master to fill it) is compared on its time only', () => {
    const o = occurrence('S', 7, { partial: true, subject: '', location: '', attendees: [] });
    const filled = { ...o, partial: false, subject: 'Series S', location: 'Room 1' };
    expect(decideNotices(round(), [{ before: o, after: filled }])).toEqual([]);
    const later = { ...o, start: new Date(o.start.getTime() + 1_800_000) };
    expect(decideNotices(round(), [{ before: o, after: later }]).map((n) => n.changed)).toEqual([['when']]);
  });
});

describe('renderNotice', () => {
  const paris = resolveZone('Romance Standard Time');

  it('a new invitation: who, what, when in the mailbox zone, where, attendees, join link', () => {
    const e = invite('A', {
      joinUrl: 'https://teams.microsoft.com/l/meetup-join/1',
      bodyPreview: 'Agenda: *all*',
    });
    const [n] = decideNotices(round(), [{ before: null, after: e }]);
    if (!n) throw new Error('no notice');
    expect(renderNotice(n, paris)).toBe(
      [
        '📅 **Bob Organizer invited you to [Meeting A](https://outlook.example/A)**',
        '**When:** Tuesday 6 January 2026, 6:00 PM – 7:00 PM (Europe/Paris)',
        '**Where:** Room 1',
        '**Organizer:** Bob Organizer',
        '**Attendees:** Alice, Carol',
        '**Join:** [Join the meeting](https://teams.microsoft.com/l/meetup-join/1)',
        '> Agenda: \\*all\\*',
      ].join('\n'),
    );
  });

  it('all-day and multi-day times, UTC when the mailbox zone is unknown, and long attendee lists', () => {
    const allDay = invite('D', {
      isAllDay: true,
      startDate: '2026-01-06',
      endDate: '2026-01-07',
      start: new Date(Date.UTC(2026, 0, 6)),
      end: new Date(Date.UTC(2026, 0, 7)),
    });
    const span = { ...allDay, endDate: '2026-01-09', end: new Date(Date.UTC(2026, 0, 9)) };
    const many = invite('M', {
      attendees: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => ({
        name: n.toUpperCase(),
        email: `${n}@x.example`,
        type: 'required' as const,
        response: 'none' as const,
      })),
      end: new Date(Date.UTC(2026, 0, 7, 9)),
    });
    const text = (e: typeof allDay, zone = paris) => {
      const [n] = decideNotices(round(), [{ before: null, after: e }]);
      if (!n) throw new Error('no notice');
      return renderNotice(n, zone);
    };
    expect(text(allDay)).toContain('**When:** Tuesday 6 January 2026 (all day)');
    expect(text(span)).toContain('**When:** Tue 6 Jan – Thu 8 Jan 2026 (all day)');
    const unknown = resolveZone('Customized Time Zone');
    expect(text(many, unknown)).toContain(
      '**When:** Tue 6 Jan 2026, 5:00 PM – Wed 7 Jan 2026, 9:00 AM (UTC)',
    );
    expect(text(many)).toContain('**Attendees:** A, B, C, D, E and 2 more');
  });

  it('an update shows old → new for each changed field', () => {
    const a = invite('A');
    const b = {
      ...a,
      start: new Date(a.start.getTime() + 3_600_000),
      end: new Date(a.end.getTime() + 3_600_000),
      location: '',
    };
    const [n] = decideNotices(round(), [{ before: a, after: b }]);
    if (!n) throw new Error('no notice');
    const text = renderNotice(n, paris);
    expect(text).toContain(
      '✏️ **Updated: [Meeting A](https://outlook.example/A)** (organizer: Bob Organizer)',
    );
    expect(text).toContain(
      '- **When:** ~~Tuesday 6 January 2026, 6:00 PM – 7:00 PM (Europe/Paris)~~ → Tuesday 6 January 2026, 7:00 PM – 8:00 PM (Europe/Paris)',
    );
    expect(text).toContain('- **Where:** ~~Room 1~~ → _none_');
  });

  it('cancelled drops Exchange’s "Canceled:" prefix and says there is nothing to answer; removed says why it may be gone', () => {
    const a = invite('A');
    const [c] = decideNotices(round(), [
      { before: a, after: { ...a, isCancelled: true, subject: 'Canceled: Meeting A' } },
    ]);
    if (!c) throw new Error('no notice');
    expect(renderNotice(c, paris)).toMatch(/^🚫 \*\*Bob Organizer cancelled the meeting \[~~Meeting A~~\]/);
    const [r] = decideNotices(round(), [{ before: a, after: null }]);
    if (!r) throw new Error('no notice');
    expect(renderNotice(r, paris)).toContain('🗑️ **Meeting A is no longer on your calendar**');
  });
});
