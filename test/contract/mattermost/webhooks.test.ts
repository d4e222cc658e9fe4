import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MattermostSim } from '../../../sim/mattermost/index.ts';
import { channelId, client, control, refusal, startSim, userId, userToken } from './harness.ts';

type PostLog = Array<{
  kind: string;
  post: { user_id: string; message: string; props: Record<string, unknown> };
}>;

/** Incoming webhooks: created through Client4, posted to with a plain HTTP POST as an integration would. */
describe('mattermost sim: incoming webhooks', () => {
  let sim: MattermostSim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  const log = async (ch: string): Promise<PostLog> =>
    (await (await control(sim, 'GET', `/_sim/channels/${ch}/post-log`)).json()) as PostLog;
  const send = (id: string, body: unknown) =>
    fetch(`${sim.url}/hooks/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('posts as the creator with from_webhook, and overrides only when enabled', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const ch = channelId(sim, 'acme', 'town-square');
    const hook = await admin.createIncomingWebhook({
      channel_id: ch,
      display_name: 'relay',
      username: 'Teams relay',
    } as never);
    const res = await send(hook.id, { text: 'from Teams', props: { m365: 'x' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    let last = (await log(ch)).at(-1);
    expect(last?.post).toMatchObject({
      user_id: userId(sim, 'sysadmin'),
      message: 'from Teams',
      props: { m365: 'x', from_webhook: 'true' },
    });
    expect(last?.post.props.override_username).toBeUndefined();
    await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnablePostUsernameOverride: true } });
    try {
      await send(hook.id, { text: 'as Alice', username: 'Alice (Teams)' });
      last = (await log(ch)).at(-1);
      expect(last?.post.props.override_username).toBe('Alice (Teams)');
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnablePostUsernameOverride: false } });
    }
  });

  it('refuses empty payloads, unknown hooks, locked channels and non-admin creators', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const hook = await admin.createIncomingWebhook({
      channel_id: channelId(sim, 'acme', 'town-square'),
      channel_locked: true,
    } as never);
    const empty = await send(hook.id, { text: '' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { id: string }).id).toBe('web.incoming_webhook.text.app_error');
    const locked = await send(hook.id, { text: 'x', channel: 'off-topic' });
    expect(locked.status).toBe(403);
    expect((await send('x'.repeat(26), { text: 'x' })).status).toBe(400);
    const alice = client(sim, userToken(sim, 'alice'));
    expect(
      (
        await refusal(
          alice.createIncomingWebhook({ channel_id: channelId(sim, 'acme', 'town-square') } as never),
        )
      ).status_code,
    ).toBe(403);
    await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableIncomingWebhooks: false } });
    try {
      expect((await send(hook.id, { text: 'x' })).status).toBe(501);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableIncomingWebhooks: true } });
    }
  });

  it('accepts a form payload and redirects to another channel or a DM when not locked', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const hook = await admin.createIncomingWebhook({
      channel_id: channelId(sim, 'acme', 'town-square'),
    } as never);
    const form = new URLSearchParams({
      payload: JSON.stringify({ text: 'to off-topic', channel: 'off-topic' }),
    });
    const res = await fetch(`${sim.url}/hooks/${hook.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(res.status).toBe(200);
    expect((await log(channelId(sim, 'acme', 'off-topic'))).at(-1)?.post.message).toBe('to off-topic');
    expect((await send(hook.id, { text: 'psst', channel: '@bob' })).status).toBe(200);
    const dm = await client(sim, userToken(sim, 'bob')).createDirectChannel([
      userId(sim, 'bob'),
      userId(sim, 'sysadmin'),
    ]);
    expect((await log(dm.id)).at(-1)?.post.message).toBe('psst');
  });
});
