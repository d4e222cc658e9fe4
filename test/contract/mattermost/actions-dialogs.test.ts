import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MattermostSim } from '../../../sim/mattermost/index.ts';
import {
  channelId,
  client,
  control,
  integrationClient,
  integrationServer,
  type Recorded,
  refusal,
  startSim,
  until,
  userId,
  userToken,
  wsClient,
} from './harness.ts';

type PostLog = Array<{
  kind: string;
  to_user_id?: string;
  post: { id: string; message: string; user_id: string; root_id: string };
}>;

/** Interactive message buttons and interactive dialogs, round-tripped through a local integration server. */
describe('mattermost sim: interactive messages and dialogs', () => {
  let sim: MattermostSim;
  let integration: Awaited<ReturnType<typeof integrationServer>>;
  let respond: (req: Recorded) => { status?: number; json?: unknown; text?: string } = () => ({ json: {} });
  const sockets: Array<{ close: () => void }> = [];

  beforeAll(async () => {
    sim = await startSim();
    integration = await integrationServer((req) => respond(req));
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await integration.close();
    await sim.close();
  });

  async function postWithButton(context: Record<string, unknown>) {
    const admin = client(sim, sim.ready.adminToken);
    const post = await admin.createPost({
      channel_id: channelId(sim, 'acme', 'town-square'),
      message: 'Meeting invite',
      props: {
        attachments: [
          {
            text: 'Standup 10:00',
            actions: [
              { name: 'Accept', type: 'button', integration: { url: `${integration.url}/action`, context } },
            ],
          },
        ],
      },
    } as never);
    const action = (post.props.attachments as Array<{ actions: Array<Record<string, unknown>> }>)[0]
      ?.actions[0];
    return { post, actionId: String(action?.id), action };
  }

  it('never shows the integration URL or context to clients', async () => {
    const { action, post } = await postWithButton({ secret: 's3cret' });
    expect(action?.id).toMatch(/^[a-z0-9]{26}$/);
    expect(action?.integration).toBeUndefined();
    const fetched = await client(sim, userToken(sim, 'bob')).getPost(post.id);
    expect(JSON.stringify(fetched)).not.toContain('s3cret');
  });

  it('posts the click to the integration with context and applies update and ephemeral_text', async () => {
    const { post, actionId } = await postWithButton({ secret: 's3cret', op: 'accept' });
    respond = () => ({
      json: {
        update: { message: 'Accepted by alice', props: { rsvp: 'yes', override_username: 'Not allowed' } },
        ephemeral_text: 'You accepted.',
      },
    });
    const alice = client(sim, userToken(sim, 'alice'));
    const res = (await alice.doPostActionWithCookie(post.id, actionId, '')) as unknown as {
      status: string;
      trigger_id: string;
    };
    expect(res.status).toBe('OK');
    expect(res.trigger_id).toBeTruthy();
    const req = integration.requests.at(-1);
    expect(req?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req?.body ?? '{}');
    expect(body).toMatchObject({
      user_id: userId(sim, 'alice'),
      user_name: 'alice',
      channel_id: channelId(sim, 'acme', 'town-square'),
      channel_name: 'town-square',
      team_domain: 'acme',
      post_id: post.id,
      type: 'button',
      context: { secret: 's3cret', op: 'accept' },
    });
    expect(body.trigger_id).toBe(res.trigger_id);
    const updated = await alice.getPost(post.id);
    expect(updated.message).toBe('Accepted by alice');
    // The overrides come only from the original post, which had none.
    expect(updated.props).toEqual({ rsvp: 'yes' });
    expect(updated.edit_at).toBeGreaterThan(0);
    const log = (await (
      await control(sim, 'GET', `/_sim/channels/${post.channel_id}/post-log`)
    ).json()) as PostLog;
    const ephemeral = log.filter((e) => e.kind === 'ephemeral');
    expect(ephemeral.map((e) => [e.to_user_id, e.post.user_id, e.post.root_id, e.post.message])).toEqual([
      [userId(sim, 'alice'), userId(sim, 'alice'), post.id, 'You accepted.'],
    ]);
  });

  it("runs buttons on ephemeral posts through their cookie, and updates only the clicker's copy", async () => {
    const ws = wsClient(sim, userToken(sim, 'alice'));
    sockets.push(ws);
    ws.connect();
    await until(() => ws.hellos.length === 1, 3000, 'hello');
    await client(sim, sim.ready.adminToken).createPostEphemeral(userId(sim, 'alice'), {
      channel_id: channelId(sim, 'acme', 'town-square'),
      message: 'Connect your Microsoft account?',
      props: {
        attachments: [
          {
            actions: [
              {
                name: 'Connect',
                integration: { url: `${integration.url}/action`, context: { step: 'connect' } },
              },
            ],
          },
        ],
      },
    } as never);
    await until(() => ws.of('ephemeral_message').length === 1, 3000, 'ephemeral_message');
    const eph = JSON.parse(String(ws.of('ephemeral_message')[0]?.data?.post));
    const action = eph.props.attachments[0].actions[0];
    expect(action.integration).toBeUndefined();
    expect(action.cookie).toBeTruthy();
    respond = () => ({ json: { update: { message: 'Connected.' } } });
    const alice = client(sim, userToken(sim, 'alice'));
    expect(await refusal(alice.doPostActionWithCookie(eph.id, action.id, ''))).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
    await alice.doPostActionWithCookie(eph.id, action.id, action.cookie);
    expect(JSON.parse(integration.requests.at(-1)?.body ?? '{}')).toMatchObject({
      post_id: eph.id,
      context: { step: 'connect' },
    });
    await until(() => ws.of('post_edited').length === 1, 3000, 'post_edited');
    const edited = JSON.parse(String(ws.of('post_edited')[0]?.data?.post));
    expect(edited).toMatchObject({ id: eph.id, message: 'Connected.' });
  });

  it('refuses an unknown action id and a failing integration with the server ids', async () => {
    const { post, actionId } = await postWithButton({});
    const alice = client(sim, userToken(sim, 'alice'));
    expect((await refusal(alice.doPostActionWithCookie(post.id, 'nosuchaction', ''))).server_error_id).toBe(
      'api.post.do_action.action_id.app_error',
    );
    respond = () => ({ status: 500, text: 'down' });
    expect(await refusal(alice.doPostActionWithCookie(post.id, actionId, ''))).toEqual({
      server_error_id: 'api.post.do_action.action_integration.app_error',
      status_code: 400,
    });
  });

  it('refuses to call an action URL on a private host that is not allowed', async () => {
    const { post, actionId } = await postWithButton({});
    const before = integration.requests.length;
    await control(sim, 'PATCH', '/_sim/config', {
      ServiceSettings: { AllowedUntrustedInternalConnections: '' },
    });
    try {
      expect(
        await refusal(client(sim, userToken(sim, 'alice')).doPostActionWithCookie(post.id, actionId, '')),
      ).toEqual({
        server_error_id: 'api.post.do_action.action_integration.app_error',
        status_code: 400,
      });
      expect(integration.requests.length).toBe(before);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', {
        ServiceSettings: { AllowedUntrustedInternalConnections: 'localhost 127.0.0.1 ::1' },
      });
    }
  });

  it('opens a dialog from the click trigger_id and round-trips a submission with errors, then success', async () => {
    const { post, actionId } = await postWithButton({ op: 'rsvp' });
    const ws = wsClient(sim, userToken(sim, 'alice'));
    sockets.push(ws);
    ws.connect();
    await until(() => ws.hellos.length === 1, 3000, 'hello');
    respond = () => ({ json: {} });
    const alice = client(sim, userToken(sim, 'alice'));
    const { trigger_id } = (await alice.doPostActionWithCookie(post.id, actionId, '')) as unknown as {
      trigger_id: string;
    };
    const integrationSide = integrationClient(sim);
    const dialog = {
      callback_id: 'rsvp',
      title: 'RSVP',
      elements: [{ display_name: 'Note', name: 'note', type: 'text' }],
      submit_label: 'Send',
      notify_on_cancel: true,
      state: 'event-42',
    };
    await integrationSide.openInteractiveDialog({ trigger_id, url: `${integration.url}/dialog`, dialog });
    await until(() => ws.of('open_dialog').length === 1, 3000, 'open_dialog');
    const opened = JSON.parse(String(ws.of('open_dialog')[0]?.data?.dialog));
    expect(opened.url).toBe(`${integration.url}/dialog`);
    expect(opened.dialog.callback_id).toBe('rsvp');

    respond = (req) => {
      const sub = JSON.parse(req.body);
      return sub.submission.note ? { json: {} } : { json: { errors: { note: 'Please add a note' } } };
    };
    const submission = {
      url: opened.url,
      callback_id: 'rsvp',
      state: 'event-42',
      channel_id: post.channel_id,
      team_id: sim.ready.teams.acme?.id,
      cancelled: false,
    };
    const first = await alice.submitInteractiveDialog({ ...submission, submission: { note: '' } } as never);
    expect(first).toEqual({ errors: { note: 'Please add a note' } });
    const second = await alice.submitInteractiveDialog({
      ...submission,
      submission: { note: 'see you' },
    } as never);
    expect(second).toEqual({});
    const sent = JSON.parse(integration.requests.at(-1)?.body ?? '{}');
    expect(sent).toMatchObject({
      type: 'dialog_submission',
      callback_id: 'rsvp',
      state: 'event-42',
      user_id: userId(sim, 'alice'),
      channel_id: post.channel_id,
      submission: { note: 'see you' },
      cancelled: false,
    });
  });

  it('answers dynamic-select lookups from the integration, and refuses a non-JSON answer', async () => {
    respond = (req) => {
      const body = JSON.parse(req.body);
      return body.type === 'dialog_lookup'
        ? { json: { items: [{ text: `Meeting ${body.query}`, value: 'm1' }] } }
        : { text: 'not json' };
    };
    const alice = client(sim, userToken(sim, 'alice'));
    const base = {
      url: `${integration.url}/dialog`,
      callback_id: 'pick',
      state: '',
      channel_id: channelId(sim, 'acme', 'town-square'),
      team_id: sim.ready.teams.acme?.id,
      submission: {},
    };
    const res = (await alice.lookupInteractiveDialog({
      ...base,
      query: 'standup',
      selected_field: 'meeting',
    } as never)) as unknown as {
      items: Array<{ text: string; value: string }>;
    };
    expect(res.items).toEqual([{ text: 'Meeting standup', value: 'm1' }]);
    const sent = JSON.parse(integration.requests.at(-1)?.body ?? '{}');
    expect(sent).toMatchObject({ type: 'dialog_lookup', user_id: userId(sim, 'alice'), query: 'standup' });
    expect(await refusal(alice.submitInteractiveDialog({ ...base, cancelled: false } as never))).toEqual({
      server_error_id: 'app.submit_interactive_dialog.decode_json_error',
      status_code: 500,
    });
  });

  it('refuses to submit a dialog to a private host that is not allowed', async () => {
    const before = integration.requests.length;
    await control(sim, 'PATCH', '/_sim/config', {
      ServiceSettings: { AllowedUntrustedInternalConnections: 'example.internal' },
    });
    try {
      const alice = client(sim, userToken(sim, 'alice'));
      const submission = {
        url: `${integration.url}/dialog`,
        callback_id: 'x',
        state: '',
        channel_id: channelId(sim, 'acme', 'town-square'),
        team_id: sim.ready.teams.acme?.id,
        submission: {},
        cancelled: false,
      };
      expect(await refusal(alice.submitInteractiveDialog(submission as never))).toEqual({
        server_error_id: 'api.post.do_action.action_integration.app_error',
        status_code: 400,
      });
      expect(integration.requests.length).toBe(before);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', {
        ServiceSettings: { AllowedUntrustedInternalConnections: 'localhost 127.0.0.1 ::1' },
      });
    }
  });

  it('refuses to open a dialog with a trigger_id older than 30 s', async () => {
    const { post, actionId } = await postWithButton({});
    respond = () => ({ json: {} });
    const { trigger_id } = (await client(sim, userToken(sim, 'alice')).doPostActionWithCookie(
      post.id,
      actionId,
      '',
    )) as unknown as { trigger_id: string };
    await sim.clock.advance(31_000);
    expect(
      await refusal(
        integrationClient(sim).openInteractiveDialog({
          trigger_id,
          url: `${integration.url}/dialog`,
          dialog: { callback_id: 'x', title: 'x', elements: [] },
        }),
      ),
    ).toEqual({ server_error_id: 'interactive_message.decode_trigger_id.expired', status_code: 400 });
  });
});
