import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MattermostSim, startMattermostSim } from '../../../sim/mattermost/index.ts';
import type { BotPosts, MattermostDirectory, UserMessenger } from '../../../src/accounts/index.ts';
import type { CommandSet } from '../../../src/core/commands/index.ts';
import type { MmUserId } from '../../../src/core/ids.ts';
import { inspectBot } from '../../../src/mattermost/bot/bootstrap.ts';
import { MattermostHttp } from '../../../src/mattermost/client/http.ts';
import { MattermostRest } from '../../../src/mattermost/client/rest.ts';
import { captureLog } from '../../helpers/log.ts';
import { waitFor } from '../../helpers/wait.ts';
import { type EdgeWorld, makeBot, mm, startEdgeWorld, user } from '../harness.ts';

const calendar: CommandSet = {
  trigger: 'mscalendar',
  description: 'Outlook Calendar in Mattermost',
  hint: '[command]',
  connectHint: '/mscalendar connect',
  subcommands: [{ name: 'ping', summary: 'Answer pong', run: async () => ({ text: 'pong' }) }],
};
const teams: CommandSet = { ...calendar, trigger: 'msteams', description: 'Microsoft Teams in Mattermost' };

function restFor(sim: MattermostSim, token: string): MattermostRest {
  return new MattermostRest(new MattermostHttp({ baseUrl: sim.url, token, log: captureLog().log }));
}

