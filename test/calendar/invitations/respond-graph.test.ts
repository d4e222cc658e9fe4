/**
 * The Graph side of RSVP (src/microsoft/calendar/respond.ts) against the Microsoft simulator: Bob invites
 * Alice through Graph, Alice answers through the adapter, and Bob's own event shows her answer; Graph's
 * refusals arrive as the calendar's codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../src/calendar/index.ts'; // registers the calendar's MM365_* codes
import type { CalendarResponder } from '../../../src/calendar/invitations/ports.ts';
import { createCalendarResponder } from '../../../src/microsoft/calendar/index.ts';
import { type MsHarness, signInForCalendar, startMsHarness } from '../../microsoft/harness.ts';
import { type WiredEdge, wireEdge } from '../../microsoft/wiring.ts';

let h: MsHarness;
let w: WiredEdge;
let responder: CalendarResponder;

const signIn = (user: string, mail: string) => signInForCalendar(w.edge, user, mail);

const graph = (user: string) => w.edge.asUser(user, 'calendar');

interface GraphEvent {
  id: string;
  iCalUId: string;
  isCancelled?: boolean;
  responseStatus?: { response: string };
  attendees?: { emailAddress: { address: string }; status: { response: string } }[];
}

/** Bob invites Alice to a meeting tomorrow; returns Bob's event and Alice's copy. */
async function invitation(subject: string): Promise<{ bobs: GraphEvent; alices: GraphEvent }> {
  const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
  const end = new Date(Date.now() + 86_400_000 + 3_600_000).toISOString().slice(0, 19);
  const bobs = await graph('mm-bob').json<GraphEvent>({
    method: 'POST',
    path: '/me/events',
    body: {
      subject,
      start: { dateTime: start, timeZone: 'UTC' },
      end: { dateTime: end, timeZone: 'UTC' },
      attendees: [{ type: 'required', emailAddress: { address: 'alice@contoso.example', name: 'Alice' } }],
    },
  });
  const found = await graph('mm-alice').json<{ value: GraphEvent[] }>({
    path: '/me/events',
    query: { $filter: `iCalUId eq '${bobs.iCalUId}'` },
  });
  const alices = found.value[0];
  if (!alices) throw new Error('no invitation copy in Alice’s calendar');
  return { bobs, alices };
}

async function aliceOnBobs(eventId: string): Promise<string | undefined> {
  const e = await graph('mm-bob').json<GraphEvent>({ path: `/me/events/${eventId}` });
  return e.attendees?.find((a) => a.emailAddress.address.toLowerCase() === 'alice@contoso.example')?.status
    .response;
}

beforeAll(async () => {
  h = await startMsHarness('pglite');
  w = wireEdge({ store: h.t.store, vault: h.vault, microsoft: h.microsoft, work: false });
  responder = createCalendarResponder({ asUser: (p, f) => w.edge.asUser(p, f) });
  await signIn('mm-alice', 'alice@contoso.example');
  await signIn('mm-bob', 'bob@contoso.example');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('CalendarResponder against the Microsoft simulator', () => {
  it('accept, tentative and decline reach the organizer’s event; sendResponse false leaves it untouched', async () => {
    const { bobs, alices } = await invitation('Planning');
    await responder.respond('mm-alice', alices.id, 'accept', { comment: 'See you', sendResponse: true });
    expect(await aliceOnBobs(bobs.id)).toBe('accepted');
    const mine = await graph('mm-alice').json<GraphEvent>({ path: `/me/events/${alices.id}` });
    expect(mine.responseStatus?.response).toBe('accepted');
    await responder.respond('mm-alice', alices.id, 'tentativelyAccept', { comment: '', sendResponse: true });
    expect(await aliceOnBobs(bobs.id)).toBe('tentativelyAccepted');
    await responder.respond('mm-alice', alices.id, 'decline', { comment: '', sendResponse: false });
    expect(await aliceOnBobs(bobs.id)).toBe('tentativelyAccepted');
    const after = await graph('mm-alice').json<GraphEvent>({ path: `/me/events/${alices.id}` });
    expect(after.responseStatus?.response).toBe('declined');
  });

  it('a cancelled meeting, a deleted one, the organizer’s own and a user never connected get their codes', async () => {
    const { bobs, alices } = await invitation('Cancelled soon');
    await graph('mm-bob').request({ method: 'DELETE', path: `/me/events/${bobs.id}` });
    await expect(
      responder.respond('mm-alice', alices.id, 'accept', { comment: '', sendResponse: true }),
    ).rejects.toMatchObject({ code: 'MM365_CALENDAR_EVENT_CANCELLED', status: 409 });

    const other = await invitation('Deleted by Alice');
    await graph('mm-alice').request({ method: 'DELETE', path: `/me/events/${other.alices.id}` });
    await expect(
      responder.respond('mm-alice', other.alices.id, 'accept', { comment: '', sendResponse: true }),
    ).rejects.toMatchObject({ code: 'MM365_CALENDAR_EVENT_GONE', status: 404 });

    await expect(
      responder.respond('mm-bob', other.bobs.id, 'accept', { comment: '', sendResponse: true }),
    ).rejects.toMatchObject({
      code: 'MM365_CALENDAR_RSVP_REFUSED',
      message: expect.stringContaining("You can't respond to a meeting you organized."),
    });

    await expect(
      responder.respond('mm-nobody', other.bobs.id, 'accept', { comment: '', sendResponse: true }),
    ).rejects.toMatchObject({ code: 'MM365_CALENDAR_SESSION_LOST' });
  });
});
