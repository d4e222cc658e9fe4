import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MattermostSim } from '../../../sim/mattermost/index.ts';
import { channelId, client, control, refusal, startSim, userId, userToken } from './harness.ts';

/** Channels, posts, reactions and files, through Client4 only. */
describe('mattermost sim: channels, posts, reactions, files', () => {
  let sim: MattermostSim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('creates a DM (get-or-create) and posts, edits and threads in it', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const dm = await alice.createDirectChannel([userId(sim, 'alice'), userId(sim, 'bob')]);
    expect(dm.type).toBe('D');
    expect((await alice.createDirectChannel([userId(sim, 'bob'), userId(sim, 'alice')])).id).toBe(dm.id);
    const post = await alice.createPost({
      channel_id: dm.id,
      message: 'hello bob',
      props: { m365_sync: { src: 'teams' } },
    } as never);
    expect(post.user_id).toBe(userId(sim, 'alice'));
    expect(post.props).toEqual({ m365_sync: { src: 'teams' } });
    const reply = await client(sim, userToken(sim, 'bob')).createPost({
      channel_id: dm.id,
      message: 'hi',
      root_id: post.id,
    } as never);
    expect(reply.root_id).toBe(post.id);
    const edited = await alice.patchPost({ id: post.id, message: 'hello bob!' } as never);
    expect(edited.message).toBe('hello bob!');
    expect(edited.edit_at).toBeGreaterThan(0);
    const thread = await alice.getPostThread(post.id);
    expect(thread.order.sort()).toEqual([post.id, reply.id].sort());
  });

  it('refuses messages over 16383 characters with model.post.is_valid.msg.app_error', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const post = { channel_id: channelId(sim, 'acme', 'town-square'), message: 'x'.repeat(16384) };
    expect(await refusal(alice.createPost(post as never))).toEqual({
      server_error_id: 'model.post.is_valid.msg.app_error',
      status_code: 400,
    });
    expect((await alice.createPost({ ...post, message: 'x'.repeat(16383) } as never)).message).toHaveLength(
      16383,
    );
  });

  it('pins and unpins without marking the post edited', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const post = await alice.createPost({
      channel_id: channelId(sim, 'acme', 'town-square'),
      message: 'pin me',
    } as never);
    await alice.pinPost(post.id);
    const pinned = await alice.getPost(post.id);
    expect(pinned.is_pinned).toBe(true);
    expect(pinned.edit_at).toBe(0);
    await alice.unpinPost(post.id);
    expect((await alice.getPost(post.id)).is_pinned).toBe(false);
  });

  it('deduplicates creates with the same pending_post_id for 30 s, as the server does', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const body = {
      channel_id: channelId(sim, 'acme', 'town-square'),
      message: 'retry me',
      pending_post_id: `${userId(sim, 'alice')}:1`,
    };
    const first = await alice.createPost(body as never);
    const again = await alice.createPost(body as never);
    expect(again.id).toBe(first.id);
    await sim.clock.advance(31_000);
    expect((await alice.createPost(body as never)).id).not.toBe(first.id);
  });

  it('refuses DMs between two other users unless admin, and posts into channels the user is not in', async () => {
    const carol = client(sim, userToken(sim, 'carol'));
    expect(
      (await refusal(carol.createDirectChannel([userId(sim, 'alice'), userId(sim, 'bob')]))).status_code,
    ).toBe(403);
    const alice = client(sim, userToken(sim, 'alice'));
    const dm = await alice.createDirectChannel([userId(sim, 'alice'), userId(sim, 'bob')]);
    expect(await refusal(carol.createPost({ channel_id: dm.id, message: 'x' } as never))).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
  });

  it('lets members patch a channel header (DMs included) and refuses outsiders', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const dm = await alice.createDirectChannel([userId(sim, 'alice'), userId(sim, 'bob')]);
    const patched = await alice.patchChannel(dm.id, { header: 'Synced with Teams' } as never);
    expect(patched.header).toBe('Synced with Teams');
    const log = (await (await control(sim, 'GET', `/_sim/channels/${dm.id}/post-log`)).json()) as Array<{
      post: { type: string; props: Record<string, unknown> };
    }>;
    expect(log.at(-1)?.post).toMatchObject({
      type: 'system_header_change',
      props: { new_header: 'Synced with Teams' },
    });
    expect(
      (await refusal(client(sim, userToken(sim, 'carol')).patchChannel(dm.id, { header: 'x' } as never)))
        .status_code,
    ).toBe(403);
  });

  it('posts the system messages membership changes make (a bridge must filter system_* types)', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const ch = await admin.createChannel({
      team_id: sim.ready.teams.acme?.id,
      name: 'planning',
      display_name: 'Planning',
      type: 'O',
    } as never);
    await admin.addToChannel(userId(sim, 'carol'), ch.id);
    await client(sim, userToken(sim, 'carol')).removeFromChannel(userId(sim, 'carol'), ch.id);
    const log = (await (await control(sim, 'GET', `/_sim/channels/${ch.id}/post-log`)).json()) as Array<{
      kind: string;
      post: { type: string; user_id: string; props: Record<string, unknown> };
    }>;
    expect(log.map((e) => [e.post.type, e.post.user_id])).toEqual([
      ['system_add_to_channel', userId(sim, 'sysadmin')],
      ['system_leave_channel', userId(sim, 'carol')],
    ]);
    expect(log[0]?.post.props.addedUserId).toBe(userId(sim, 'carol'));
  });

  it('creates group channels of 3-8 members including the caller', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const gm = await alice.createGroupChannel([userId(sim, 'bob'), userId(sim, 'carol')]);
    expect(gm.type).toBe('G');
    expect((await refusal(alice.createGroupChannel([userId(sim, 'bob')]))).server_error_id).toBe(
      'api.channel.create_group.bad_size.app_error',
    );
  });

  it('lists edits, deletes and reactions through getPostsSince', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const ch = channelId(sim, 'acme', 'town-square');
    const a = await alice.createPost({ channel_id: ch, message: 'one' } as never);
    const b = await alice.createPost({ channel_id: ch, message: 'two' } as never);
    const since = Math.max(a.update_at, b.update_at);
    await alice.patchPost({ id: a.id, message: 'one (edited)' } as never);
    await alice.deletePost(b.id);
    const list = await alice.getPostsSince(ch, since);
    expect(list.posts[a.id]?.message).toBe('one (edited)');
    expect(list.posts[b.id]?.delete_at).toBeGreaterThan(0);
    const bob = client(sim, userToken(sim, 'bob'));
    const afterDelete = Math.max(...Object.values(list.posts).map((p) => p.update_at));
    await bob.addReaction(userId(sim, 'bob'), a.id, '+1');
    const again = await alice.getPostsSince(ch, afterDelete);
    expect(Object.keys(again.posts)).toEqual([a.id]);
    expect(again.posts[a.id]?.metadata.reactions?.map((r) => r.emoji_name)).toEqual(['+1']);
    expect(await refusal(alice.getPost(b.id))).toEqual({
      server_error_id: 'app.post.get.app_error',
      status_code: 404,
    });
  });

  it('brings the root along when only a reply changed since', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const ch = channelId(sim, 'acme', 'off-topic');
    const root = await alice.createPost({ channel_id: ch, message: 'root' } as never);
    const reply = await alice.createPost({ channel_id: ch, message: 'reply', root_id: root.id } as never);
    // A reply bumps its root's update_at (SqlPostStore.Save).
    expect((await alice.getPost(root.id)).update_at).toBe(reply.update_at);
    await alice.patchPost({ id: reply.id, message: 'reply (edited)' } as never);
    const since = (await alice.getPost(reply.id)).update_at - 1;
    const list = await alice.getPostsSince(ch, since);
    expect(Object.keys(list.posts).sort()).toEqual([root.id, reply.id].sort());
  });

  it('reacts as self (200, upsert) and refuses reacting as someone else, even for admins', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const post = await alice.createPost({
      channel_id: channelId(sim, 'acme', 'off-topic'),
      message: 'react to me',
    } as never);
    const bob = client(sim, userToken(sim, 'bob'));
    const r = await bob.addReaction(userId(sim, 'bob'), post.id, 'smile');
    expect(r.user_id).toBe(userId(sim, 'bob'));
    await bob.addReaction(userId(sim, 'bob'), post.id, 'smile');
    expect(await bob.getReactionsForPost(post.id)).toHaveLength(1);
    expect(await refusal(bob.addReaction(userId(sim, 'alice'), post.id, 'smile'))).toEqual({
      server_error_id: 'api.reaction.save_reaction.user_id.app_error',
      status_code: 403,
    });
    expect(
      await refusal(client(sim, sim.ready.adminToken).addReaction(userId(sim, 'alice'), post.id, 'smile')),
    ).toEqual({
      server_error_id: 'api.reaction.save_reaction.user_id.app_error',
      status_code: 403,
    });
    await bob.removeReaction(userId(sim, 'bob'), post.id, 'smile');
    expect(await bob.getReactionsForPost(post.id)).toHaveLength(0);
  });

  it('refuses reactions from non-members of the channel, public channels included', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const news = await admin.createChannel({
      team_id: sim.ready.teams.acme?.id,
      name: 'news',
      display_name: 'News',
      type: 'O',
    } as never);
    const post = await admin.createPost({ channel_id: news.id, message: 'read me' } as never);
    const carol = client(sim, userToken(sim, 'carol'));
    expect((await carol.getPost(post.id)).id).toBe(post.id);
    expect(await refusal(carol.addReaction(userId(sim, 'carol'), post.id, 'eyes'))).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
  });

  it('uploads a file, attaches it to a post and serves the bytes back', async () => {
    const alice = client(sim, userToken(sim, 'alice'));
    const ch = channelId(sim, 'acme', 'town-square');
    const form = new FormData();
    form.append('channel_id', ch);
    form.append('files', new Blob(['agenda: sync'], { type: 'text/plain' }), 'agenda.txt');
    const up = await alice.uploadFile(form);
    const info = up.file_infos[0];
    expect(info?.name).toBe('agenda.txt');
    expect(info?.size).toBe(12);
    const post = await alice.createPost({
      channel_id: ch,
      message: 'see file',
      file_ids: [info?.id],
    } as never);
    expect(post.file_ids).toEqual([info?.id]);
    expect(
      (await client(sim, userToken(sim, 'bob')).getFileInfosForPost(post.id)).map((f) => f.name),
    ).toEqual(['agenda.txt']);
    const res = await fetch(alice.getFileUrl(info?.id ?? '', 0), {
      headers: { Authorization: `Bearer ${userToken(sim, 'bob')}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('agenda: sync');
    const dm = await alice.createDirectChannel([userId(sim, 'alice'), userId(sim, 'bob')]);
    const form2 = new FormData();
    form2.append('channel_id', dm.id);
    form2.append('files', new Blob(['secret']), 'secret.txt');
    const secret = (await alice.uploadFile(form2)).file_infos[0];
    const carolRes = await fetch(alice.getFileUrl(secret?.id ?? '', 0), {
      headers: { Authorization: `Bearer ${userToken(sim, 'carol')}` },
    });
    expect(carolRes.status).toBe(403);
  });

  it('refuses uploads over MaxFileSize with 413', async () => {
    await control(sim, 'PATCH', '/_sim/config', { FileSettings: { MaxFileSize: 4 } });
    try {
      const form = new FormData();
      form.append('channel_id', channelId(sim, 'acme', 'town-square'));
      form.append('files', new Blob(['too large']), 'big.txt');
      expect((await refusal(client(sim, userToken(sim, 'alice')).uploadFile(form))).status_code).toBe(413);
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { FileSettings: { MaxFileSize: 104857600 } });
    }
  });

  it('refuses ephemeral posts for non-admins and lets admins send them without storing them', async () => {
    const ch = channelId(sim, 'acme', 'town-square');
    expect(
      await refusal(
        client(sim, userToken(sim, 'alice')).createPostEphemeral(userId(sim, 'bob'), {
          channel_id: ch,
          message: 'psst',
        } as never),
      ),
    ).toEqual({
      server_error_id: 'api.context.permissions.app_error',
      status_code: 403,
    });
    const admin = client(sim, sim.ready.adminToken);
    const eph = await admin.createPostEphemeral(userId(sim, 'bob'), {
      channel_id: ch,
      message: 'psst',
    } as never);
    expect(eph.type).toBe('system_ephemeral');
    expect(await refusal(admin.getPost(eph.id))).toEqual({
      server_error_id: 'app.post.get.app_error',
      status_code: 404,
    });
    const log = (await (await control(sim, 'GET', `/_sim/channels/${ch}/post-log`)).json()) as Array<{
      kind: string;
      to_user_id?: string;
    }>;
    expect(log.filter((e) => e.kind === 'ephemeral').map((e) => e.to_user_id)).toEqual([userId(sim, 'bob')]);
  });

  it('marks bot posts from_bot and refuses reserved props from a login session in hardened mode', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const bot = await admin.createBot({ username: 'poster-bot' } as never);
    const token = await admin.createUserAccessToken(bot.user_id, 't');
    const botClient = client(sim, token.token);
    const dm = await botClient.createDirectChannel([bot.user_id, userId(sim, 'alice')]);
    const p = await botClient.createPost({
      channel_id: dm.id,
      message: 'from the bot',
      props: { from_webhook: 'true', override_username: 'Alice (Teams)' },
    } as never);
    expect(p.props.from_bot).toBe('true');
    expect(p.props.override_username).toBe('Alice (Teams)');
    await control(sim, 'PATCH', '/_sim/config', {
      ServiceSettings: { ExperimentalEnableHardenedMode: true },
    });
    try {
      const alice = client(sim, userToken(sim, 'alice'));
      expect(
        (
          await refusal(
            alice.createPost({
              channel_id: dm.id,
              message: 'x',
              props: { override_username: 'Bob' },
            } as never),
          )
        ).status_code,
      ).toBe(400);
      expect(
        (
          await botClient.createPost({
            channel_id: dm.id,
            message: 'ok',
            props: { override_username: 'Bob' },
          } as never)
        ).props.override_username,
      ).toBe('Bob');
    } finally {
      await control(sim, 'PATCH', '/_sim/config', {
        ServiceSettings: { ExperimentalEnableHardenedMode: false },
      });
    }
  });

  it('keeps the author offline when posting with set_online=false, and marks them online otherwise', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const daveId = userId(sim, 'dave');
    expect((await admin.getStatus(daveId)).status).toBe('offline');
    const post = (query: string) =>
      fetch(`${sim.url}/api/v4/posts${query}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${userToken(sim, 'dave')}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel_id: channelId(sim, 'acme', 'town-square'), message: 'quiet' }),
      });
    expect((await post('?set_online=false')).status).toBe(201);
    expect((await admin.getStatus(daveId)).status).toBe('offline');
    expect((await post('')).status).toBe(201);
    expect((await admin.getStatus(daveId)).status).toBe('online');
  });
  it('refuses adding to a channel someone who never joined the team (404) or left it (400)', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const outsider = await admin.createUser(
      { username: 'outsider', email: 'outsider@example.org', password: 'Outsider-pass-1' } as never,
      '',
      '',
    );
    const ch = channelId(sim, 'acme', 'off-topic');
    expect(await refusal(admin.addToChannel(outsider.id, ch))).toEqual({
      server_error_id: 'app.team.get_member.missing.app_error',
      status_code: 404,
    });
    const teamId = sim.ready.teams.acme?.id ?? '';
    await admin.addToTeam(teamId, outsider.id);
    await admin.removeFromTeam(teamId, outsider.id);
    expect(await refusal(admin.addToChannel(outsider.id, ch))).toEqual({
      server_error_id: 'api.channel.add_user.to.channel.failed.deleted.app_error',
      status_code: 400,
    });
  });
});
