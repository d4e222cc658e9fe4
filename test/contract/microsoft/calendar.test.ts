/**
 * Calendar through the untouched Graph client: calendarView expansion with Prefer time zone and PageIterator
 * paging, invitations with attendee copies and RSVP, cancel, getSchedule, calendarView/delta tombstones.
 */
import { PageIterator } from '@microsoft/microsoft-graph-client';
import type { Event } from '@microsoft/microsoft-graph-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphClient } from './graph-client.ts';
import { type AnyJson, type Harness, json, startHarness } from './sim-harness.ts';

let h: Harness;
let alice: string;
let bob: string;
beforeAll(async () => {
  h = await startHarness();
  alice = await h.tokenFor('alice');
  bob = await h.tokenFor('bob');
});
afterAll(async () => {
  await h.close();
});

const DAY = 86_400_000;
const windowOf = (days: number) => {
  const from = new Date(Date.now() - DAY).toISOString();
  const to = new Date(Date.now() + days * DAY).toISOString();
  return `startDateTime=${from}&endDateTime=${to}`;
};

describe('calendarView', () => {
  it('expands the recurring standup, pages with PageIterator and renders in the preferred zone', async () => {
    const client = graphClient(h, () => alice);
    const first = await client
      .api(`/me/calendarView?${windowOf(14)}`)
      .header('Prefer', 'outlook.timezone="Pacific Standard Time"')
      .top(4)
      .get();
    const items: Event[] = [];
    const it = new PageIterator(
      client,
      first,
      (e: Event) => {
        items.push(e);
        return true;
      },
      { headers: { Prefer: 'outlook.timezone="Pacific Standard Time"' } },
    );
    await it.iterate();
    const standups = items.filter((e) => e.subject === 'Daily standup');
    expect(standups.length).toBeGreaterThanOrEqual(9);
    for (const s of standups) {
      expect(s.type).toBe('occurrence');
      expect(s.seriesMasterId).toBeTruthy();
      expect(s.start).toEqual({
        dateTime: expect.stringMatching(/T09:00:00\.0000000$/),
        timeZone: 'Pacific Standard Time',
      });
    }
    const offsite = items.find((e) => e.subject === 'Company offsite');
    expect(offsite?.isAllDay).toBe(true);
    expect(offsite?.start?.dateTime).toMatch(/T00:00:00\.0000000$/);
    const review = items.find((e) => e.subject === 'Design review');
    expect(review?.isOrganizer).toBe(false);
    expect(review?.responseStatus?.response).toBe('notResponded');
    // Sorted by start, across pages.
    const starts = items.map((e) => e.start?.dateTime ?? '');
    expect([...starts].sort()).toEqual(starts);
  });

  it('requires the time window', async () => {
    const res = await h.graph(alice, 'GET', '/me/calendarView');
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('ErrorInvalidParameter');
  });
});

