import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MattermostSim } from '../../../sim/mattermost/index.ts';
import {
  channelId,
  client,
  control,
  integrationServer,
  refusal,
  startSim,
  userId,
  userToken,
} from './harness.ts';

type PostLog = Array<{
  kind: string;
  to_user_id?: string;
  post: { message: string; user_id: string; props: Record<string, unknown> };
}>;

/** Slash commands: registration, the form POST to the command URL, responses, response_url, the internal-host guard. */
describe('mattermost sim: slash commands', () => {
  let sim: MattermostSim;
  let integration: Awaited<ReturnType<typeof integrationServer>>;
  let reply: { status?: number; json?: unknown; text?: string } = { json: {} };

  beforeAll(async () => {
    sim = await startSim();
    integration = await integrationServer(() => reply);
  });
  afterAll(async () => {
    await integration.close();
    await sim.close();
  });

  const teamId = () => sim.ready.teams.acme?.id ?? '';
  const log = async (ch: string): Promise<PostLog> =>
    (await (await control(sim, 'GET', `/_sim/channels/${ch}/post-log`)).json()) as PostLog;

  async function register(trigger: string, method: 'P' | 'G' = 'P') {
    const admin = client(sim, sim.ready.adminToken);
    return admin.addCommand({
      team_id: teamId(),
      trigger,
      url: `${integration.url}/command`,
      method,
      username: 'M365',
      auto_complete: true,
    } as never);
  }

  it('refuses registration without manage_slash_commands, for built-in triggers and bad triggers', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const cmd = { team_id: teamId(), trigger: 'mine', url: `${integration.url}/command`, method: 'P' };
    expect(await refusal(alice.addCommand(cmd as never))).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
    const admin = client(sim, sim.ready.adminToken);
    expect((await refusal(admin.addCommand({ ...cmd, trigger: 'echo' } as never))).server_error_id).toBe(
      'api.command.duplicate_trigger.app_error',
    );
    expect((await refusal(admin.addCommand({ ...cmd, trigger: '/slash' } as never))).server_error_id).toBe(
      'model.command.is_valid.trigger.app_error',
    );
  });

  it('posts the form with Authorization: Token and posts in_channel responses as the user with from_webhook', async () => {
    const cmd = await register('m365');
    expect(cmd.token).toMatch(/^[a-z0-9]{26}$/);
    reply = { json: { response_type: 'in_channel', text: 'pong', goto_location: 'https://example.org/x' } };
    const alice = client(sim, userToken(sim, 'alice'));
    const ch = channelId(sim, 'acme', 'town-square');
    const res = await alice.executeCommand('/m365 ping  now', { channel_id: ch, team_id: teamId() } as never);
    expect(res.goto_location).toBe('https://example.org/x');
    const req = integration.requests.at(-1);
    expect(req?.method).toBe('POST');
    expect(req?.headers.authorization).toBe(`Token ${cmd.token}`);
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(req?.body);
    expect(form.get('token')).toBe(cmd.token);
    expect(form.get('command')).toBe('/m365');
    expect(form.get('text')).toBe('ping  now');
    expect(form.get('user_id')).toBe(userId(sim, 'alice'));
    expect(form.get('user_name')).toBe('alice');
    expect(form.get('team_domain')).toBe('acme');
    expect(form.get('channel_name')).toBe('town-square');
    expect(form.get('trigger_id')).toBeTruthy();
    expect(form.get('response_url')).toMatch(new RegExp(`^${sim.url}/hooks/commands/[a-z0-9]{26}$`));
    const created = (await log(ch)).filter((e) => e.kind === 'created').at(-1);
    expect(created?.post.message).toBe('pong');
    expect(created?.post.user_id).toBe(userId(sim, 'alice'));
    expect(created?.post.props.from_webhook).toBe('true');
    expect(created?.post.props.override_username).toBeUndefined();
  });

  it('treats a plain-text answer as an ephemeral reply to the user only', async () => {
    reply = { text: 'only you can see this' };
    const ch = channelId(sim, 'acme', 'off-topic');
    await client(sim, userToken(sim, 'bob')).executeCommand('/m365 help', {
      channel_id: ch,
      team_id: teamId(),
    } as never);
    const entries = await log(ch);
    expect(entries.filter((e) => e.kind === 'created')).toEqual([]);
    expect(entries.filter((e) => e.kind === 'ephemeral').map((e) => [e.to_user_id, e.post.message])).toEqual([
      [userId(sim, 'bob'), 'only you can see this'],
    ]);
  });

  it('sends GET commands with the fields in the query, and uses a regenerated token', async () => {
    const cmd = await register('m365get', 'G');
    const admin = client(sim, sim.ready.adminToken);
    const { token } = await admin.regenCommandToken(cmd.id);
    expect(token).not.toBe(cmd.token);
    reply = { json: { text: 'ok' } };
    await client(sim, userToken(sim, 'alice')).executeCommand('/m365get', {
      channel_id: channelId(sim, 'acme', 'town-square'),
      team_id: teamId(),
    } as never);
    const req = integration.requests.at(-1);
    expect(req?.method).toBe('GET');
    expect(new URL(req?.url ?? '', 'http://x').searchParams.get('token')).toBe(token);
    expect(req?.headers.authorization).toBe(`Token ${token}`);
  });

  it('runs commands from a DM against the given team, but only a team the user belongs to', async () => {
    reply = { json: { text: 'in a DM' } };
    const alice = client(sim, userToken(sim, 'alice'));
    const dm = await alice.createDirectChannel([userId(sim, 'alice'), userId(sim, 'bob')]);
    await alice.executeCommand('/m365 dm', { channel_id: dm.id, team_id: teamId() } as never);
    const form = new URLSearchParams(integration.requests.at(-1)?.body);
    expect(form.get('channel_id')).toBe(dm.id);
    expect(form.get('team_id')).toBe(teamId());
    const admin = client(sim, sim.ready.adminToken);
    const other = await admin.createTeam({
      name: 'elsewhere',
      display_name: 'Elsewhere',
      type: 'O',
    } as never);
    expect(
      await refusal(alice.executeCommand('/m365 dm', { channel_id: dm.id, team_id: other.id } as never)),
    ).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
  });

  it('accepts 5 delayed replies on response_url within 30 minutes, then refuses', async () => {
    reply = { json: {} };
    const ch = channelId(sim, 'acme', 'town-square');
    await client(sim, userToken(sim, 'carol')).executeCommand('/m365 slow', {
      channel_id: ch,
      team_id: teamId(),
    } as never);
    const responseUrl = new URLSearchParams(integration.requests.at(-1)?.body).get('response_url') ?? '';
    const send = (text: string) =>
      fetch(responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ response_type: 'in_channel', text }),
      });
    for (let i = 1; i <= 5; i++) expect((await send(`done ${i}`)).status).toBe(200);
    const sixth = await send('done 6');
    expect(sixth.status).toBe(400);
    expect(((await sixth.json()) as { id: string }).id).toBe('app.command_webhook.try_use.invalid');
    const messages = (await log(ch))
      .filter((e) => e.kind === 'created' && e.post.user_id === userId(sim, 'carol'))
      .map((e) => e.post.message);
    expect(messages).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    await client(sim, userToken(sim, 'carol')).executeCommand('/m365 slow', {
      channel_id: ch,
      team_id: teamId(),
    } as never);
    const second = new URLSearchParams(integration.requests.at(-1)?.body).get('response_url') ?? '';
    await sim.clock.advance(31 * 60 * 1000);
    expect(
      (
        await fetch(second, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"text":"late"}',
        })
      ).status,
    ).toBe(404);
  });

  it('maps a non-200 answer to api.command.execute_command.failed_resp.app_error', async () => {
    reply = { status: 500, text: 'boom' };
    const alice = client(sim, userToken(sim, 'alice'));
    expect(
      await refusal(
        alice.executeCommand('/m365 x', {
          channel_id: channelId(sim, 'acme', 'town-square'),
          team_id: teamId(),
        } as never),
      ),
    ).toEqual({
      server_error_id: 'api.command.execute_command.failed_resp.app_error',
      status_code: 500,
    });
    expect(
      (
        await refusal(
          alice.executeCommand('/nosuch', {
            channel_id: channelId(sim, 'acme', 'town-square'),
            team_id: teamId(),
          } as never),
        )
      ).status_code,
    ).toBe(404);
  });

  it('refuses to call a private host not listed in AllowedUntrustedInternalConnections', async () => {
    reply = { json: { text: 'should not happen' } };
    const before = integration.requests.length;
    await control(sim, 'PATCH', '/_sim/config', {
      ServiceSettings: { AllowedUntrustedInternalConnections: '10.0.0.0/8 example.internal' },
    });
    try {
      const alice = client(sim, userToken(sim, 'alice'));
      const args = { channel_id: channelId(sim, 'acme', 'town-square'), team_id: teamId() } as never;
      expect(await refusal(alice.executeCommand('/m365 x', args))).toEqual({
        server_error_id: 'api.command.execute_command.failed.app_error',
        status_code: 500,
      });
      expect(integration.requests.length).toBe(before);
      await control(sim, 'PATCH', '/_sim/config', {
        ServiceSettings: { AllowedUntrustedInternalConnections: '127.0.0.0/8' },
      });
      await alice.executeCommand('/m365 x', args);
      expect(integration.requests.length).toBe(before + 1);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', {
        ServiceSettings: { AllowedUntrustedInternalConnections: 'localhost 127.0.0.1 ::1' },
      });
    }
  });
  it("applies overrides (the command's own name first) only when enabled, and refuses posting into a channel the user is not in", async () => {
    const ch = channelId(sim, 'acme', 'town-square');
    const args = { channel_id: ch, team_id: teamId() } as never;
    await control(sim, 'PATCH', '/_sim/config', {
      ServiceSettings: { EnablePostUsernameOverride: true, EnablePostIconOverride: true },
    });
    try {
      reply = {
        json: {
          response_type: 'in_channel',
          text: 'with override',
          username: 'From Response',
          icon_url: 'http://127.0.0.1:9/i.png',
        },
      };
      await client(sim, userToken(sim, 'alice')).executeCommand('/m365 o', args);
      const created = (await log(ch)).filter((e) => e.kind === 'created').at(-1);
      expect(created?.post.props).toMatchObject({
        from_webhook: 'true',
        override_username: 'M365',
        override_icon_url: 'http://127.0.0.1:9/i.png',
      });
    } finally {
      await control(sim, 'PATCH', '/_sim/config', {
        ServiceSettings: { EnablePostUsernameOverride: false, EnablePostIconOverride: false },
      });
    }
    const admin = client(sim, sim.ready.adminToken);
    const privateCh = await admin.createChannel({
      team_id: teamId(),
      name: 'admins-only',
      display_name: 'Admins',
      type: 'P',
    } as never);
    reply = { json: { response_type: 'in_channel', text: 'sneaky', channel_id: privateCh.id } };
    expect(await refusal(client(sim, userToken(sim, 'alice')).executeCommand('/m365 s', args))).toEqual({
      server_error_id: 'api.command.execute_command.create_post_failed.app_error',
      status_code: 500,
    });
    expect((await log(privateCh.id)).filter((e) => e.kind === 'created')).toEqual([]);
  });

  it('takes a plain-text body on response_url as an ephemeral reply', async () => {
    reply = { json: {} };
    const ch = channelId(sim, 'acme', 'off-topic');
    await client(sim, userToken(sim, 'dave')).executeCommand('/m365 later', {
      channel_id: ch,
      team_id: teamId(),
    } as never);
    const responseUrl = new URLSearchParams(integration.requests.at(-1)?.body).get('response_url') ?? '';
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'working on it',
    });
    expect(res.status).toBe(200);
    const eph = (await log(ch)).filter((e) => e.kind === 'ephemeral' && e.to_user_id === userId(sim, 'dave'));
    expect(eph.map((e) => e.post.message)).toEqual(['working on it']);
  });
});
