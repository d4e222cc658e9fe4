import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSet } from '../../../src/core/commands/index.ts';
import { waitFor } from '../../helpers/wait.ts';
import { channel, counters, type EdgeWorld, mm, postLog, startEdgeWorld, user } from '../harness.ts';

let release: (() => void) | undefined;
const calendar: CommandSet = {
  trigger: 'mscalendar',
  description: 'Outlook Calendar in Mattermost',
  hint: '[command]',
  connectHint: '/mscalendar connect',
  subcommands: [
    { name: 'ping', summary: 'Answer pong', run: async (ctx) => ({ text: `pong ${ctx.args.join(',')}` }) },
    { name: 'today', summary: 'Show today', needsAccount: true, run: async () => ({ text: 'no meetings' }) },
    {
      name: 'trigger',
      summary: 'Echo whether a trigger id came',
      run: async (ctx) => ({ text: `trigger ${ctx.triggerId.length > 0}` }),
    },
    { name: 'admin', summary: 'Admin only', adminOnly: true, run: async () => ({ text: 'admin ok' }) },
    {
      name: 'slow',
      summary: 'Take a while',
      run: () =>
        new Promise((resolve) => {
          release = () => resolve({ text: 'slow result' });
        }),
    },
  ],
};

/**
 * The slash-command endpoint, driven the way a user does: `POST /api/v4/commands/execute` on the simulator, which
 * calls our registered URL with the form and token, and shows the user our answer.
 */
describe('slash-command endpoint', () => {
  let w: EdgeWorld;
  beforeAll(async () => {
    w = await startEdgeWorld({ commandSets: [calendar], ackMs: 300 });
  });
  afterAll(() => w.close());

  const run = (who: string, command: string) =>
    mm(w.sim, 'POST', '/api/v4/commands/execute', {
      token: user(w.sim, who).token,
      body: { channel_id: channel(w.sim), command },
    });

  it('routes /mscalendar <sub> to its handler and answers ephemerally', async () => {
    const res = await run('alice', '/mscalendar ping a "b c"');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_type: 'ephemeral', text: 'pong a,b c' });
  });

  it('hands the handler the trigger_id Mattermost sent, so it can open a dialog', async () => {
    expect((await run('alice', '/mscalendar trigger')).body.text).toBe('trigger true');
  });

  it('answers help for an unknown subcommand, without admin-only entries for non-admins', async () => {
    const res = await run('alice', '/mscalendar frobnicate');
    expect(res.body.text).toMatch(/^Unknown command `frobnicate`/);
    expect(res.body.text).toContain('/mscalendar ping');
    expect(res.body.text).not.toContain('/mscalendar admin');
  });

  it('treats system admins as admins', async () => {
    const res = await run('sysadmin', '/mscalendar admin');
    expect(res.body.text).toBe('admin ok');
    expect((await run('bob', '/mscalendar admin')).body.text).toMatch(/^Unknown command/);
  });

  it('asks users without a connected account to connect, and runs once they are', async () => {
    expect((await run('bob', '/mscalendar today')).body.text).toMatch(/connect your Microsoft account/);
    w.connected.add(user(w.sim, 'bob').id);
    expect((await run('bob', '/mscalendar today')).body.text).toBe('no meetings');
  });

  it('answers "Working on it…" within the ack window and delivers a slow reply as an ephemeral post', async () => {
    const res = await run('carol', '/mscalendar slow');
    expect(res.body.text).toBe('Working on it…');
    release?.();
    const carol = user(w.sim, 'carol');
    const late = await waitFor('the late ephemeral', async () =>
      (await postLog(w.sim, channel(w.sim))).find(
        (e) => e.kind === 'ephemeral' && e.post.message === 'slow result',
      ),
    );
    expect(late.to_user_id).toBe(carol.id);
  });

  it('refuses a forged token without running anything', async () => {
    const before = (await counters(w.sim)).requests;
    const form = new URLSearchParams({
      token: 'forgedforgedforgedforged00',
      team_id: w.sim.ready.teams.acme?.id as string,
      channel_id: channel(w.sim),
      user_id: user(w.sim, 'alice').id,
      command: '/mscalendar',
      text: 'ping',
    });
    const res = await fetch(`${w.publicUrl}/mattermost/command`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'MM365_MM_COMMAND_TOKEN_INVALID',
    );
    // No admin or account lookup happened for the forged request.
    expect((await counters(w.sim)).requests['GET /api/v4/users/:user_id']).toBe(
      before['GET /api/v4/users/:user_id'],
    );
  });

  it('refuses the token of another team’s command, and a request without any token', async () => {
    const team = await mm(w.sim, 'POST', '/api/v4/teams', {
      body: { name: 'delta', display_name: 'Delta', type: 'O' },
    });
    await mm(w.sim, 'POST', `/api/v4/teams/${team.body.id}/members`, {
      body: { team_id: team.body.id, user_id: w.botId },
    });
    await w.edge.recheckCommands();
    expect(await w.stores.commands.token(team.body.id, 'mscalendar')).toBeTruthy();
    const form = (token?: string) => {
      const f = new URLSearchParams({
        team_id: team.body.id,
        channel_id: channel(w.sim),
        user_id: user(w.sim, 'alice').id,
        command: '/mscalendar',
        text: 'ping',
      });
      if (token) f.set('token', token);
      return f;
    };
    const acmeToken = (await w.stores.commands.token(
      w.sim.ready.teams.acme?.id as string,
      'mscalendar',
    )) as string;
    for (const body of [form(acmeToken), form()]) {
      const res = await fetch(`${w.publicUrl}/mattermost/command`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(res.status).toBe(401);
    }
  });
});
