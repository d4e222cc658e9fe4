import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MattermostSim } from '../../../sim/mattermost/index.ts';
import { client, control, refusal, startSim, userId, userToken } from './harness.ts';

/** Users, login, PATs, bots and the ShowEmailAddress rule, through Client4 only. */
describe('mattermost sim: users, tokens and bots', () => {
  let sim: MattermostSim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('logs in with a password: the Token header becomes the client token and /users/me answers', async () => {
    const c = client(sim);
    const me = await c.login('alice@contoso.example', 'Alice-pass-1');
    expect(me.username).toBe('alice');
    expect(c.getToken()).toMatch(/^[a-z0-9]{26}$/);
    const again = await c.getMe();
    expect(again.id).toBe(userId(sim, 'alice'));
  });

  it('refuses a wrong password with the server id and a bad token with 401', async () => {
    expect(await refusal(client(sim).login('alice', 'nope'))).toEqual({
      server_error_id: 'api.user.login.invalid_credentials_email_username',
      status_code: 401,
    });
    expect(await refusal(client(sim, 'x'.repeat(26)).getMe())).toEqual({
      server_error_id: 'api.context.session_expired.app_error',
      status_code: 401,
    });
  });

  it('lists users by system role, as GET /users?role= does', async () => {
    const c = client(sim, userToken(sim, 'alice'));
    const admins = await c.getProfiles(0, 200, { role: 'system_admin' });
    expect(admins.map((u) => u.username)).toEqual(['sysadmin']);
    const everyone = await c.getProfiles(0, 200, {});
    expect(everyone.length).toBeGreaterThan(admins.length);
  });

  it('looks users up by id, username, ids and search', async () => {
    const c = client(sim, userToken(sim, 'alice'));
    expect((await c.getUserByUsername('bob')).id).toBe(userId(sim, 'bob'));
    const byIds = await c.getProfilesByIds([userId(sim, 'bob'), userId(sim, 'carol')]);
    expect(byIds.map((u) => u.username).sort()).toEqual(['bob', 'carol']);
    const found = await c.searchUsers('car', {});
    expect(found.map((u) => u.username)).toEqual(['carol']);
  });

  it('hides e-mail lookups and e-mail fields from non-admins when ShowEmailAddress is off', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    expect((await alice.getUserByEmail('bob@contoso.example')).id).toBe(userId(sim, 'bob'));
    await control(sim, 'PATCH', '/_sim/config', { PrivacySettings: { ShowEmailAddress: false } });
    try {
      expect(await refusal(alice.getUserByEmail('bob@contoso.example'))).toEqual({
        server_error_id: 'api.user.get_user_by_email.permissions.app_error',
        status_code: 403,
      });
      expect((await alice.getUser(userId(sim, 'bob'))).email).toBe('');
      expect((await alice.getMe()).email).toBe('alice@contoso.example');
      const admin = client(sim, sim.ready.adminToken);
      expect((await admin.getUserByEmail('bob@contoso.example')).email).toBe('bob@contoso.example');
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { PrivacySettings: { ShowEmailAddress: true } });
    }
  });

  it('lets an admin mint a PAT for another user, which then acts as that user', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const pat = await admin.createUserAccessToken(userId(sim, 'carol'), 'sync');
    expect(pat.token).toMatch(/^[a-z0-9]{26}$/);
    expect((await client(sim, pat.token).getMe()).username).toBe('carol');
  });

  it('refuses PATs for others without edit_other_users, and all human PATs when EnableUserAccessTokens is off', async () => {
    const admin = client(sim, sim.ready.adminToken);
    await admin.updateUserRoles(userId(sim, 'alice'), 'system_user system_user_access_token');
    const alice = client(sim, userToken(sim, 'alice'));
    expect(await refusal(alice.createUserAccessToken(userId(sim, 'bob'), 'x'))).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
    const own = await alice.createUserAccessToken(userId(sim, 'alice'), 'mine');
    await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableUserAccessTokens: false } });
    try {
      expect(await refusal(admin.createUserAccessToken(userId(sim, 'dave'), 'x'))).toEqual({
        server_error_id: 'app.user_access_token.disabled',
        status_code: 501,
      });
      // Existing human PATs stop working too.
      expect((await refusal(client(sim, own.token).getMe())).status_code).toBe(401);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableUserAccessTokens: true } });
    }
  });

  it('creates a bot with an owner and a token that works even with PATs disabled', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const bot = await admin.createBot({
      username: 'm365-sync',
      display_name: 'M365',
      description: 'sync',
    } as never);
    expect(bot.owner_id).toBe(userId(sim, 'sysadmin'));
    const token = await admin.createUserAccessToken(bot.user_id, 'bot token');
    await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableUserAccessTokens: false } });
    try {
      const me = await client(sim, token.token).getMe();
      expect(me.is_bot).toBe(true);
      expect(me.username).toBe('m365-sync');
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableUserAccessTokens: true } });
    }
    expect(await refusal(client(sim, token.token).createBot({ username: 'botbot' } as never))).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
  });

  it("lets a bot's owner mint its tokens only with create_user_access_token, and refuses an empty description", async () => {
    const admin = client(sim, sim.ready.adminToken);
    const bot = await admin.createBot({ username: 'owned-bot' } as never);
    await admin.assignBot(bot.user_id, userId(sim, 'bob'));
    const bob = client(sim, userToken(sim, 'bob'));
    expect(await refusal(bob.createUserAccessToken(bot.user_id, 'mine'))).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
    await admin.updateUserRoles(userId(sim, 'bob'), 'system_user system_user_access_token');
    expect((await bob.createUserAccessToken(bot.user_id, 'mine')).token).toMatch(/^[a-z0-9]{26}$/);
    expect((await refusal(bob.createUserAccessToken(bot.user_id, ''))).status_code).toBe(400);
    await admin.updateUserRoles(userId(sim, 'bob'), 'system_user');
  });

  it("sets a bot's avatar as its owner and serves it back; others may not", async () => {
    const admin = client(sim, sim.ready.adminToken);
    const bot = await admin.createBot({ username: 'avatar-bot' } as never);
    const png = new File([Buffer.from('89504e470d0a1a0a', 'hex')], 'avatar.png', { type: 'image/png' });
    await admin.uploadProfileImage(bot.user_id, png);
    const res = await fetch(admin.getProfilePictureUrl(bot.user_id, 0), {
      headers: { Authorization: `Bearer ${userToken(sim, 'alice')}` },
    });
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe('89504e470d0a1a0a');
    expect(
      (await refusal(client(sim, userToken(sim, 'alice')).uploadProfileImage(bot.user_id, png))).status_code,
    ).toBe(403);
  });

  it('refuses bot creation with api.bot.create_disabled when EnableBotAccountCreation is off', async () => {
    await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableBotAccountCreation: false } });
    try {
      expect(
        await refusal(client(sim, sim.ready.adminToken).createBot({ username: 'nope-bot' } as never)),
      ).toEqual({
        server_error_id: 'api.bot.create_disabled',
        status_code: 403,
      });
      // A user without create_bot never reaches the switch.
      expect(
        (await refusal(client(sim, userToken(sim, 'alice')).createBot({ username: 'nope-bot' } as never)))
          .server_error_id,
      ).toBe('api.context.permissions.app_error');
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableBotAccountCreation: true } });
    }
  });

  it('deactivating a user kills their sessions', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const session = (await (await control(sim, 'POST', '/_sim/sessions', { username: 'dave' })).json()) as {
      token: string;
    };
    const dave = client(sim, session.token);
    expect((await dave.getMe()).username).toBe('dave');
    await admin.updateUserActive(userId(sim, 'dave'), false);
    expect((await refusal(dave.getMe())).status_code).toBe(401);
    expect(await refusal(client(sim).login('dave', 'Dave-pass-1'))).toEqual({
      server_error_id: 'api.user.login.inactive.app_error',
      status_code: 401,
    });
    await admin.updateUserActive(userId(sim, 'dave'), true);
  });

  it('stores and reads preferences for the user only', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const pref = { user_id: userId(sim, 'alice'), category: 'm365', name: 'reminders', value: '15' };
    await alice.savePreferences(userId(sim, 'alice'), [pref]);
    expect(await alice.getMyPreferences()).toContainEqual(pref);
    const bob = client(sim, userToken(sim, 'bob'));
    expect((await refusal(bob.getUserPreferences(userId(sim, 'alice')))).status_code).toBe(403);
  });
});
