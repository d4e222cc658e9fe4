/**
 * The EventCreator's Graph side (src/microsoft/calendar/create-event.ts) against the Microsoft simulator:
 * real sign-in, real Graph client, POST /me/events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../src/calendar/events/ports.ts';
import { isAppError } from '../../../src/core/errors.ts';
import { createEventCreator } from '../../../src/microsoft/calendar/index.ts';
import { type MsHarness, signInForCalendar, startMsHarness } from '../../microsoft/harness.ts';
import { type WiredEdge, wireEdge } from '../../microsoft/wiring.ts';

let h: MsHarness;
let w: WiredEdge;

function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

function draft(over: Partial<EventDraft> = {}): EventDraft {
  return {
    subject: 'Design review',
    body: 'Bring the mock-ups',
    location: 'Room 2',
    isAllDay: false,
    start: `${tomorrow()}T09:30:00`,
    end: `${tomorrow()}T10:00:00`,
    timeZone: 'America/Los_Angeles',
    attendees: [{ email: 'bob@contoso.example', name: 'bob' }],
    online: true,
    transactionId: crypto.randomUUID(),
    ...over,
  };
}

beforeAll(async () => {
  h = await startMsHarness('pglite');
  w = wireEdge({ store: h.t.store, vault: h.vault, microsoft: h.microsoft, work: false });
  await w.start();
  await signInForCalendar(w.edge, 'mm-alice', 'alice@contoso.example');
}, 60_000);

afterAll(async () => {
  await w?.stop();
  await h?.close();
});

describe('createEventCreator against the Microsoft simulator', () => {
  it('creates a Teams meeting with guests, in the given zone; the same transactionId returns the same event', async () => {
    const creator = createEventCreator({ asUser: (p, f) => w.edge.asUser(p, f) });
    const d = draft();
    const first = await creator.create('mm-alice', d);
    const again = await creator.create('mm-alice', d);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({
      subject: 'Design review',
      location: 'Room 2',
      isOrganizer: true,
      isAllDay: false,
      attendees: [expect.objectContaining({ email: 'bob@contoso.example', type: 'required' })],
    });
    expect(first.iCalUId).toBeTruthy();
    expect(first.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    // 09:30 in Los Angeles (PST or PDT, whichever tomorrow is in).
    const hour = Number(
      new Intl.DateTimeFormat('en-US', {
        timeZone: 'America/Los_Angeles',
        hour: 'numeric',
        hourCycle: 'h23',
      }).format(first.start),
    );
    expect(hour).toBe(9);
    expect(first.end.getTime() - first.start.getTime()).toBe(30 * 60_000);
    const other = await creator.create('mm-alice', draft({ transactionId: crypto.randomUUID() }));
    expect(other.id).not.toBe(first.id);
  });

  it('creates an all-day event (midnight to midnight) and one without a Teams link', async () => {
    const creator = createEventCreator({ asUser: (p, f) => w.edge.asUser(p, f) });
    const day = tomorrow();
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const allDay = await creator.create(
      'mm-alice',
      draft({
        isAllDay: true,
        start: `${day}T00:00:00`,
        end: `${next}T00:00:00`,
        online: false,
        attendees: [],
      }),
    );
    expect(allDay).toMatchObject({ isAllDay: true, startDate: day, endDate: next, joinUrl: null });
  });

  it('maps a refusal of the content to MM365_CALENDAR_EVENT_REJECTED with Graph’s words', async () => {
    const creator = createEventCreator({ asUser: (p, f) => w.edge.asUser(p, f) });
    const err = await creator
      .create('mm-alice', draft({ attendees: [{ email: 'not an address', name: 'x' }] }))
      .catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('MM365_CALENDAR_EVENT_REJECTED');
    expect(String((err as Error).message)).toContain("The attendee address 'not an address' isn't valid.");
  });
});
