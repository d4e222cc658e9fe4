import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../../src/core/vault/index.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { MattermostChannelCursors } from '../../../src/store/mattermost-channel-cursor.ts';
import { MattermostCommands } from '../../../src/store/mattermost-command.ts';
import { MattermostLinkUses } from '../../../src/store/mattermost-link-use.ts';
import { MattermostOAuthFlows } from '../../../src/store/mattermost-oauth-flow.ts';
import { MattermostPostIntents } from '../../../src/store/mattermost-post-intent.ts';
import { MattermostUserTokens } from '../../../src/store/mattermost-user-token.ts';
import { MattermostWebSessions } from '../../../src/store/mattermost-web-session.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

/** The Mattermost edge's tables on both drivers: encryption at rest, single use, and the atomic steps. */
describe.each(drivers)('Mattermost tables on %s', (driver) => {
  // One database per driver for the file (PGlite takes a second to start); each test uses its own keys.
  let t: TestStore | undefined;
  const vault = new Vault([{ id: 'k1', key: randomBytes(32) }]);
  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(async () => {
    await t?.close();
  });
  const open = async () => (t as TestStore).store.db;

  it('keeps command tokens encrypted and bound to their team and trigger', async () => {
    const db = await open();
    const commands = new MattermostCommands(db, vault);
    await commands.save({
      teamId: 'team1',
      trigger: 'mscalendar',
      commandId: 'c1',
      token: 'secret-token',
      url: 'http://x',
    });
    await commands.save({
      teamId: 'team1',
      trigger: 'mscalendar',
      commandId: 'c1',
      token: 'secret-token-2',
      url: 'http://y',
    });
    expect(await commands.token('team1', 'mscalendar')).toBe('secret-token-2');
    expect(await commands.token('team2', 'mscalendar')).toBeUndefined();
    const raw = await db.selectFrom('mattermost_command').selectAll().execute();
    expect(raw).toHaveLength(1);
    expect(raw[0]?.token_ciphertext).not.toContain('secret-token');
    // A ciphertext copied to another team's row does not open there.
    await db
      .insertInto('mattermost_command')
      .values({ ...(raw[0] as (typeof raw)[0]), team_id: 'team2' })
      .execute();
    await expect(commands.token('team2', 'mscalendar')).rejects.toMatchObject({
      code: 'MM365_VAULT_TAMPERED',
    });
  });

  it('records a post intent once and completes it', async () => {
    const db = await open();
    const intents = new MattermostPostIntents(db);
    const now = new Date();
    const [a, b] = await Promise.all([intents.begin('k', 'ch', now), intents.begin('k', 'ch', now)]);
    expect([a.fresh, b.fresh].sort()).toEqual([false, true]);
    await intents.complete('k', 'post1');
    expect(await intents.begin('k', 'ch', new Date())).toMatchObject({ fresh: false, postId: 'post1' });
  });

  it('lets exactly one caller claim a refresh, and writes back only on the claimed version', async () => {
    const db = await open();
    const tokens = new MattermostUserTokens(db, vault);
    await tokens.put('u1', { accessToken: 'a1', refreshToken: 'r1', expiresAt: 1000 });
    const row = await tokens.get('u1');
    expect(row).toMatchObject({ accessToken: 'a1', refreshToken: 'r1', expiresAt: 1000, version: 1 });
    const now = new Date();
    const lease = new Date(now.getTime() + 30_000);
    const claims = await Promise.all([1, 2, 3].map(() => tokens.claimRefresh('u1', 1, lease, now)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(
      await tokens.completeRefresh('u1', 1, {
        accessToken: 'access-two',
        refreshToken: 'refresh-two',
        expiresAt: 2000,
      }),
    ).toBe(true);
    expect(
      await tokens.completeRefresh('u1', 1, { accessToken: 'a3', refreshToken: 'r3', expiresAt: 3000 }),
    ).toBe(false);
    expect(await tokens.get('u1')).toMatchObject({
      accessToken: 'access-two',
      refreshToken: 'refresh-two',
      version: 2,
    });
    // An expired lease can be taken over (its holder crashed).
    expect(await tokens.claimRefresh('u1', 2, new Date(now.getTime() + 1), now)).toBe(true);
    expect(await tokens.claimRefresh('u1', 2, lease, new Date(now.getTime() + 10))).toBe(true);
    const raw = await db.selectFrom('mattermost_user_token').selectAll().executeTakeFirstOrThrow();
    expect(`${raw.access_ciphertext}${raw.refresh_ciphertext}`).not.toMatch(/access-two|refresh-two/);
  });

  it('consumes an OAuth flow once, only for the browser that started it, only before it expires', async () => {
    const db = await open();
    const flows = new MattermostOAuthFlows(db, vault);
    const now = Date.now();
    const flow = { bindingHash: 'b1', codeVerifier: 'v'.repeat(43), returnTo: '/x', expectedUserId: null };
    await flows.create({ ...flow, nonce: 'n1', expiresAt: new Date(now + 60_000) });
    await flows.create({ ...flow, nonce: 'n2', expiresAt: new Date(now - 1) });
    expect(await flows.consume('n1', 'other-browser', new Date(now))).toBeUndefined();
    expect(await flows.consume('n1', 'b1', new Date(now))).toMatchObject({
      nonce: 'n1',
      codeVerifier: flow.codeVerifier,
    });
    expect(await flows.consume('n1', 'b1', new Date(now))).toBeUndefined();
    expect(await flows.consume('n2', 'b1', new Date(now))).toBeUndefined();
  });

  it('finds web sessions until they expire, uses links once, and moves cursors only forward', async () => {
    const db = await open();
    const sessions = new MattermostWebSessions(db);
    const now = Date.now();
    await sessions.create('h1', 'u1', new Date(now + 1000));
    expect(await sessions.find('h1', new Date(now))).toEqual({ userId: 'u1' });
    expect(await sessions.find('h1', new Date(now + 2000))).toBeUndefined();
    await sessions.delete('h1');
    expect(await sessions.find('h1', new Date(now))).toBeUndefined();

    const links = new MattermostLinkUses(db);
    expect(await links.use('l1', 'u1', new Date())).toBe(true);
    expect(await links.use('l1', 'u1', new Date())).toBe(false);

    const cursors = new MattermostChannelCursors(db);
    await cursors.advance('c1', 1_700_000_000_500);
    await cursors.advance('c1', 1_700_000_000_100);
    expect(await cursors.all()).toEqual([{ channelId: 'c1', since: 1_700_000_000_500 }]);
  });
});
