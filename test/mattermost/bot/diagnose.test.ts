import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotPosts, MattermostDirectory, UserMessenger } from '../../../src/accounts/index.ts';
import type { CommandSet } from '../../../src/core/commands/index.ts';
import type { MmUserId } from '../../../src/core/ids.ts';
import { type EdgeWorld, mm, startEdgeWorld, user } from '../harness.ts';

const calendar: CommandSet = {
  trigger: 'mscalendar',
  description: 'Outlook Calendar in Mattermost',
  hint: '[command]',
  connectHint: '/mscalendar connect',
  subcommands: [],
};

describe('doctor checks and the accounts ports', () => {
  let w: EdgeWorld;
  beforeAll(async () => {
    w = await startEdgeWorld({ commandSets: [calendar] });
  });
  afterAll(() => w.close());

  const byName = async () => Object.fromEntries((await w.edge.diagnose()).map((c) => [c.name, c]));

  it('passes a healthy set-up, and warns that signed links are the weaker sign-in', async () => {
    const checks = await byName();
    expect(checks['mattermost.bot']?.status).toBe('pass');
    expect(checks['mattermost.bot-roles']?.status).toBe('pass');
    expect(checks['mattermost.commands.acme']?.status).toBe('pass');
    expect(checks['mattermost.callbacks']?.status).toBe('pass');
    expect(checks['mattermost.oauth-app']).toMatchObject({ status: 'warn' });
    expect(checks['mattermost.oauth-app']?.fix).toContain(`${w.publicUrl}/mattermost/oauth/callback`);
  });

  it('fails the callback check with the exact fix when Mattermost may not call a loopback address', async () => {
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

  it('fails the command check when a command no longer calls us', async () => {
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
