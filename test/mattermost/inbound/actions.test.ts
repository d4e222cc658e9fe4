import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ManualClock } from '../../../src/core/clock.ts';
import { signActionContext } from '../../../src/mattermost/inbound/signed-context.ts';
import type { ActionDefinition, DialogDefinition } from '../../../src/mattermost/index.ts';
import { waitFor } from '../../helpers/wait.ts';
import {
  channel,
  counters,
  type EdgeWorld,
  mm,
  postLog,
  type SimJson,
  startEdgeWorld,
  user,
} from '../harness.ts';

// Wall time until a test moves it: the last tests jump past the trigger_id's life and the buttons' expiry.
const clock = new ManualClock(Date.now());
const runs: { action: string; userId: string; data: unknown }[] = [];
const submissions: { userId: string; data: unknown; submission: Record<string, unknown> }[] = [];
let release: (() => void) | undefined;

const approve: ActionDefinition<{ n: number }> = {
  id: 'test.approve',
  async run(ctx) {
    runs.push({ action: 'test.approve', userId: ctx.userId, data: ctx.data });
    return { update: { message: `approved (${ctx.data.n})` }, ephemeralText: 'Thanks!' };
  },
};
const form: ActionDefinition = {
  id: 'test.form',
  async run(ctx) {
    runs.push({ action: 'test.form', userId: ctx.userId, data: ctx.data });
    await ctx.openDialog(
      {
        callbackId: 'test.form-dialog',
        title: 'Your name',
        elements: [{ display_name: 'Name', name: 'name', type: 'text' }],
      },
      { from: 'form' },
    );
    return {};
  },
};
const late: ActionDefinition = {
  id: 'test.late-form',
  async run(ctx) {
    clock.advance(26_000); // the handler took 26 s: the trigger_id (30 s) is about to die
    await ctx.openDialog({ callbackId: 'test.form-dialog', title: 'Too late', elements: [] }, {});
    return {};
  },
};
const slow: ActionDefinition = {
  id: 'test.slow',
  run: () =>
    new Promise((resolve) => {
      release = () => resolve({ update: { message: 'slow done' }, ephemeralText: 'finished late' });
    }),
};
const dialog: DialogDefinition<{ from: string }> = {
  id: 'test.form-dialog',
  async run(ctx) {
    if (!ctx.submission.name) return { errors: { name: 'Please give a name.' } };
    submissions.push({ userId: ctx.userId, data: ctx.data, submission: ctx.submission });
    return {};
  },
};

function firstActionId(post: SimJson, index = 0): string {
  return post.props.attachments[0].actions[index].id as string;
}

/**
 * Interactive buttons and dialogs end to end: the bot posts, a user clicks in the simulator, the simulator calls
 * our action URL, and our router verifies the signed context before running the handler.
 */
