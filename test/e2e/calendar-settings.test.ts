import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.ts';
import type { Sandbox } from '../../src/cli/sandbox.ts';
import { createLogger } from '../../src/core/log.ts';
import { freePort } from '../helpers/free-port.ts';
import { waitFor } from '../helpers/wait.ts';
import { startProduct, typeAs } from './product.ts';

const log = createLogger({ log: { level: (process.env.E2E_LOG as 'warn') ?? 'silent', format: 'json' } });

interface Action {
  id: string;
  name: string;
  type: string;
  style?: string;
  default_option?: string;
  options?: { text: string; value: string }[];
}
interface Attachment {
  title?: string;
  text: string;
  actions?: Action[];
}
interface Post {
  id: string;
  message: string;
  delete_at: number;
  props: { attachments?: Attachment[] };
}

/**
 * The welcome flow and the settings panel through both simulators: alice connects, answers the welcome
 * questions by clicking in Mattermost, finds her answers as the current values in `/mscalendar settings`,
 * changes the summary there, and the summary's schedule follows each change.
 */
describe('welcome flow and settings panel, end to end', () => {
  let sandbox: Sandbox;
  let app: App;

  beforeAll(async () => {
    // A fixed port, so the buttons' action URLs still reach the service after the restart below.
    ({ sandbox, app } = await startProduct(log, await freePort()));
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
  });

  const mm = () => sandbox.info.mattermost;
  const me = (name: string) => mm().users[name] as { id: string; token: string };

  const type = (as: string, command: string) => typeAs(sandbox.info, as, command);

  async function api(as: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${mm().url}/api/v4${path}`, {
      method,
      headers: {
        authorization: `Bearer ${me(as).token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** The bot's DMs to `user`, oldest first (deleted ones are not listed). */
  async function botDms(user: string): Promise<Post[]> {
    const channel = await api(user, 'POST', '/channels/direct', [me(user).id, sandbox.info.bot.userId]);
    const list = (await api(user, 'GET', `/channels/${channel.body.id}/posts`)).body as {
      order: string[];
      posts: Record<string, Post>;
    };
    return list.order.map((id) => list.posts[id] as Post).reverse();
  }

  const click = (user: string, post: Post, action: Action, selected?: string) =>
    api(
      user,
      'POST',
      `/posts/${post.id}/actions/${action.id}`,
      selected === undefined ? {} : { selected_option: selected },
    );

  const card = (post: Post, title: string) => post.props.attachments?.find((a) => a.title === title);

  const summarySchedule = async (user: string) =>
    (
      await sql<{
        cron: string;
      }>`select cron from pgboss.schedule where name = 'calendar.daily-summary' and key = ${user}`.execute(
        app.store.db,
      )
    ).rows.map((r) => r.cron);

  it('connect → welcome questions → panel shows the answers → a change in the panel reaches the summary', async () => {
    const alice = me('alice').id;
    const connected = await type('alice', '/mscalendar connect');
    expect(connected).toContain('✅ Connected to Microsoft Calendar');
    expect(connected).toContain('a few questions follow in separate messages');
    // Turning the summary on needs the mailbox zone, known once the first sync round is in.
    await waitFor(
      "alice's calendar synced",
      async () =>
        (await app.store.db
          .selectFrom('calendar_sync')
          .select('mm_user_id')
          .where('mm_user_id', '=', alice)
          .executeTakeFirst()) !== undefined &&
        (await app.store.db
          .selectFrom('calendar_event')
          .select('event_id')
          .where('mm_user_id', '=', alice)
          .executeTakeFirst()) !== undefined,
      30_000,
    );

    // Answer every welcome question in turn: the summary "On", any other feature's question its first choice.
    const answered: string[] = [];
    for (let step = 1; ; step++) {
      const next = await waitFor(
        `welcome question ${step} or the closing line`,
        async () =>
          (await botDms('alice')).find(
            (p) =>
              p.message.includes('You are all set') ||
              (p.message.startsWith(`#### Set up Microsoft Calendar (${step} of`) &&
                (p.props.attachments?.[0]?.actions?.length ?? 0) > 0),
          ),
        30_000,
      );
      if (next.message.includes('You are all set')) break;
      const question = next.props.attachments?.[0] as Attachment;
      const actions = question.actions as Action[];
      answered.push(question.title ?? '');
      let res: Awaited<ReturnType<typeof click>>;
      if (question.title === 'Daily summary') {
        res = await click('alice', next, actions.find((a) => a.name === 'On') as Action);
      } else if (actions[0]?.type === 'select') {
        res = await click('alice', next, actions[0], actions[0].options?.[0]?.value);
      } else {
        res = await click('alice', next, actions[0] as Action);
      }
      expect(res.status).toBe(200);
      // The question turns into its answer, without buttons; clicking it again is refused kindly.
      const after = (await api('alice', 'GET', `/posts/${next.id}`)).body as Post;
      expect(after.props.attachments?.[0]?.text).toContain('**Your choice:**');
      expect(after.props.attachments?.[0]?.actions ?? []).toHaveLength(0);
      if (step === 1) {
        // Restart in the middle of the flow (the next question's job may not have run): nothing is lost.
        await app.stop();
        app = buildApp(sandbox.config, { log });
        await app.start();
      }
      if (step > 20) throw new Error('the welcome flow does not end');
    }
    expect(answered).toContain('Daily summary');
    // Each question was posted once, restart or not, and the closing line once.
    const dms = await botDms('alice');
    const questions = dms.filter((p) => p.message.startsWith('#### Set up Microsoft Calendar'));
    expect(questions.map((p) => p.message)).toEqual(
      answered.map((_, i) => `#### Set up Microsoft Calendar (${i + 1} of ${answered.length})`),
    );
    expect(dms.filter((p) => p.message.includes('You are all set'))).toHaveLength(1);
    expect((await botDms('alice')).at(-1)?.message).toBe(
      'You are all set. Change these any time with `/mscalendar settings`.',
    );
    expect(await summarySchedule(alice)).toEqual(['0 8 * * 1,2,3,4,5']);

    // The panel shows the welcome answer as the current value (#153), with "On" as the primary button.
    const reply = await type('alice', '/mscalendar settings');
    expect(reply).toContain('I sent you your settings in a direct message');
    const panel = (await botDms('alice')).at(-1) as Post;
    expect(reply).toContain(`/_redirect/pl/${panel.id}`);
    expect(panel.message).toContain('Microsoft Calendar settings');
    const summaryCard = card(panel, 'Daily summary') as Attachment;
    expect(summaryCard.text).toContain('**Current value:** On');
    expect(summaryCard.actions?.map((a) => [a.name, a.style])).toEqual([
      ['On', 'primary'],
      ['Off', 'default'],
    ]);
    const timeCard = card(panel, 'Daily summary time') as Attachment;
    expect(timeCard.text).toContain('**Current value:** 08:00');
    expect(timeCard.actions?.[0]).toMatchObject({ type: 'select', default_option: '08:00' });

    // Choosing a time in the select reschedules the summary and redraws the panel from reality.
    expect((await click('alice', panel, timeCard.actions?.[0] as Action, '09:30')).status).toBe(200);
    expect(await summarySchedule(alice)).toEqual(['30 9 * * 1,2,3,4,5']);
    const redrawn = (await api('alice', 'GET', `/posts/${panel.id}`)).body as Post;
    expect(card(redrawn, 'Daily summary time')?.text).toContain('**Current value:** 09:30');
    expect(card(redrawn, 'Daily summary time')?.actions?.[0]?.default_option).toBe('09:30');

    // A value changed by command shows in the next panel; the new panel replaces (deletes) the old one.
    expect(await type('alice', '/mscalendar summary days mon,wed')).toContain('on Mon, Wed.');
    await type('alice', '/mscalendar settings');
    expect((await api('alice', 'GET', `/posts/${panel.id}`)).status).toBe(404);
    const second = (await botDms('alice')).at(-1) as Post;
    expect(second.id).not.toBe(panel.id);
    expect(card(second, 'Daily summary days')?.text).toContain('**Current value:** Mon, Wed');

    // Turning it off in the panel removes the schedule; "Off" becomes the primary button.
    const off = card(second, 'Daily summary')?.actions?.find((a) => a.name === 'Off') as Action;
    expect((await click('alice', second, off)).status).toBe(200);
    expect(await summarySchedule(alice)).toEqual([]);
    const offPanel = (await api('alice', 'GET', `/posts/${second.id}`)).body as Post;
    expect(card(offPanel, 'Daily summary')?.actions?.map((a) => [a.name, a.style])).toEqual([
      ['On', 'default'],
      ['Off', 'primary'],
    ]);

    // A value the feature refuses (the calendar is not synchronised, so no zone to schedule in) changes
    // nothing: the post stays as it was (the user gets the reason as an ephemeral reply).
    const setSync = (status: 'starting' | 'active') =>
      app.store.db.updateTable('calendar_sync').set({ status }).where('mm_user_id', '=', alice).execute();
    await setSync('starting');
    const on = card(offPanel, 'Daily summary')?.actions?.find((a) => a.name === 'On') as Action;
    expect((await click('alice', offPanel, on)).status).toBe(200);
    expect(await summarySchedule(alice)).toEqual([]);
    expect(((await api('alice', 'GET', `/posts/${second.id}`)).body as Post).props).toEqual(offPanel.props);
    await setSync('active');
    expect((await click('alice', offPanel, on)).status).toBe(200);
    expect(await summarySchedule(alice)).toEqual(['30 9 * * 1,3']);

    // Disconnecting deletes the panel and forgets the welcome run; connecting again asks again.
    expect(await type('alice', '/mscalendar disconnect')).toContain('Disconnected');
    expect((await api('alice', 'GET', `/posts/${second.id}`)).status).toBe(404);
    expect(
      await app.store.db
        .selectFrom('calendar_welcome')
        .select('flow_id')
        .where('mm_user_id', '=', alice)
        .executeTakeFirst(),
    ).toBeUndefined();
  }, 120_000);
});
