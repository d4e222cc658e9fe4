import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { Sandbox } from '../../src/cli/sandbox.ts';
import { createLogger } from '../../src/core/log.ts';
import { waitFor } from '../helpers/wait.ts';
import { firstCalendarSync, mattermostAs, startProduct, typeAs, userClient } from './product.ts';

/**
 * Invitation DMs and RSVP, end to end: Bob organises meetings through Graph (the Microsoft sim), Alice is
 * connected through the service and answers from her Mattermost DMs (the Mattermost sim), and Bob's own
 * event shows her answers.
 */
const log = createLogger({ log: { level: (process.env.E2E_LOG as 'warn') ?? 'silent', format: 'json' } });

interface MmPost {
  id: string;
  user_id: string;
  message: string;
  props: { attachments?: { text?: string; actions?: { id: string; name: string }[] }[] };
}
interface GraphEvent {
  id: string;
  iCalUId: string;
  attendees?: { emailAddress: { address: string }; status: { response: string } }[];
}

describe('invitation DMs and RSVP, end to end', () => {
  let sandbox: Sandbox;
  let app: App;
  let client: { close(): void } | undefined;
  const ephemerals: string[] = [];
  const dialogs: { url: string; dialog: { callback_id: string; state: string } }[] = [];
  let dmChannel = '';
  const bobToken: Record<string, string> = {};

  const mm = () => sandbox.info.mattermost;
  const alice = () => mm().users.alice as { id: string; token: string };

  const type = (as: string, command: string) => typeAs(sandbox.info, as, command);

  const mmCall = <T>(method: string, path: string, body?: unknown) =>
    mattermostAs<T>(mm().url, alice().token, method, path, body);

  /** The bot's posts in Alice's DM channel, oldest first. */
  async function botPosts(): Promise<MmPost[]> {
    const { body } = await mmCall<{ order: string[]; posts: Record<string, MmPost> }>(
      'GET',
      `/channels/${dmChannel}/posts`,
    );
    return body.order
      .map((id) => body.posts[id] as MmPost)
      .filter((p) => p.user_id === sandbox.info.bot.userId)
      .reverse();
  }
  const about = async (text: string) => (await botPosts()).filter((p) => p.message.includes(text));
  /**
   * The one DM about `text` once it is complete: an RSVP DM is posted, then patched with its buttons bound
   * to the new post's id, so a reader in between sees it without them.
   */
  const dmAbout = (text: string, buttons: boolean) =>
    waitFor(
      `the DM about ${text}`,
      async () => {
        const [post] = await about(text);
        const ready = post && (!buttons || (post.props.attachments?.[0]?.actions ?? []).length > 0);
        return ready ? post : undefined;
      },
      30_000,
    );

  /** Graph as a sim user (a delegated token minted by the sim's control API). */
  async function graph<T>(who: string, method: string, path: string, body?: unknown): Promise<T> {
    const ms = sandbox.info.microsoft;
    if (!bobToken[who]) {
      const res = await fetch(`${ms.control}/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ms.controlToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: ms.users[who]?.id }),
      });
      bobToken[who] = ((await res.json()) as { access_token: string }).access_token;
    }
    const res = await fetch(`${ms.graph}${path}`, {
      method,
      headers: { authorization: `Bearer ${bobToken[who]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`Graph ${method} ${path} answered ${res.status}: ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  const slot = (hoursFromNow: number) => ({
    dateTime: new Date(Date.now() + hoursFromNow * 3_600_000).toISOString().slice(0, 19),
    timeZone: 'UTC',
  });

  /** Bob invites Alice (and Carol) to a meeting `hours` from now; returns Bob's event. */
  function invite(subject: string, hours = 26): Promise<GraphEvent> {
    return graph<GraphEvent>('bob', 'POST', '/me/events', {
      subject,
      start: slot(hours),
      end: slot(hours + 1),
      location: { displayName: 'Room 7' },
      attendees: [
        { type: 'required', emailAddress: { address: 'alice@contoso.example', name: 'Alice' } },
        { type: 'optional', emailAddress: { address: 'carol@contoso.example', name: 'Carol' } },
      ],
    });
  }

  async function aliceOnBobs(eventId: string): Promise<string | undefined> {
    const e = await graph<GraphEvent>('bob', 'GET', `/me/events/${eventId}`);
    return e.attendees?.find((a) => a.emailAddress.address.toLowerCase() === 'alice@contoso.example')?.status
      .response;
  }

  /** Clicks a button as Alice sees it now (an answered post's buttons are signed again, with new ids). */
  async function click(shown: MmPost, name: string): Promise<number> {
    const post = (await mmCall<MmPost>('GET', `/posts/${shown.id}`)).body;
    const action = post.props.attachments?.[0]?.actions?.find((a) => a.name === name);
    if (!action) throw new Error(`no "${name}" button on ${post.message}`);
    return (await mmCall('POST', `/posts/${post.id}/actions/${action.id}`, {})).status;
  }

  const attachmentText = async (postId: string) =>
    (await mmCall<MmPost>('GET', `/posts/${postId}`)).body.props.attachments?.[0];

  beforeAll(async () => {
    ({ sandbox, app } = await startProduct(log));
    const channel = await mmCall<{ id: string }>('POST', '/channels/direct', [
      alice().id,
      sandbox.info.bot.userId,
    ]);
    dmChannel = channel.body.id;
    client = await userClient(mm().url, alice().token, { ephemerals, dialogs });
    expect(await type('alice', '/mscalendar connect')).toContain('✅ Connected to Microsoft Calendar');
    await firstCalendarSync(app, alice().id);
  }, 90_000);

  afterAll(async () => {
    client?.close();
    await app?.stop();
    await sandbox?.close();
  });

  it('connecting announces nothing; an invitation is one DM; Accept and a comment reach the organizer; update and cancel are told once', async () => {
    // Alice's existing meetings are the baseline: no invitation DM for them.
    expect((await botPosts()).filter((p) => p.message.includes('invited you to'))).toEqual([]);

    const bobs = await invite('Roadmap review');
    const dm = await dmAbout('invited you to [Roadmap review]', true);
    expect(dm.message).toContain('📅 **Bob');
    expect(dm.message).toContain('**Where:** Room 7');
    expect(dm.message).toMatch(
      /\*\*When:\*\* \w+day \d+ \w+ \d{4}, \d{1,2}:\d{2} [AP]M – \d{1,2}:\d{2} [AP]M \(America\/Los_Angeles\)/,
    );
    expect(dm.message).toContain('**Attendees:** Alice, Carol');
    expect(dm.props.attachments?.[0]?.text).toBe('Your response: not answered yet');
    expect(dm.props.attachments?.[0]?.actions?.map((a) => a.name)).toEqual([
      'Accept',
      'Tentative',
      'Decline',
      'Reply with comment…',
    ]);

    // Accept: the post says so and keeps the buttons; Bob's event shows Alice accepted.
    expect(await click(dm, 'Accept')).toBe(200);
    const accepted = await attachmentText(dm.id);
    expect(accepted?.text).toContain('✅ You accepted (the organizer was told)');
    expect(accepted?.actions).toHaveLength(4);
    expect(await aliceOnBobs(bobs.id)).toBe('accepted');

    // Reply with comment…: the dialog declines with a comment, and Bob's event shows it.
    expect(await click(dm, 'Reply with comment…')).toBe(200);
    const opened = await waitFor('the comment dialog', () => dialogs[0]);
    const submit = (submission: Record<string, unknown>) =>
      mmCall<Record<string, unknown>>('POST', '/actions/dialogs/submit', {
        url: opened.url,
        callback_id: opened.dialog.callback_id,
        state: opened.dialog.state,
        channel_id: dmChannel,
        team_id: mm().teams.acme?.id,
        submission,
      });
    expect((await submit({ response: 'maybe', comment: '', send: 'yes' })).body).toEqual({
      errors: { response: 'Choose Accept, Tentative or Decline.' },
    });
    expect((await submit({ response: 'decline', comment: 'On leave that week', send: 'yes' })).body).toEqual(
      {},
    );
    expect(await aliceOnBobs(bobs.id)).toBe('declined');
    expect((await attachmentText(dm.id))?.text).toContain(
      '❌ You declined (the organizer was told, with your comment)',
    );

    // Bob moves it an hour later: one "(updated)" DM with old → new, and buttons (his change reset answers).
    await graph('bob', 'PATCH', `/me/events/${bobs.id}`, { start: slot(27), end: slot(28) });
    const updated = await dmAbout('Updated: [Roadmap review]', true);
    expect(updated?.message).toMatch(/- \*\*When:\*\* ~~.+~~ → .+/);
    expect(updated?.props.attachments?.[0]?.actions).toHaveLength(4);

    // Bob cancels: one cancelled DM, without buttons.
    await graph('bob', 'POST', `/me/events/${bobs.id}/cancel`, { comment: 'Postponed' });
    const cancelled = await dmAbout('cancelled the meeting', false);
    expect(cancelled?.message).toContain('~~Roadmap review~~');
    expect(cancelled?.message).not.toContain('Canceled:');
    expect(cancelled?.props.attachments?.[0]?.actions ?? []).toEqual([]);

    // Clicking the first DM's button now: the meeting is cancelled, and the post drops its buttons.
    expect(await click(dm, 'Accept')).toBe(200);
    await waitFor('the cancelled answer', () =>
      ephemerals.includes('The organizer cancelled this meeting, so there is nothing to answer.'),
    );
    expect((await attachmentText(dm.id))?.actions ?? []).toEqual([]);

    // Exactly once each, however many sync rounds ran meanwhile.
    expect(await about('invited you to [Roadmap review]')).toHaveLength(1);
    expect(await about('Updated: [Roadmap review]')).toHaveLength(1);
    expect(await about('cancelled the meeting')).toHaveLength(1);
  }, 120_000);

  it('RSVP to a meeting deleted since the DM says so clearly', async () => {
    const bobs = await invite('Deleted soon', 30);
    const dm = await dmAbout('invited you to [Deleted soon]', true);
    // Alice deletes her copy in Outlook.
    const copies = await graph<{ value: GraphEvent[] }>(
      'alice',
      'GET',
      `/me/events?$filter=${encodeURIComponent(`iCalUId eq '${bobs.iCalUId}'`)}`,
    );
    await graph('alice', 'DELETE', `/me/events/${copies.value[0]?.id}`);
    expect(await click(dm, 'Tentative')).toBe(200);
    await waitFor('the deleted answer', () =>
      ephemerals.some((m) => m.startsWith('This meeting was changed or deleted since this message was sent')),
    );
    const after = await attachmentText(dm.id);
    expect(after?.text).toBe('This meeting is no longer on your calendar.');
    expect(after?.actions ?? []).toEqual([]);
    // And its removal is told once (a future meeting left the calendar).
    await waitFor(
      'the removal DM',
      async () => (await about('Deleted soon is no longer on your calendar')).length === 1,
      30_000,
    );
  }, 90_000);

  it('notifications off: no DM for a new invitation; a disconnected user’s stale button asks to connect', async () => {
    const bobs = await invite('Stale buttons', 32);
    const dm = await dmAbout('invited you to [Stale buttons]', true);

    expect(await type('alice', '/mscalendar notifications off')).toContain('Invitation DMs are off');
    await invite('Quiet one', 34);
    await graph('bob', 'PATCH', `/me/events/${bobs.id}`, { location: { displayName: 'Room 8' } });
    // The location change is synced (the cache shows it) but not announced.
    await waitFor(
      'the change in the cache',
      async () =>
        (
          await app.store.db
            .selectFrom('calendar_event')
            .select('data')
            .where('mm_user_id', '=', alice().id)
            .execute()
        ).some((r) => JSON.stringify(r.data).includes('Room 8')),
      30_000,
    );
    expect(await about('Quiet one')).toEqual([]);
    // Not merely late: no DM job was queued for either change.
    const jobs = await sql<{ n: string }>`
      select count(*)::text as n from pgboss.job
      where name = 'calendar.invitation' and (data::text like '%Quiet one%' or data::text like '%Room 8%')`.execute(
      app.store.db,
    );
    expect(jobs.rows[0]?.n).toBe('0');
    expect(await about('Updated: [Stale buttons]')).toEqual([]);

    expect(await type('alice', '/mscalendar disconnect')).toContain('Disconnected');
    expect(await click(dm, 'Accept')).toBe(200);
    await waitFor('the connect hint', () =>
      ephemerals.some((m) => m.includes('not connected') && m.includes('`/mscalendar connect`')),
    );
    expect(await aliceOnBobs(bobs.id)).not.toBe('accepted');
  }, 90_000);
});