describe('invitations', () => {
  it('fans out to attendee copies, carries RSVP back to the organizer, and cancels', async () => {
    const ac = graphClient(h, () => alice);
    const bc = graphClient(h, () => bob);
    const start = new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10);
    const created: Event = await ac.api('/me/events').post({
      subject: 'Contract review',
      start: { dateTime: `${start}T10:00:00`, timeZone: 'W. Europe Standard Time' },
      end: { dateTime: `${start}T11:00:00`, timeZone: 'W. Europe Standard Time' },
      attendees: [{ type: 'required', emailAddress: { address: 'bob@contoso.example', name: 'Bob' } }],
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
    });
    expect(created.start).toEqual({
      dateTime: `${start}T10:00:00.0000000`,
      timeZone: 'W. Europe Standard Time',
    });
    expect(created.onlineMeeting?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);

    const bobView = await bc.api(`/me/calendarView?${windowOf(5)}`).get();
    const copy = (bobView.value as Event[]).find((e) => e.iCalUId === created.iCalUId);
    expect(copy).toBeDefined();
    expect(copy?.id).not.toBe(created.id);
    expect(copy?.start?.dateTime).toBe(`${start}T09:00:00.0000000`); // UTC by default; Berlin is UTC+1 in winter

    const later = { dateTime: `${start}T15:00:00`, timeZone: 'UTC' };
    const laterEnd = { dateTime: `${start}T16:00:00`, timeZone: 'UTC' };
    const proposal = await h.graph(bob, 'POST', `/me/events/${copy?.id}/tentativelyAccept`, {
      proposedNewTime: { start: later, end: laterEnd },
    });
    expect(proposal.status).toBe(202);
    const proposed: Event = await ac.api(`/me/events/${created.id}`).get();
    expect(proposed.attendees?.[0]).toMatchObject({
      status: { response: 'tentativelyAccepted' },
      proposedNewTime: { start: later, end: laterEnd },
    });
    const acceptWithProposal = await h.graph(bob, 'POST', `/me/events/${copy?.id}/accept`, {
      proposedNewTime: { start: later, end: laterEnd },
    });
    expect(acceptWithProposal.status).toBe(400);

    const acceptRes = await h.graph(bob, 'POST', `/me/events/${copy?.id}/accept`, {
      comment: 'see you',
      sendResponse: true,
    });
    expect(acceptRes.status).toBe(202);
    const org: Event = await ac.api(`/me/events/${created.id}`).get();
    expect(org.attendees?.[0]?.status?.response).toBe('accepted');

    const byUid: AnyJson = await json(
      await h.graph(bob, 'GET', `/me/events?$filter=iCalUId eq '${created.iCalUId}'&$select=id,subject`),
    );
    expect(byUid.value.map((e: AnyJson) => e.id)).toEqual([copy?.id]);
    expect((await h.graph(bob, 'GET', "/me/events?$filter=contains(subject,'x')")).status).toBe(400);

    const orgCancel = await h.graph(bob, 'POST', `/me/events/${copy?.id}/cancel`, {});
    expect(orgCancel.status).toBe(400);
    expect(
      (await h.graph(alice, 'POST', `/me/events/${created.id}/cancel`, { comment: 'moved' })).status,
    ).toBe(202);
    const cancelled: Event = await bc.api(`/me/events/${copy?.id}`).get();
    expect(cancelled.isCancelled).toBe(true);
    expect(cancelled.subject).toBe('Canceled: Contract review');
    const late = await h.graph(bob, 'POST', `/me/events/${copy?.id}/decline`, {});
    expect(late.status).toBe(400);
    expect((await json(late)).error.message).toBe("You can't respond to a meeting that's been canceled.");
    expect((await h.graph(alice, 'GET', `/me/events/${created.id}`)).status).toBe(404);
  });

  it('edits one occurrence of a series and deletes another', async () => {
    const ac = graphClient(h, () => alice);
    const day = new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10);
    const series: Event = await ac.api('/me/events').post({
      subject: 'Weekly sync',
      start: { dateTime: `${day}T16:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T16:30:00`, timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'numbered', startDate: day, numberOfOccurrences: 3 },
      },
    });
    expect(series.type).toBe('seriesMaster');
    const from = `${day}T00:00:00Z`;
    const to = new Date(Date.parse(from) + 5 * DAY).toISOString();
    const occ = (
      await ac.api(`/me/events/${series.id}/instances?startDateTime=${from}&endDateTime=${to}`).get()
    ).value as Event[];
    expect(occ).toHaveLength(3);
    await ac.api(`/me/events/${occ[1]?.id}`).patch({ subject: 'Weekly sync (moved)' });
    await ac.api(`/me/events/${occ[2]?.id}`).delete();
    const view = (await ac.api(`/me/calendarView?startDateTime=${from}&endDateTime=${to}`).get())
      .value as Event[];
    const mine = view.filter((e) => e.seriesMasterId === series.id);
    expect(mine.map((e) => [e.type, e.subject])).toEqual([
      ['occurrence', 'Weekly sync'],
      ['exception', 'Weekly sync (moved)'],
    ]);
  });

  it('rejects an invalid recurrence and an end before start', async () => {
    const bad = await h.graph(alice, 'POST', '/me/events', {
      subject: 'x',
      start: { dateTime: '2026-12-01T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-12-01T09:00:00', timeZone: 'UTC' },
    });
    expect(bad.status).toBe(400);
    const weekly = await h.graph(alice, 'POST', '/me/events', {
      subject: 'x',
      start: { dateTime: '2026-12-01T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-12-01T11:00:00', timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'weekly', interval: 1 },
        range: { type: 'noEnd', startDate: '2026-12-01' },
      },
    });
    expect(weekly.status).toBe(400);
  });
});

describe('Prefer headers', () => {
  it('converts bodies for outlook.body-content-type and reports both preferences applied', async () => {
    const res = await h.graph(bob, 'GET', '/me/events?$select=subject,body', undefined, {
      Prefer: 'outlook.timezone="Pacific Standard Time", outlook.body-content-type="text"',
    });
    expect(res.headers.get('preference-applied')).toBe(
      'outlook.timezone="Pacific Standard Time", outlook.body-content-type="text"',
    );
    const review = ((await json(res)) as AnyJson).value.find((e: AnyJson) => e.subject === 'Design review');
    expect(review.body).toEqual({ contentType: 'text', content: 'Let us review the calendar sync design.' });
  });
});

