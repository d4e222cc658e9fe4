/**
 * The drive calls a Teams file attachment needs, with real bytes: upload to the chat-files folder through an
 * upload session, send a reference attachment, download through the pre-authenticated URL and /shares;
 * simple upload to a channel's filesFolder.
 */
import type { ChatMessage } from '@microsoft/microsoft-graph-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphClient } from './graph-client.ts';
import { type AnyJson, type Harness, json, startHarness } from './sim-harness.ts';

let h: Harness;
let alice: string;
beforeAll(async () => {
  h = await startHarness();
  alice = await h.tokenFor('alice');
});
afterAll(async () => {
  await h.close();
});

describe('chat files', () => {
  it('uploads in 320 KiB chunks, attaches the file to a chat message, and downloads the same bytes', async () => {
    const client = graphClient(h, () => alice);
    const bytes = Buffer.alloc(320 * 1024 + 1000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251;
    const session = await client
      .api('/me/drive/root:/Microsoft Teams Chat Files/report.pdf:/createUploadSession')
      .post({ item: { '@microsoft.graph.conflictBehavior': 'rename' } });
    const put = (start: number, end: number) =>
      fetch(session.uploadUrl, {
        method: 'PUT',
        headers: {
          'content-range': `bytes ${start}-${end - 1}/${bytes.length}`,
          'content-type': 'application/octet-stream',
        },
        body: bytes.subarray(start, end),
      });
    const bad = await put(0, 1000);
    expect(bad.status).toBe(400);
    const first = await put(0, 320 * 1024);
    expect(first.status).toBe(202);
    expect(((await json(first)) as AnyJson).nextExpectedRanges).toEqual([`${320 * 1024}-`]);
    const done = await put(320 * 1024, bytes.length);
    expect(done.status).toBe(201);
    const item: AnyJson = await json(done);
    expect(item.name).toBe('report.pdf');
    expect(item.size).toBe(bytes.length);
    expect(item.eTag).toMatch(/^"\{[0-9A-F-]{36}\},1"$/);

    const chats = (await client.api('/me/chats').get()).value as AnyJson[];
    const chatId = chats.find((c) => c.chatType === 'oneOnOne').id;
    const attId = /\{([0-9A-F-]{36})\}/.exec(item.eTag)?.[1];
    const sent: ChatMessage = await client.api(`/chats/${chatId}/messages`).post({
      body: { contentType: 'html', content: `<p>Report</p><attachment id="${attId}"></attachment>` },
      attachments: [{ id: attId, contentType: 'reference', contentUrl: item.webUrl, name: 'report.pdf' }],
    });
    expect(sent.attachments?.[0]?.contentUrl).toBe(item.webUrl);
    const mismatch = await h.graph(alice, 'POST', `/chats/${chatId}/messages`, {
      body: { contentType: 'html', content: `<attachment id="${attId}"></attachment>` },
      attachments: [{ id: attId, contentType: 'reference', contentUrl: item.webUrl, name: 'report.docx' }],
    });
    expect(((await json(mismatch)) as AnyJson).error.message).toBe(
      'contentUrl extension and name extension do not match',
    );

    const bob = await h.tokenFor('bob');
    const share = `u!${Buffer.from(item.webUrl).toString('base64url')}`;
    const forbidden = await h.graph(bob, 'GET', `/shares/${share}/driveItem`);
    expect(forbidden.status).toBe(403);
    const app = await h.appToken();
    const shared: AnyJson = await json(await h.graph(app, 'GET', `/shares/${share}/driveItem`));
    const downloaded = Buffer.from(await (await fetch(shared['@microsoft.graph.downloadUrl'])).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);
    const redirect = await h.graph(
      alice,
      'GET',
      `/drives/${item.parentReference.driveId}/items/${item.id}/content`,
    );
    expect(redirect.status).toBe(200); // fetch followed the 302 to the pre-authenticated URL
    expect(Buffer.from(await redirect.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('channel files', () => {
  it('uploads into the channel folder of the team library', async () => {
    const client = graphClient(h, () => alice);
    const [team] = (await client.api('/me/joinedTeams').get()).value;
    const channel = (await client.api(`/teams/${team.id}/channels`).get()).value.find(
      (c: AnyJson) => c.displayName === 'Releases',
    );
    const folder = await client.api(`/teams/${team.id}/channels/${channel.id}/filesFolder`).get();
    expect(folder.name).toBe('Releases');
    expect(folder.folder).toBeDefined();
    const res = await fetch(
      `${h.sim.ready.graph}/drives/${folder.parentReference.driveId}/items/${folder.id}:/notes.txt:/content`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'text/plain' },
        body: 'release notes',
      },
    );
    expect(res.status).toBe(201);
    const file: AnyJson = await json(res);
    expect(file.webUrl).toMatch(
      /^https:\/\/contoso\.sharepoint\.com\/sites\/Engineering\/Shared%20Documents\/Releases\/notes\.txt$/,
    );
    const got: AnyJson = await client.api(`/drives/${folder.parentReference.driveId}/items/${file.id}`).get();
    expect(await (await fetch(got['@microsoft.graph.downloadUrl'])).text()).toBe('release notes');
  });
});
