import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { App } from '../../src/app.ts';
import { channelNoticeQueue } from '../../src/calendar/channels/change-notices.ts';
import type { CalendarEvent } from '../../src/calendar/ports.ts';
import { fromRow } from '../../src/calendar/sync/event-codec.ts';
import { runTry } from '../../src/cli/commands/try.ts';
import type { Sandbox } from '../../src/cli/sandbox.ts';
import { createLogger } from '../../src/core/log.ts';
import { CalendarEvents } from '../../src/store/calendar-event.ts';
import { waitFor } from '../helpers/wait.ts';
import { startProduct } from './product.ts';

/**
 * Creating an event through the dialog and linking events to channels, the whole product against both
 * simulators: slash commands typed as a user, the dialog opened over the user's WebSocket and submitted
 * through Mattermost, the event created in Graph, posts read back from the channels.
 */
const log = createLogger({ log: { level: (process.env.E2E_LOG as 'warn') ?? 'silent', format: 'json' } });

interface Opened {
  url: string;
  dialog: {
    callback_id: string;
    state: string;
    elements: { name: string; default?: string; options?: { text: string; value: string }[] }[];
  };
}

describe('calendar events and linked channels, end to end', () => {
  let sandbox: Sandbox;
  let app: App;
  const mm = () => sandbox.info.mattermost;
  const userOf = (name: string) => mm().users[name] as { id: string; token: string };
  const channelOf = (name: string) => mm().teams.acme?.channels[name] as string;

  beforeAll(async () => {
    ({ sandbox, app } = await startProduct(log));
    for (const who of ['alice', 'bob']) {
      const lines: string[] = [];
      await runTry(
        sandbox.info,
        '/mscalendar connect',
        { as: who, channel: 'town-square', wait: 0.7, follow: true },
        (l) => lines.push(l),
      );
      expect(lines.join('\n')).toContain('✅ Connected to Microsoft Calendar');
      await waitFor(
        `${who}'s calendar synced`,
        async () => {
          const row = await app.store.db
            .selectFrom('calendar_sync')
            .select('status')
            .where('mm_user_id', '=', userOf(who).id)
            .executeTakeFirst();
          return row?.status === 'active';
        },
        30_000,
      );
    }
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
  });

  async function api(who: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${mm().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${userOf(who).token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Types a command in a channel and returns the dialog Mattermost pushed to the user (or the reply). */
  async function command(
    who: string,
    channel: string,
    text: string,
  ): Promise<{ reply: string; dialog?: Opened }> {
    const socket = new WebSocket(`${mm().url.replace('http', 'ws')}/api/v4/websocket`, {
      headers: { Authorization: `Bearer ${userOf(who).token}` },
    });
    const dialogs: Opened[] = [];
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { event?: string; data?: { dialog?: string } };
      if (frame.event === 'open_dialog' && frame.data?.dialog)
        dialogs.push(JSON.parse(frame.data.dialog) as Opened);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    try {
      const res = await api(who, 'POST', '/api/v4/commands/execute', {
        channel_id: channelOf(channel),
        command: text,
      });
      expect(res.status).toBe(200);
      const reply = String(res.body.text ?? '');
      if (reply !== '') return { reply };
      return { reply, dialog: await waitFor('open_dialog', () => dialogs[0]) };
    } finally {
      socket.close();
    }
  }

  function submit(who: string, channel: string, opened: Opened, submission: Record<string, unknown>) {
    return api(who, 'POST', '/api/v4/actions/dialogs/submit', {
      url: opened.url,
      callback_id: opened.dialog.callback_id,
      state: opened.dialog.state,
      channel_id: channelOf(channel),
      team_id: mm().teams.acme?.id,
      submission,
    });
  }

  async function channelPosts(channel: string): Promise<string[]> {
    const res = await api('alice', 'GET', `/api/v4/channels/${channelOf(channel)}/posts`);
    const list = res.body as { order: string[]; posts: Record<string, { message: string }> };
    return list.order.map((id) => list.posts[id]?.message ?? '').reverse();
  }

  async function cached(who: string, subject: string): Promise<CalendarEvent[]> {
    const rows = await new CalendarEvents(app.store.db).all(userOf(who).id);
    return rows.map(fromRow).filter((e) => e.subject === subject);
  }

  it('/mscalendar event without an argument shows the event help, not the summary help', async () => {
    const { reply } = await command('alice', 'town-square', '/mscalendar event');
    expect(reply).toContain('/mscalendar event create');
    expect(reply).not.toContain('summary');
  });

  it('creates an event through the dialog: errors per field, then once in Graph with guests and a Teams link, announced in the channel', async () => {
    const { dialog } = await command('alice', 'town-square', '/mscalendar event create');
    if (!dialog) throw new Error('no dialog opened');
    expect(dialog.dialog.callback_id).toBe('calendar.event-create');
    const field = (name: string) => dialog.dialog.elements.find((e) => e.name === name);
    expect(field('channel')?.default).toBe(channelOf('town-square'));
    const good = {
      subject: 'Launch review',
      date: field('date')?.default,
      start: field('start')?.default,
      end: field('end')?.default,
      all_day: false,
      online: true,
      location: 'Room 4',
      attendees: '@bob, outside@example.org',
      description: 'Go / no-go',
      channel: channelOf('town-square'),
    };

    const bad = await submit('alice', 'town-square', dialog, {
      ...good,
      subject: ' ',
      date: '2020-01-01',
      attendees: '@nobody-here, bad@',
      location: 'x'.repeat(151),
    });
    expect(bad.status).toBe(200);
    expect(bad.body.errors).toEqual({
      subject: 'Give the event a subject.',
      date: expect.stringContaining('The date is in the past'),
      attendees: 'Not a @username or an e-mail address: bad@.',
      location: 'The location can be at most 150 characters.',
    });
    const unknown = await submit('alice', 'town-square', dialog, { ...good, attendees: '@nobody-here' });
    expect(unknown.body.errors).toEqual({
      attendees: 'No Mattermost user with an e-mail address: @nobody-here.',
    });

    // Submitted twice (a retry): the same transactionId, one event.
    expect((await submit('alice', 'town-square', dialog, good)).body).toEqual({});
    expect((await submit('alice', 'town-square', dialog, good)).body).toEqual({});

    const created = await waitFor(
      "the event in alice's synced calendar",
      async () => {
        const found = await cached('alice', 'Launch review');
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    expect(created).toHaveLength(1);
    expect(created[0]?.attendees.map((a) => a.email).sort()).toEqual([
      'bob@contoso.example',
      'outside@example.org',
    ]);
    expect(created[0]?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect(created[0]?.location).toBe('Room 4');
    await waitFor(
      "bob's invitation copy",
      async () => (await cached('bob', 'Launch review')).length === 1,
      30_000,
    );

    const announced = (await channelPosts('town-square')).filter((m) => m.includes('Launch review'));
    expect(announced).toHaveLength(1);
    expect(announced[0]).toContain('📅 The event **Launch review** was linked to this channel by @alice.');
    expect(announced[0]).toContain('[Join the meeting](https://teams.microsoft.com/');
  }, 60_000);

  it('links an existing event from the list; the channel is reminded once though two attendees are connected; a change is posted once', async () => {
    const { dialog } = await command('bob', 'off-topic', '/mscalendar link');
    if (!dialog) throw new Error('no dialog opened');
    const bobsCopy = (await cached('bob', 'Launch review'))[0] as CalendarEvent;
    const option = dialog.dialog.elements[0]?.options?.find((o) => o.value === bobsCopy.id);
    expect(option?.text).toContain('Launch review');
    expect((await submit('bob', 'off-topic', dialog, { event: 'not-an-event' })).body.errors).toEqual({
      event: 'Choose one of your events from the list.',
    });
    expect((await submit('bob', 'off-topic', dialog, { event: bobsCopy.id })).body).toEqual({});
    expect((await submit('bob', 'off-topic', dialog, { event: bobsCopy.id })).body).toEqual({});
    const linked = (await channelPosts('off-topic')).filter((m) => m.includes('Launch review'));
    expect(linked).toEqual([
      expect.stringContaining('📅 The event **Launch review** was linked to this channel by @bob.'),
    ]);
    expect((await command('bob', 'off-topic', '/mscalendar links')).reply).toMatch(
      /\*\*Launch review\*\*, linked by @bob: next \w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2} [AP]M \([\w/]+\)/,
    );

    // Reminders: alice's and bob's caches both hold the meeting; each linked channel is planned once.
    const channels = app.upstreams?.calendar?.channels;
    if (!channels) throw new Error('channels are not wired');
    const start = bobsCopy.start.getTime();
    const planned = (await channels.channelReminders.plan(start - 10 * 60_000 - 30_000)).filter(
      (o) => o.start.getTime() === start,
    );
    expect(planned.map((o) => o.channelId).sort()).toEqual(
      [channelOf('off-topic'), channelOf('town-square')].sort(),
    );
    const occurrence = {
      channelId: channelOf('off-topic'),
      icalUid: planned[0]?.icalUid as string,
      start: new Date(start),
    };
    expect(await channels.channelReminders.deliver(occurrence)).toBe('sent');
    expect(await channels.channelReminders.deliver(occurrence)).toBe('sent');
    const reminders = (await channelPosts('off-topic')).filter((m) =>
      m.startsWith('⏰ Upcoming event: **Launch review**'),
    );
    expect(reminders).toHaveLength(1);

    // The organizer moves the meeting to another room: both attendees' caches see it; one post per channel.
    const alicesCopy = (await cached('alice', 'Launch review'))[0] as CalendarEvent;
    await app.upstreams?.microsoft.edge.asUser(userOf('alice').id, 'calendar').json({
      method: 'PATCH',
      path: `/me/events/${alicesCopy.id}`,
      body: { location: { displayName: 'Room 9' } },
    });
    await waitFor(
      'both caches updated',
      async () =>
        (await cached('alice', 'Launch review'))[0]?.location === 'Room 9' &&
        (await cached('bob', 'Launch review'))[0]?.location === 'Room 9',
      30_000,
    );
    await waitFor(
      'the change posts',
      async () => {
        const counts = await app.jobs.countJobs(channelNoticeQueue);
        return (
          (counts.completed ?? 0) >= 2 &&
          (counts.created ?? 0) + (counts.active ?? 0) + (counts.retry ?? 0) === 0
        );
      },
      30_000,
    );
    for (const channel of ['off-topic', 'town-square']) {
      const changed = (await channelPosts(channel)).filter((m) =>
        m.startsWith('✏️ The event **Launch review** changed'),
      );
      expect(changed).toEqual([expect.stringContaining('Where: Room 9')]);
    }

    // Unlink: the channel is told, the link is gone.
    const un = await command('bob', 'off-topic', '/mscalendar unlink');
    if (!un.dialog) throw new Error('no unlink dialog');
    expect((await submit('bob', 'off-topic', un.dialog, { link: occurrence.icalUid })).body).toEqual({});
    expect((await channelPosts('off-topic')).at(-1)).toBe(
      'The event **Launch review** was unlinked from this channel by @bob.',
    );
    expect((await command('bob', 'off-topic', '/mscalendar links')).reply).toContain('No events are linked');

    // The organizer deletes the meeting: her copy goes, bob's turns cancelled; the channel still linked hears
    // it once, and the unlinked one not at all.
    await app.upstreams?.microsoft.edge
      .asUser(userOf('alice').id, 'calendar')
      .request({ method: 'DELETE', path: `/me/events/${alicesCopy.id}` });
    await waitFor(
      'both caches to see the deletion',
      async () =>
        (await cached('alice', 'Launch review')).length === 0 &&
        (await new CalendarEvents(app.store.db).get(userOf('bob').id, bobsCopy.id))?.isCancelled === true,
      30_000,
    );
    await waitFor(
      'the deletion posts',
      async () => {
        const counts = await app.jobs.countJobs(channelNoticeQueue);
        return (counts.created ?? 0) + (counts.active ?? 0) + (counts.retry ?? 0) === 0;
      },
      30_000,
    );
    const gone = (channel: string) =>
      channelPosts(channel).then((all) =>
        all.filter((m) => /^(❌|🗑️) The event \*\*Launch review\*\*/u.test(m)),
      );
    expect(await gone('town-square')).toHaveLength(1);
    expect(await gone('off-topic')).toHaveLength(0);
  }, 90_000);
});
