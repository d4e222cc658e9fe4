/**
 * EventCreation (the create-event dialog's domain) against a real store and fake ports: guests mapped to
 * connected Microsoft addresses, field errors for unknown users and channels, Graph refusals shown in the
 * form, one confirmation per form however often it is submitted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalendarCache } from '../../../src/calendar/cache.ts';
import { EventCreation } from '../../../src/calendar/events/create-event.ts';
import type {
  ChannelAccess,
  EventCreator,
  EventDraft,
  FormSpec,
  People,
} from '../../../src/calendar/events/ports.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { AppError } from '../../../src/core/errors.ts';
import type { MmChannelId, MmTeamId, MmUserId } from '../../../src/core/ids.ts';
import { createLogger } from '../../../src/core/log.ts';
import { CalendarChannelLinks } from '../../../src/store/calendar-channel-link.ts';
import { CalendarSyncs } from '../../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { openTestStore, type TestStore } from '../../helpers/database.ts';
import { calendarEvent } from '../channels/fixtures.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
// Mon 2026-01-05 09:10 in Los Angeles.
const clock = new ManualClock(Date.parse('2026-01-05T17:10:00Z'));

let t: TestStore;
const drafts: EventDraft[] = [];
const posts = new Map<string, { to: string; text: string }>();
const opened: { triggerId: string; user: string; form: FormSpec; data: unknown }[] = [];
let refuse: AppError | null = null;

const creator: EventCreator = {
  async create(_user, draft) {
    if (refuse) throw refuse;
    drafts.push(draft);
    return calendarEvent(`ev-${draft.transactionId}`, {
      iCalUId: `uid-${draft.transactionId}`,
      subject: draft.subject,
      start: new Date('2026-01-05T17:30:00Z'),
      end: new Date('2026-01-05T18:00:00Z'),
      joinUrl: draft.online ? 'https://teams.microsoft.com/l/meetup-join/abc' : null,
      isOrganizer: true,
    });
  },
};
const people: People = {
  async byUsernames(names) {
    const known: Record<string, string> = { bob: 'u-bob', carol: 'u-carol', ghost: 'u-ghost' };
    return names
      .filter((n) => known[n])
      .map((n) => ({
        userId: known[n] as string,
        username: n,
        email: n === 'ghost' ? '' : `${n}@mattermost.example`,
      }));
  },
  async username(id) {
    return id === 'u-alice' ? 'alice' : id;
  },
  async connectedMail(id) {
    return id === 'u-bob' ? 'Bob@Contoso.example' : null;
  },
};
const channels: ChannelAccess = {
  async postable(_user, channelId) {
    return channelId === 'ch-town'
      ? { ok: true, channel: { id: channelId, displayName: 'Town Square' } }
      : { ok: false, reason: 'You can only link events to channels you are a member of.' };
  },
};

function service(): EventCreation {
  return new EventCreation({
    db: t.store.db,
    cache: new CalendarCache(t.store.db, clock),
    creator,
    people,
    channels,
    poster: {
      async post(channelId, text, key) {
        if (!posts.has(key)) posts.set(key, { to: channelId, text });
      },
      async dm(user, text, key) {
        if (!posts.has(key)) posts.set(key, { to: user, text });
      },
    },
    forms: {
      async open(triggerId, user, form, data) {
        opened.push({ triggerId, user, form, data });
      },
    },
    clock,
    log: silent,
  });
}

const good = {
  subject: 'Planning',
  date: '2026-01-05',
  start: '09:30',
  end: '10:00',
  online: true,
  attendees: '@bob @carol dana@fabrikam.example',
  channel: 'ch-town',
};

beforeAll(async () => {
  t = await openTestStore('pglite');
  await migrateToLatest(t.store);
  const syncs = new CalendarSyncs(t.store.db);
  await syncs.begin('u-alice', new Date(clock.now()));
  await syncs.update(
    'u-alice',
    { status: 'active', timeZone: 'Pacific Standard Time' },
    new Date(clock.now()),
  );
});
afterAll(() => t.close());

describe('EventCreation', () => {
  it('`event` alone shows its own help; `event create` opens the prefilled form linked to this channel', async () => {
    const sub = service().subcommand();
    const ctx = {
      userId: 'u-alice' as MmUserId,
      channelId: 'ch-town' as MmChannelId,
      teamId: 't' as MmTeamId,
      isAdmin: false,
      isConnected: true,
      rest: '',
      requestId: 'r',
      triggerId: 'trig',
    };
    expect((await sub.run({ ...ctx, args: [] })).text).toContain('`/mscalendar event create`');
    expect((await sub.run({ ...ctx, args: ['nope'] })).text).toContain('Unknown option `nope`');
    expect((await sub.run({ ...ctx, args: ['create'], triggerId: '' })).text).toContain('only works');
    expect(await sub.run({ ...ctx, args: ['create'] })).toEqual({ text: '' });
    const form = opened.at(-1);
    expect(form?.triggerId).toBe('trig');
    expect(form?.form.introductionText).toContain('America/Los_Angeles');
    const values = Object.fromEntries(form?.form.elements.map((e) => [e.name, e.default]) ?? []);
    expect(values).toMatchObject({ date: '2026-01-05', start: '09:30', end: '10:00', channel: 'ch-town' });
  });

  it('maps guests to their connected Microsoft address, else their Mattermost address; typed e-mails as is', async () => {
    const s = service();
    const data = { txn: 'txn-1', channelId: 'ch-town' };
    const submit = () =>
      s.submit({ user: 'u-alice', channelId: 'ch-town', submission: good, cancelled: false, data });
    expect(await submit()).toEqual({});
    expect(await submit()).toEqual({});
    expect(drafts.at(-1)).toMatchObject({
      subject: 'Planning',
      start: '2026-01-05T09:30:00',
      end: '2026-01-05T10:00:00',
      timeZone: 'America/Los_Angeles',
      online: true,
      transactionId: 'txn-1',
      attendees: [
        { email: 'bob@contoso.example', name: 'bob' },
        { email: 'carol@mattermost.example', name: 'carol' },
        { email: 'dana@fabrikam.example', name: 'dana@fabrikam.example' },
      ],
    });
    // Both submissions carry the same transactionId (Graph returns the first event); one post each.
    expect(drafts.filter((d) => d.transactionId === 'txn-1')).toHaveLength(2);
    expect(posts.get('calendar-event-created:txn-1:channel')?.text).toMatch(
      /^📅 The event \*\*Planning\*\* was linked to this channel by @alice\.\nWhen: Mon, Jan 5, 9:30 AM – 10:00 AM \(America\/Los_Angeles\)\n\[Join the meeting\]/,
    );
    expect(posts.get('calendar-event-created:txn-1:dm')?.text).toContain('linked to ~Town Square');
    expect(await new CalendarChannelLinks(t.store.db).get('ch-town', 'uid-txn-1')).toMatchObject({
      scope: 'single',
      linkedBy: 'u-alice',
    });
  });

  it('answers field errors for unknown users, users without an address and channels the user cannot post in', async () => {
    const r = await service().submit({
      user: 'u-alice',
      channelId: 'ch-town',
      submission: { ...good, attendees: '@nobody @ghost', channel: 'ch-other' },
      cancelled: false,
      data: { txn: 'txn-2', channelId: 'ch-town' },
    });
    expect(r).toEqual({
      errors: {
        attendees: 'No Mattermost user with an e-mail address: @nobody, @ghost.',
        channel: 'You can only link events to channels you are a member of.',
      },
    });
    expect(drafts.some((d) => d.transactionId === 'txn-2')).toBe(false);
  });

  it('shows Graph’s refusal and a lost session in the form; a cancelled form does nothing', async () => {
    const s = service();
    const base = {
      user: 'u-alice',
      channelId: 'ch-town',
      submission: { ...good, channel: '' },
      cancelled: false,
    };
    refuse = new AppError('MM365_CALENDAR_EVENT_REJECTED', 'Microsoft 365 refused the event: bad address');
    expect(await s.submit({ ...base, data: { txn: 'txn-3', channelId: 'ch-town' } })).toEqual({
      error: 'Microsoft 365 refused the event: bad address',
    });
    refuse = new AppError('MM365_CALENDAR_SESSION_LOST', 'dead');
    expect((await s.submit({ ...base, data: { txn: 'txn-3', channelId: 'ch-town' } })).error).toContain(
      '/mscalendar connect',
    );
    refuse = null;
    expect(
      await s.submit({ ...base, cancelled: true, data: { txn: 'txn-4', channelId: 'ch-town' } }),
    ).toEqual({});
    expect(drafts.some((d) => d.transactionId === 'txn-4')).toBe(false);
    // Without a channel: a DM only, no link.
    expect(await s.submit({ ...base, data: { txn: 'txn-5', channelId: 'ch-town' } })).toEqual({});
    expect(posts.has('calendar-event-created:txn-5:channel')).toBe(false);
    expect(posts.get('calendar-event-created:txn-5:dm')?.text).toMatch(
      /^✅ Your event \*\*Planning\*\* was created\./,
    );
  });
});