describe('interactive actions and dialogs', () => {
  let w: EdgeWorld;
  beforeAll(async () => {
    w = await startEdgeWorld({
      ackMs: 300,
      clock,
      setup: (edge) => {
        edge.registerAction(approve);
        edge.registerAction(form);
        edge.registerAction(slow);
        edge.registerAction(late);
        edge.registerDialog(dialog);
      },
    });
  });
  afterAll(() => w.close());

  const click = (who: string, post: SimJson, index = 0) =>
    mm(w.sim, 'POST', `/api/v4/posts/${post.id}/actions/${firstActionId(post, index)}`, {
      token: user(w.sim, who).token,
      body: {},
    });

  it('runs the handler for the intended user and applies update + ephemeral_text', async () => {
    const alice = user(w.sim, 'alice');
    const post = await w.edge.interactive.dm(alice.id, 'Approve?', [
      { actionId: 'test.approve', name: 'Approve', style: 'primary', data: { n: 7 } },
    ]);
    runs.length = 0;
    const res = await click('alice', post);
    expect(res.status).toBe(200);
    expect(runs).toEqual([{ action: 'test.approve', userId: alice.id, data: { n: 7 } }]);
    const after = await mm(w.sim, 'GET', `/api/v4/posts/${post.id}`, { token: alice.token });
    expect(after.body.message).toBe('approved (7)');
    const log = await postLog(w.sim, post.channel_id);
    expect(log).toContainEqual(
      expect.objectContaining({
        kind: 'ephemeral',
        to_user_id: alice.id,
        post: expect.objectContaining({ message: 'Thanks!' }),
      }),
    );
  });

  it('refuses a click by another user: nothing runs, the post is unchanged, they are told why', async () => {
    const alice = user(w.sim, 'alice');
    const bob = user(w.sim, 'bob');
    const post = await w.edge.interactive.post(channel(w.sim), alice.id, 'For alice only', [
      { actionId: 'test.approve', name: 'Approve', data: { n: 1 } },
    ]);
    runs.length = 0;
    const res = await click('bob', post);
    expect(res.status).toBe(200);
    expect(runs).toEqual([]);
    const after = await mm(w.sim, 'GET', `/api/v4/posts/${post.id}`, { token: bob.token });
    expect(after.body.message).toBe('For alice only');
    const log = await postLog(w.sim, channel(w.sim));
    expect(log).toContainEqual(
      expect.objectContaining({
        kind: 'ephemeral',
        to_user_id: bob.id,
        post: expect.objectContaining({ message: 'This button is for someone else.' }),
      }),
    );
  });

  it('refuses a forged context with 403 MM365_SIGNATURE_INVALID and runs nothing', async () => {
    const alice = user(w.sim, 'alice');
    const post = await w.edge.interactive.dm(alice.id, 'Approve?', [
      { actionId: 'test.approve', name: 'Go', data: { n: 2 } },
    ]);
    const genuine = signActionContext(
      w.signer,
      { action: 'test.approve', userId: alice.id, postId: post.id, data: { n: 2 } },
      Date.now() + 60_000,
    );
    const [body, mac] = genuine.t.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    claims.d = { n: 999 };
    const forged = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    const other = await w.edge.messenger.dm(alice.id, 'another post');
    runs.length = 0;
    const attempts = [
      { context: { a: 'test.approve', t: forged }, post_id: post.id }, // altered data
      { context: { a: 'test.approve', t: 'bm90.aGluZw' }, post_id: post.id }, // made up
      { context: { a: 'test.approve', t: genuine.t }, post_id: other.id }, // genuine, moved to another post
      { context: {}, post_id: post.id }, // none at all
    ];
    for (const attempt of attempts) {
      const res = await fetch(`${w.publicUrl}/mattermost/action`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          user_id: alice.id,
          channel_id: post.channel_id,
          post_id: attempt.post_id,
          context: attempt.context,
        }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('MM365_SIGNATURE_INVALID');
    }
    expect(runs).toEqual([]);
  });

  it('answers a slow handler with "Working on it…" and applies its reply later', async () => {
    const alice = user(w.sim, 'alice');
    const post = await w.edge.interactive.dm(alice.id, 'Slow?', [{ actionId: 'test.slow', name: 'Go' }]);
    const res = await click('alice', post);
    expect(res.status).toBe(200);
    const log = async () => postLog(w.sim, post.channel_id);
    expect(await log()).toContainEqual(
      expect.objectContaining({
        kind: 'ephemeral',
        post: expect.objectContaining({ message: 'Working on it…' }),
      }),
    );
    release?.();
    await waitFor(
      'the late update',
      async () => (await mm(w.sim, 'GET', `/api/v4/posts/${post.id}`)).body.message === 'slow done',
    );
    await waitFor('the late ephemeral', async () =>
      (await log()).some(
        (e) => e.kind === 'ephemeral' && e.post.message === 'finished late' && e.to_user_id === alice.id,
      ),
    );
  });

  it('opens a dialog with the click’s trigger_id and routes its submission, checking state and user', async () => {
    const alice = user(w.sim, 'alice');
    const socket = new WebSocket(`${w.sim.url.replace('http', 'ws')}/api/v4/websocket`, {
      headers: { Authorization: `Bearer ${alice.token}` },
    });
    const dialogs: SimJson[] = [];
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw));
      if (frame.event === 'open_dialog') dialogs.push(JSON.parse(frame.data.dialog));
    });
    await new Promise((resolve) => socket.once('open', resolve));
    try {
      const post = await w.edge.interactive.dm(alice.id, 'Fill in?', [
        { actionId: 'test.form', name: 'Form' },
      ]);
      expect((await click('alice', post)).status).toBe(200);
      const opened = await waitFor('open_dialog', () => dialogs[0]);
      expect(opened.url).toBe(`${w.publicUrl}/mattermost/dialog`);
      expect(opened.dialog.callback_id).toBe('test.form-dialog');
      const submit = (who: string, submission: Record<string, unknown>, state = opened.dialog.state) =>
        mm(w.sim, 'POST', '/api/v4/actions/dialogs/submit', {
          token: user(w.sim, who).token,
          body: {
            url: opened.url,
            callback_id: 'test.form-dialog',
            state,
            channel_id: post.channel_id,
            team_id: w.sim.ready.teams.acme?.id,
            submission,
          },
        });
      expect((await submit('alice', { name: '' })).body).toEqual({ errors: { name: 'Please give a name.' } });
      expect((await submit('alice', { name: 'Alice' })).body).toEqual({});
      expect(submissions).toEqual([
        { userId: alice.id, data: { from: 'form' }, submission: { name: 'Alice' } },
      ]);
      // Another user replaying the state, and a tampered state, are refused before the handler.
      const channelId = channel(w.sim);
      const bobTry = await mm(w.sim, 'POST', '/api/v4/actions/dialogs/submit', {
        token: user(w.sim, 'bob').token,
        body: {
          url: opened.url,
          callback_id: 'test.form-dialog',
          state: opened.dialog.state,
          channel_id: channelId,
          team_id: w.sim.ready.teams.acme?.id,
          submission: { name: 'Bob' },
        },
      });
      expect(bobTry.status).toBe(400);
      const tampered = await submit('alice', { name: 'X' }, `${opened.dialog.state}x`);
      expect(tampered.status).toBe(400);
      expect(submissions).toHaveLength(1);
    } finally {
      socket.close();
    }
  });
  it('does not try to open a dialog once the trigger_id is nearly 30 s old, and says so', async () => {
    const alice = user(w.sim, 'alice');
    const post = await w.edge.interactive.dm(alice.id, 'Late form?', [
      { actionId: 'test.late-form', name: 'Form' },
    ]);
    const opens = async () => (await counters(w.sim)).requests['POST /api/v4/actions/dialogs/open'] ?? 0;
    const before = await opens();
    expect((await click('alice', post)).status).toBe(200);
    expect(await opens()).toBe(before);
    expect(await postLog(w.sim, post.channel_id)).toContainEqual(
      expect.objectContaining({
        kind: 'ephemeral',
        post: expect.objectContaining({ message: 'That took too long to open a form. Please click again.' }),
      }),
    );
  });

  it('refuses a button past its expiry with 403 MM365_SIGNATURE_EXPIRED', async () => {
    const alice = user(w.sim, 'alice');
    const post = await w.edge.interactive.dm(alice.id, 'Old?', [
      { actionId: 'test.approve', name: 'Go', data: { n: 3 } },
    ]);
    clock.advance(15 * 86_400_000);
    runs.length = 0;
    const res = await click('alice', post);
    expect(res.status).toBe(400); // Mattermost turns our 403 into its action_integration error
    expect(runs).toEqual([]);
    expect((await mm(w.sim, 'GET', `/api/v4/posts/${post.id}`)).body.message).toBe('Old?');
    const expired = signActionContext(
      w.signer,
      { action: 'test.approve', userId: alice.id, postId: post.id, data: { n: 3 } },
      clock.now() - 1,
    );
    const direct = await fetch(`${w.publicUrl}/mattermost/action`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        user_id: alice.id,
        channel_id: post.channel_id,
        post_id: post.id,
        context: expired,
      }),
    });
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { error: { code: string } }).error.code).toBe('MM365_SIGNATURE_EXPIRED');
    expect(runs).toEqual([]);
  });
});
