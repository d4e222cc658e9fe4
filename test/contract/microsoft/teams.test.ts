/**
 * Teams chats and channels through the untouched Graph client: seeded content (mentions, emoji, hosted image,
 * code snippet, quoted reply), send/edit/softDelete/react semantics, delegated-only writes, 1:1 idempotency,
 * channel replies and delta, getAllMessages and the evaluation-mode knob, chat message notifications; presence.
 */
import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import { type GraphError, PageIterator } from '@microsoft/microsoft-graph-client';
import type { Chat, ChatMessage } from '@microsoft/microsoft-graph-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRsaCertificate } from '../../../sim/shared/tls.ts';
import { graphClient } from './graph-client.ts';
import { type AnyJson, type Harness, json, startHarness } from './sim-harness.ts';
import { type Receiver, startReceiver } from './webhook-receiver.ts';

let h: Harness;
let rx: Receiver;
let alice: string;
let bob: string;
let oneOnOne: Chat;
let group: Chat;
beforeAll(async () => {
  [h, rx] = await Promise.all([startHarness(), startReceiver()]);
  await h.control('PATCH', '/settings', { extraCaPems: [rx.caPem] });
  alice = await h.tokenFor('alice');
  bob = await h.tokenFor('bob');
  const chats = (
    await graphClient(h, () => alice)
      .api('/me/chats')
      .expand('members')
      .get()
  ).value as Chat[];
  oneOnOne = chats.find((c) => c.chatType === 'oneOnOne') as Chat;
  group = chats.find((c) => c.chatType === 'group') as Chat;
});
afterAll(async () => {
  await h.close();
  await rx.close();
});

describe('seeded chats', () => {
  it('lists the 1:1 and group chat with members, ids in Teams shapes', async () => {
    expect(oneOnOne.id).toMatch(/^19:[0-9a-f-]+_[0-9a-f-]+@unq\.gbl\.spaces$/);
    expect(group.id).toMatch(/^19:[0-9a-f]{32}@thread\.v2$/);
    expect(group.topic).toBe('Launch planning');
    const viaMe: AnyJson = await graphClient(h, () => alice)
      .api(`/me/chats/${group.id}`)
      .get();
    expect(viaMe.chatType).toBe('group');
    expect(group.members?.map((m) => (m as AnyJson).email).sort()).toEqual([
      'alice@contoso.example',
      'bob@contoso.example',
      'carol@contoso.example',
    ]);
  });

  it('carries mentions, emoji and a hosted image whose bytes can be fetched', async () => {
    const client = graphClient(h, () => alice);
    const msgs = (await client.api(`/chats/${oneOnOne.id}/messages`).get()).value as ChatMessage[];
    const withImage = msgs.find((m) => m.body?.content?.includes('<img')) as ChatMessage;
    expect(withImage.mentions?.[0]).toMatchObject({
      id: 0,
      mentionText: 'Alice',
      mentioned: { user: { id: h.sim.ready.users.alice?.id } },
    });
    const src = /<img src="([^"]+)"/.exec(withImage.body?.content ?? '')?.[1] ?? '';
    expect(src).toMatch(/\/hostedContents\/[^/]+\/\$value$/);
    const png = await fetch(src, { headers: { authorization: `Bearer ${alice}` } });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const emoji = msgs.find((m) => m.body?.content?.includes('<emoji')) as ChatMessage;
    expect(emoji.reactions?.[0]).toMatchObject({
      reactionType: '❤️',
      user: { user: { id: h.sim.ready.users.bob?.id } },
    });
    const snippet = ((await client.api(`/chats/${group.id}/messages`).get()).value as ChatMessage[]).flatMap(
      (m) => m.attachments ?? [],
    );
    expect(snippet.map((a) => a.contentType).sort()).toEqual([
      'application/vnd.microsoft.card.codesnippet',
      'messageReference',
    ]);
  });
});