describe('bot bootstrap', () => {
  let sim: MattermostSim;
  beforeAll(async () => {
    sim = await startMattermostSim({ port: 0 });
  });
  afterAll(() => sim.close());

  it('refuses a token that is not a bot’s', async () => {
    const err = await inspectBot(restFor(sim, user(sim, 'alice').token)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MM365_MM_NOT_A_BOT' });
  });

  it('names the missing system_admin role, what it is for and how to grant it', async () => {
    const bot = await makeBot(sim, { username: 'plainbot', admin: false });
    const identity = await inspectBot(restFor(sim, bot.token));
    expect(identity.isSystemAdmin).toBe(false);
    expect(identity.missing).toHaveLength(1);
    expect(identity.missing[0]).toMatch(/lacks the system_admin role/);
    expect(identity.missing[0]).toMatch(/ephemeral posts/);
    expect(identity.missing[0]).toContain(`PUT /api/v4/users/${bot.id}/roles`);
  });

  it('reports nothing missing for a system-admin bot', async () => {
    const bot = await makeBot(sim, { username: 'adminbot' });
    const identity = await inspectBot(restFor(sim, bot.token));
    expect(identity).toMatchObject({
      userId: bot.id,
      username: 'adminbot',
      isSystemAdmin: true,
      missing: [],
    });
  });
});

describe('slash command registration', () => {
  let w: EdgeWorld;
  beforeAll(async () => {
    w = await startEdgeWorld({ commandSets: [calendar, teams], websocket: true });
  });
  afterAll(() => w.close());

  const teamId = () => w.sim.ready.teams.acme?.id as string;
  const ours = async (team: string) =>
    (
      (await mm(w.sim, 'GET', `/api/v4/commands?team_id=${team}&custom_only=true`)).body as {
        trigger: string;
        token: string;
        url: string;
        id: string;
        auto_complete_hint: string;
        description: string;
      }[]
    ).filter((c) => ['mscalendar', 'msteams'].includes(c.trigger));

  it('registers /mscalendar and /msteams in the bot’s team with URL, hint and description, tokens stored', async () => {
    const cmds = await ours(teamId());
    expect(cmds.map((c) => c.trigger).sort()).toEqual(['mscalendar', 'msteams']);
    for (const c of cmds) {
      expect(c.url).toBe(`${w.publicUrl}/mattermost/command`);
      expect(c.auto_complete_hint).toBe('[command]');
      expect(await w.stores.commands.token(teamId(), c.trigger)).toBe(c.token);
    }
    expect(cmds.find((c) => c.trigger === 'mscalendar')?.description).toBe('Outlook Calendar in Mattermost');
  });

  it('is idempotent: a re-check changes nothing and keeps the tokens', async () => {
    const before = await ours(teamId());
    const report = await w.edge.recheckCommands();
    expect(report.flatMap((r) => r.commands.map((c) => c.outcome))).toEqual(['unchanged', 'unchanged']);
    expect(await ours(teamId())).toEqual(before);
  });

  it('updates a command whose URL drifted, keeping its token', async () => {
    const [cmd] = (await ours(teamId())).filter((c) => c.trigger === 'msteams');
    if (!cmd) throw new Error('no command');
    const full = (await mm(w.sim, 'GET', `/api/v4/commands/${cmd.id}`)).body;
    await mm(w.sim, 'PUT', `/api/v4/commands/${cmd.id}`, {
      body: { ...full, url: 'http://127.0.0.1:1/old' },
    });
    const report = await w.edge.recheckCommands();
    expect(report[0]?.commands).toContainEqual({ trigger: 'msteams', outcome: 'updated' });
    const after = (await ours(teamId())).find((c) => c.trigger === 'msteams');
    expect(after?.url).toBe(`${w.publicUrl}/mattermost/command`);
    expect(after?.token).toBe(cmd.token);
    expect(await w.stores.commands.token(teamId(), 'msteams')).toBe(cmd.token);
  });

  it('registers in a team as soon as the bot is added to it (WebSocket added_to_team)', async () => {
    const team = await mm(w.sim, 'POST', '/api/v4/teams', {
      body: { name: 'beta', display_name: 'Beta', type: 'O' },
    });
    expect(team.status).toBe(201);
    await mm(w.sim, 'POST', `/api/v4/teams/${team.body.id}/members`, {
      body: { team_id: team.body.id, user_id: w.botId },
    });
    const cmds = await waitFor(
      'commands in the new team',
      async () => {
        const c = await ours(team.body.id);
        return c.length === 2 ? c : undefined;
      },
      5000,
    );
    expect(await w.stores.commands.token(team.body.id, 'mscalendar')).toBe(
      cmds.find((c) => c.trigger === 'mscalendar')?.token,
    );
  });

  it('leaves alone a command with our trigger made by someone else, and says so', async () => {
    const team = await mm(w.sim, 'POST', '/api/v4/teams', {
      body: { name: 'gamma', display_name: 'Gamma', type: 'O' },
    });
    const theirs = await mm(w.sim, 'POST', '/api/v4/commands', {
      body: { team_id: team.body.id, trigger: 'mscalendar', url: 'http://127.0.0.1:1/theirs', method: 'P' },
    });
    expect(theirs.status).toBe(201);
    await mm(w.sim, 'POST', `/api/v4/teams/${team.body.id}/members`, {
      body: { team_id: team.body.id, user_id: w.botId },
    });
    const report = await waitFor('gamma report', async () => {
      const all = await w.edge.recheckCommands();
      return all.find((r) => r.teamId === team.body.id);
    });
    expect(report.commands.find((c) => c.trigger === 'mscalendar')).toMatchObject({ outcome: 'conflict' });
    expect(report.commands.find((c) => c.trigger === 'msteams')?.outcome).toMatch(/created|unchanged/);
    const still = (await ours(team.body.id)).find((c) => c.trigger === 'mscalendar');
    expect(still?.url).toBe('http://127.0.0.1:1/theirs');
  });

  const byName = async () => Object.fromEntries((await w.edge.diagnose()).map((c) => [c.name, c]));

  it('doctor: passes a healthy set-up, and warns that signed links are the weaker sign-in', async () => {
    const checks = await byName();
    expect(checks['mattermost.bot']?.status).toBe('pass');
    expect(checks['mattermost.bot-roles']?.status).toBe('pass');
    expect(checks['mattermost.commands.acme']?.status).toBe('pass');
    expect(checks['mattermost.callbacks']?.status).toBe('pass');
    expect(checks['mattermost.oauth-app']).toMatchObject({ status: 'warn' });
    expect(checks['mattermost.oauth-app']?.fix).toContain(`${w.publicUrl}/mattermost/oauth/callback`);
  });

  it('doctor: fails the callback check with the exact fix when Mattermost may not call a loopback address', async () => {
    await mm(w.sim, 'PATCH', '/_sim/config', {
      control: true,
      body: { ServiceSettings: { AllowedUntrustedInternalConnections: '' } },
    });
    try {
      const checks = await byName();
      expect(checks['mattermost.callbacks']?.status).toBe('fail');
      expect(checks['mattermost.callbacks']?.fix).toContain('AllowedUntrustedInternalConnections');
    } finally {
      await mm(w.sim, 'PATCH', '/_sim/config', {
        control: true,
        body: { ServiceSettings: { AllowedUntrustedInternalConnections: 'localhost 127.0.0.1 ::1' } },
      });
    }
  });

  it('doctor: fails the command check when a command no longer calls us', async () => {
    const teamId = w.sim.ready.teams.acme?.id as string;
    const list = await mm(w.sim, 'GET', `/api/v4/commands?team_id=${teamId}&custom_only=true`);
    const cmd = list.body.find((c: { trigger: string }) => c.trigger === 'mscalendar');
    await mm(w.sim, 'PUT', `/api/v4/commands/${cmd.id}`, {
      body: { ...cmd, url: 'http://127.0.0.1:1/elsewhere' },
    });
    const checks = await byName();
    expect(checks['mattermost.commands.acme']).toMatchObject({ status: 'fail' });
    expect(checks['mattermost.commands.acme']?.detail).toContain('calls http://127.0.0.1:1/elsewhere');
    await w.edge.recheckCommands();
    expect((await byName())['mattermost.commands.acme']?.status).toBe('pass');
  });

  it('satisfies the accounts domain’s ports', async () => {
    const directory: MattermostDirectory = w.edge.accounts.directory;
    const posts: BotPosts = w.edge.accounts.posts;
    const messenger: UserMessenger = w.edge.accounts.messenger;
    const alice = user(w.sim, 'alice');
    expect(await directory.user(alice.id)).toEqual({
      id: alice.id,
      username: 'alice',
      email: 'alice@contoso.example',
      isBot: false,
    });
    expect(await directory.user('zzzzzzzzzzzzzzzzzzzzzzzzzz' as MmUserId)).toBeUndefined();
    expect((await directory.user(w.botId as MmUserId))?.isBot).toBe(true);
    const postId = await posts.dmPost(alice.id, 'Connecting…');
    await posts.updatePost(postId, 'Connected as alice@contoso.example');
    expect((await mm(w.sim, 'GET', `/api/v4/posts/${postId}`, { token: alice.token })).body.message).toBe(
      'Connected as alice@contoso.example',
    );
    await messenger.dm(alice.id, 'plain DM');
  });
});