describe('getSchedule', () => {
  it('returns availabilityView per schedule and a per-item error for unknown addresses', async () => {
    const day = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    const res = await h.graph(bob, 'POST', '/me/calendar/getSchedule', {
      schedules: ['bob@contoso.example', 'nobody@contoso.example'],
      startTime: { dateTime: `${day}T14:00:00`, timeZone: 'UTC' },
      endTime: { dateTime: `${day}T17:00:00`, timeZone: 'UTC' },
      availabilityViewInterval: 30,
    });
    expect(res.status).toBe(200);
    const body: AnyJson = await json(res);
    const [b, nobody] = body.value;
    // Design review 15:00–16:00 UTC, bob is the organizer (busy).
    expect(b.availabilityView).toBe('002200');
    expect(b.scheduleItems[0]).toMatchObject({ status: 'busy', subject: 'Design review' });
    expect(nobody.error.responseCode).toBe('ErrorInvalidSmtpAddress');
    const tooMany = await h.graph(bob, 'POST', '/me/calendar/getSchedule', {
      schedules: Array.from({ length: 21 }, (_, i) => `u${i}@contoso.example`),
      startTime: { dateTime: `${day}T14:00:00`, timeZone: 'UTC' },
      endTime: { dateTime: `${day}T17:00:00`, timeZone: 'UTC' },
    });
    expect(tooMany.status).toBe(400);
  });
});

describe('calendarView/delta', () => {
  it('pages the first round, then returns changes and tombstones', async () => {
    const carol = await h.tokenFor('carol');
    const client = graphClient(h, () => carol);
    let page: AnyJson = await client
      .api(`/me/calendarView/delta?${windowOf(10)}`)
      .header('Prefer', 'odata.maxpagesize=2')
      .get();
    const seen: AnyJson[] = [...page.value];
    while (page['@odata.nextLink']) {
      page = await client.api(page['@odata.nextLink']).header('Prefer', 'odata.maxpagesize=2').get();
      seen.push(...page.value);
    }
    expect(seen.length).toBeGreaterThan(2);
    const deltaLink: string = page['@odata.deltaLink'];
    expect(deltaLink).toContain('$deltatoken=');

    const day = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
    const created: Event = await client.api('/me/events').post({
      subject: 'Focus time',
      start: { dateTime: `${day}T08:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T09:00:00`, timeZone: 'UTC' },
    });
    const gone: Event = await client.api('/me/events').post({
      subject: 'Short-lived',
      start: { dateTime: `${day}T10:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T11:00:00`, timeZone: 'UTC' },
    });
    await client.api(`/me/events/${gone.id}`).delete();
    const changes: AnyJson = await client.api(deltaLink).get();
    expect(changes.value.find((e: AnyJson) => e.id === created.id)?.subject).toBe('Focus time');
    expect(changes.value.find((e: AnyJson) => e.id === gone.id)).toEqual({
      '@odata.type': '#microsoft.graph.event',
      id: gone.id,
      '@removed': { reason: 'deleted' },
    });
    const again: AnyJson = await client.api(changes['@odata.deltaLink']).get();
    expect(again.value).toEqual([]);

    // Deleting a series tombstones the occurrences the client holds.
    const daily: Event = await client.api('/me/events').post({
      subject: 'Daily check',
      start: { dateTime: `${day}T07:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day}T07:15:00`, timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'numbered', startDate: day, numberOfOccurrences: 2 },
      },
    });
    const added: AnyJson = await client.api(again['@odata.deltaLink']).get();
    const occIds = added.value
      .filter((e: AnyJson) => e.seriesMasterId === daily.id)
      .map((e: AnyJson) => e.id);
    expect(occIds).toHaveLength(2);
    await client.api(`/me/events/${daily.id}`).delete();
    const removed: AnyJson = await client.api(added['@odata.deltaLink']).get();
    const tombstones = removed.value.filter((e: AnyJson) => e['@removed']).map((e: AnyJson) => e.id);
    expect(tombstones).toEqual(expect.arrayContaining([...occIds, daily.id]));
  });
});

describe('mailboxSettings', () => {
  it('reports Windows zone names and the custom working-hours zone', async () => {
    const carol = await h.tokenFor('carol');
    const res: AnyJson = await json(await h.graph(carol, 'GET', '/me/mailboxSettings'));
    expect(res.timeZone).toBe('W. Europe Standard Time');
    expect(res.workingHours.timeZone['@odata.type']).toBe('#microsoft.graph.customTimeZone');
    const a: AnyJson = await json(await h.graph(alice, 'GET', '/me/mailboxSettings/timeZone'));
    expect(a.value).toBe('Pacific Standard Time');
    const bad = await h.graph(alice, 'PATCH', '/me/mailboxSettings', { timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
  });
});