describe('chat messages', () => {
  it('send (201), edit (204, lastEditedDateTime), react (only lastModifiedDateTime), softDelete and undo', async () => {
    const client = graphClient(h, () => alice);
    const sent: ChatMessage = await client.api(`/chats/${oneOnOne.id}/messages`).post({
      body: { contentType: 'html', content: '<p>Hello <at id="0">Bob Baker</at></p>' },
      mentions: [
        {
          id: 0,
          mentionText: 'Bob Baker',
          mentioned: {
            user: { id: h.sim.ready.users.bob?.id, displayName: 'Bob Baker', userIdentityType: 'aadUser' },
          },
        },
      ],
    });
    expect(sent.id).toMatch(/^\d{13}$/);
    expect(sent.lastEditedDateTime).toBeNull();
    const path = `/chats/${oneOnOne.id}/messages/${sent.id}`;
    await client.api(path).patch({ body: { contentType: 'html', content: '<p>Hello again</p>' } });
    const edited: ChatMessage = await client.api(path).get();
    expect(edited.lastEditedDateTime).toBeTruthy();
    expect(edited.body?.content).toBe('<p>Hello again</p>');
    expect(
      (await h.graph(alice, 'PATCH', path, { body: { contentType: 'text', content: 'raw' } })).status,
    ).toBe(204);
    await client.api(path).patch({ body: { contentType: 'html', content: '<p>Hello again</p>' } });

    const beforeReaction: ChatMessage = await client.api(path).get();
    await h.control('POST', '/clock/advance', { ms: 5_000 });
    const bc = graphClient(h, () => bob);
    await bc.api(`${path}/setReaction`).post({ reactionType: '👍' });
    const reacted: ChatMessage = await bc.api(path).get();
    expect(Date.parse(reacted.lastModifiedDateTime ?? '')).toBeGreaterThan(
      Date.parse(beforeReaction.lastModifiedDateTime ?? ''),
    );
    expect(reacted.lastEditedDateTime).toBe(beforeReaction.lastEditedDateTime);
    expect(reacted.reactions?.map((r) => r.reactionType)).toEqual(['👍']);
    expect(reacted.messageHistory?.at(-1)?.actions).toBe('reactionAdded');
    await bc.api(`${path}/unsetReaction`).post({ reactionType: '👍' });
    expect(((await bc.api(path).get()) as ChatMessage).reactions).toEqual([]);

    const notMine = await h.graph(bob, 'PATCH', path, { body: { contentType: 'text', content: 'hijack' } });
    expect(notMine.status).toBe(403);
    await client.api(`/me/chats/${oneOnOne.id}/messages/${sent.id}/softDelete`).post({});
    const deleted: ChatMessage = await client.api(path).get();
    expect(deleted.deletedDateTime).toBeTruthy();
    expect(deleted.body?.content).toBe('');
    await client
      .api(`/users/${h.sim.ready.users.alice?.id}/chats/${oneOnOne.id}/messages/${sent.id}/undoSoftDelete`)
      .post({});
    expect(((await client.api(path).get()) as ChatMessage).body?.content).toBe('<p>Hello again</p>');
  });

  it('refuses app-only writes, mismatched mentions, $top over 50 and ascending order', async () => {
    const app = await h.appToken();
    const appSend = await h.graph(app, 'POST', `/chats/${oneOnOne.id}/messages`, { body: { content: 'hi' } });
    expect(appSend.status).toBe(403);
    expect((await json(appSend)).error.code).toBe('Authorization_RequestDenied');
    const bad = await h.graph(alice, 'POST', `/chats/${oneOnOne.id}/messages`, {
      body: { contentType: 'html', content: '<p><at id="1">Bob</at></p>' },
      mentions: [],
    });
    expect(bad.status).toBe(400);
    expect((await h.graph(alice, 'GET', `/chats/${oneOnOne.id}/messages?$top=51`)).status).toBe(400);
    const huge = await h.graph(alice, 'POST', `/chats/${oneOnOne.id}/messages`, {
      body: { contentType: 'text', content: 'x'.repeat(29 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(
      (await h.graph(alice, 'GET', `/chats/${oneOnOne.id}/messages?$orderby=createdDateTime asc`)).status,
    ).toBe(400);
    const carol = await h.tokenFor('carol');
    expect((await h.graph(carol, 'GET', `/chats/${oneOnOne.id}/messages`)).status).toBe(404);
  });

  it('returns the existing 1:1 chat on create', async () => {
    const client = graphClient(h, () => alice);
    const bind = (id?: string) => ({
      '@odata.type': '#microsoft.graph.aadUserConversationMember',
      roles: ['owner'],
      'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${id}')`,
    });
    const again: Chat = await client.api('/chats').post({
      chatType: 'oneOnOne',
      members: [bind(h.sim.ready.users.alice?.id), bind(h.sim.ready.users.bob?.id)],
    });
    expect(again.id).toBe(oneOnOne.id);
    const err: GraphError = await client
      .api('/chats')
      .post({
        chatType: 'oneOnOne',
        members: [bind(h.sim.ready.users.bob?.id), bind(h.sim.ready.users.carol?.id)],
      })
      .catch((e) => e);
    expect(err.statusCode).toBe(400);
  });

  it('notifies a chat subscription when a message is sent', async () => {
    const sub = await graphClient(h, () => bob)
      .api('/subscriptions')
      .post({
        changeType: 'created,updated',
        notificationUrl: `${rx.url}/notify`,
        resource: `/chats/${oneOnOne.id}/messages`,
        expirationDateTime: new Date(Date.now() + 50 * 60_000).toISOString(),
        clientState: 'chat',
      });
    const sent: ChatMessage = await graphClient(h, () => alice)
      .api(`/chats/${oneOnOne.id}/messages`)
      .post({ body: { contentType: 'text', content: 'ping' } });
    await rx.waitFor(() =>
      rx.notifications.some((n) => n.value.some((v: AnyJson) => v.resourceData?.id === sent.id)),
    );
    const n = rx.notifications.flatMap((x) => x.value).find((v: AnyJson) => v.resourceData?.id === sent.id);
    expect(n).toMatchObject({
      subscriptionId: sub.id,
      changeType: 'created',
      resource: `chats('${oneOnOne.id}')/messages('${sent.id}')`,
      resourceData: { '@odata.type': '#Microsoft.Graph.chatMessage' },
    });
    const dup = await h.graph(bob, 'POST', '/subscriptions', {
      changeType: 'created',
      notificationUrl: `${rx.url}/notify`,
      resource: `/chats/${oneOnOne.id}/messages`,
      expirationDateTime: new Date(Date.now() + 50 * 60_000).toISOString(),
    });
    expect(dup.status).toBe(403);
    const missed = await fetch(`${h.sim.ready.control}/subscriptions/${sub.id}/lifecycle`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.sim.ready.controlToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'missed' }),
    });
    expect(missed.status).toBe(400); // `missed` is Outlook-only
  });
});

describe('system events', () => {
  it('records a member added to a group chat as a systemEventMessage, shown only to callers that ask for it', async () => {
    const dave = h.sim.ready.users.dave?.id;
    const added = await h.graph(alice, 'POST', `/chats/${group.id}/members`, {
      '@odata.type': '#microsoft.graph.aadUserConversationMember',
      'user@odata.bind': `https://graph.microsoft.com/v1.0/users('${dave}')`,
      visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
      roles: ['owner'],
    });
    expect(added.status).toBe(201);
    const plain: AnyJson = await json(await h.graph(alice, 'GET', `/chats/${group.id}/messages?$top=1`));
    expect(plain.value[0]).toMatchObject({ messageType: 'unknownFutureValue', from: null });
    const full: AnyJson = await json(
      await h.graph(alice, 'GET', `/chats/${group.id}/messages?$top=1`, undefined, {
        Prefer: 'include-unknown-enum-members',
      }),
    );
    expect(full.value[0]).toMatchObject({
      messageType: 'systemEventMessage',
      body: { content: '<systemEventMessage/>' },
      eventDetail: {
        '@odata.type': '#microsoft.graph.membersAddedEventMessageDetail',
        members: [{ id: dave }],
        initiator: { user: { id: h.sim.ready.users.alice?.id } },
      },
    });
  });
});

describe('tenant-wide chat notifications', () => {
  it('delivers encrypted chatMessage resources to an app subscription on /chats/getAllMessages', async () => {
    const cert = await createRsaCertificate('teams-rich');
    const app = await h.appToken();
    const sub = await graphClient(h, () => app)
      .api('/subscriptions')
      .post({
        changeType: 'created,updated,deleted',
        notificationUrl: `${rx.url}/notify`,
        lifecycleNotificationUrl: `${rx.url}/lifecycle`,
        resource: '/chats/getAllMessages',
        expirationDateTime: new Date(Date.now() + 2 * 3_600_000).toISOString(),
        includeResourceData: true,
        encryptionCertificate: cert.certificateBase64,
        encryptionCertificateId: 'teams-cert',
        clientState: 'all-chats',
      });
    const sent: ChatMessage = await graphClient(h, () => bob)
      .api(`/chats/${group.id}/messages`)
      .post({ body: { contentType: 'html', content: '<p>to everyone</p>' } });
    const mine = () =>
      rx.notifications.flatMap((x) => x.value).filter((v: AnyJson) => v.subscriptionId === sub.id);
    await rx.waitFor(() => mine().some((v: AnyJson) => v.resourceData.id === sent.id));
    const n = mine().find((v: AnyJson) => v.resourceData.id === sent.id);
    const key = privateDecrypt(
      { key: cert.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(n.encryptedContent.dataKey, 'base64'),
    );
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const msg = JSON.parse(
      Buffer.concat([d.update(Buffer.from(n.encryptedContent.data, 'base64')), d.final()]).toString(),
    );
    expect(msg).toMatchObject({ id: sent.id, chatId: group.id, body: { content: '<p>to everyone</p>' } });
    expect(msg.from.user.id).toBe(h.sim.ready.users.bob?.id);
    await graphClient(h, () => app)
      .api(`/subscriptions/${sub.id}`)
      .delete();
  });
});

describe('channels', () => {
  it('lists root messages with replies, posts a reply, and reports changes through delta', async () => {
    const client = graphClient(h, () => alice);
    const [team] = (await client.api('/me/joinedTeams').get()).value;
    const channels = (await client.api(`/teams/${team.id}/channels`).get()).value;
    expect(channels.map((c: AnyJson) => c.displayName).sort()).toEqual(['General', 'Releases']);
    const general = channels.find((c: AnyJson) => c.displayName === 'General');
    expect(general.id).toMatch(/^19:[0-9a-f]{32}@thread\.tacv2$/);
    const base = `/teams/${team.id}/channels/${general.id}/messages`;
    const roots = (await client.api(base).expand('replies').get()).value as AnyJson[];
    expect(roots).toHaveLength(1);
    expect(roots[0].replies).toHaveLength(1);
    expect(roots[0].channelIdentity).toEqual({ teamId: team.id, channelId: general.id });

    let page: AnyJson = await client.api(`${base}/delta`).get();
    expect(page.value).toHaveLength(1);
    const deltaLink = page['@odata.deltaLink'];
    const reply: ChatMessage = await client
      .api(`${base}/${roots[0].id}/replies`)
      .post({ body: { content: 'a reply' } });
    expect(reply.replyToId).toBe(roots[0].id);
    const root2: ChatMessage = await client
      .api(base)
      .post({ body: { contentType: 'html', content: '<p>news</p>' } });
    page = await client.api(deltaLink).get();
    expect(page.value.map((m: AnyJson) => m.id)).toEqual([root2.id]);
    const app = await h.appToken();
    expect((await h.graph(app, 'POST', base, { body: { content: 'x' } })).status).toBe(403);

    // PageIterator walks the first round page by page (size kept in the skip token) and stops at the deltaLink.
    const seen: string[] = [];
    const first = await client.api(`${base}/delta`).top(1).get();
    const iterator = new PageIterator(client, first, (m: ChatMessage) => {
      seen.push(m.id ?? '');
      return true;
    });
    await iterator.iterate();
    expect(seen).toEqual([roots[0].id, root2.id]);
    expect(iterator.getDeltaLink()).toContain('$deltatoken=');
  });
});

describe('getAllMessages', () => {
  it('is app-only, honours model, and answers 402 in evaluation mode once the quota is spent', async () => {
    const app = await h.appToken();
    const uid = h.sim.ready.users.alice?.id;
    const all = await h.graph(app, 'GET', `/users/${uid}/chats/getAllMessages?model=B`);
    expect(all.status).toBe(200);
    expect(((await json(all)).value as AnyJson[]).length).toBeGreaterThanOrEqual(4);
    expect((await h.graph(alice, 'GET', `/users/${uid}/chats/getAllMessages`)).status).toBe(403);
    expect((await h.graph(app, 'GET', `/users/${uid}/chats/getAllMessages?model=C`)).status).toBe(400);
    const delta: AnyJson = await json(await h.graph(app, 'GET', `/users/${uid}/chats/getAllMessages/delta`));
    expect(delta['@odata.deltaLink']).toBeTruthy();

    await h.control('PATCH', '/settings', { metering: 'evaluation' });
    let last = 200;
    for (let i = 0; i < 200 && last === 200; i++) {
      last = (await h.graph(app, 'GET', `/users/${uid}/chats/getAllMessages?$top=50`)).status;
    }
    expect(last).toBe(402);
    expect((await h.graph(app, 'GET', `/users/${uid}/chats/getAllMessages?model=A`)).status).toBe(200);
    await h.control('PATCH', '/settings', { metering: 'off' });
  });
});

describe('presence', () => {
  it('aggregates sessions by priority, lets preferred presence win, and reads in bulk', async () => {
    const clientId = h.sim.ready.app.clientId;
    const uid = h.sim.ready.users.carol?.id;
    const carol = await h.tokenFor('carol');
    const app = await h.appToken();
    const get = async () => json(await h.graph(app, 'GET', `/communications/presences/${uid}`));
    expect(await get()).toMatchObject({ availability: 'Available', activity: 'Available' });
    const set = await h.graph(app, 'POST', `/users/${uid}/presence/setPresence`, {
      sessionId: clientId,
      availability: 'DoNotDisturb',
      activity: 'Presenting',
      expirationDuration: 'PT10M',
    });
    expect(set.status).toBe(200);
    expect(await get()).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
    const bad = await h.graph(app, 'POST', `/users/${uid}/presence/setPresence`, {
      sessionId: clientId,
      availability: 'Busy',
      activity: 'Busy',
    });
    expect(bad.status).toBe(400);
    await h.graph(carol, 'POST', '/me/presence/setUserPreferredPresence', {
      availability: 'BeRightBack',
      activity: 'BeRightBack',
    });
    expect(await get()).toMatchObject({ availability: 'BeRightBack' });
    await h.graph(carol, 'POST', '/me/presence/clearUserPreferredPresence');
    await h.control('POST', '/clock/advance', { ms: 11 * 60_000 });
    const fresh = await h.appToken();
    const bulk: AnyJson = await json(
      await h.graph(fresh, 'POST', '/communications/getPresencesByUserId', {
        ids: [uid, h.sim.ready.users.dave?.id],
      }),
    );
    expect(bulk.value.map((p: AnyJson) => p.availability)).toEqual(['Available', 'Offline']);
    const onlyOwn = await h.tokenFor('alice', ['Presence.Read']);
    expect((await h.graph(onlyOwn, 'GET', '/me/presence')).status).toBe(200);
    expect((await h.graph(onlyOwn, 'GET', `/users/${uid}/presence`)).status).toBe(403);
  });
});
