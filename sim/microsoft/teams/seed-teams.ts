/**
 * Seeds teams, channels, chats and messages through the same store functions the Graph handlers use.
 * Message seeds name mentioned users by seed key; `<at id="n">` in the HTML pairs with `mentions[n]`.
 */
import type { ChatMessageAttachment } from '@microsoft/microsoft-graph-types';
import type { SimContext } from '../context.ts';
import { guid } from '../ids.ts';
import type { MessageSeed, Seed } from '../seed.ts';
import type { StoredMessage, UserRecord } from '../state.ts';
import { createChannel, createChat, createTeam } from './containers.ts';
import { postMessage, setReaction } from './messages.ts';

function user(ctx: SimContext, key: string): UserRecord {
  const u = ctx.state.findUser(key);
  if (!u) throw new Error(`seed refers to unknown user '${key}'`);
  return u;
}

function postSeed(
  ctx: SimContext,
  container: StoredMessage['container'],
  m: MessageSeed,
  previous: StoredMessage | null,
  replyToId: string | null = null,
): StoredMessage {
  let html = m.html;
  const mentions = m.mentions.map((key, i) => {
    const u = user(ctx, key);
    const text = new RegExp(`<at id="${i}">([^<]*)</at>`).exec(html)?.[1] ?? u.displayName;
    return {
      id: i,
      mentionText: text,
      mentioned: { user: { id: u.id, displayName: u.displayName, userIdentityType: 'aadUser' } },
    };
  });
  const hosted = m.hostedImages.map((img, i) => ({
    temporaryId: String(i + 1),
    contentType: img.contentType,
    bytes: Buffer.from(img.base64, 'base64'),
  }));
  const attachments: ChatMessageAttachment[] = [];
  if (m.codeSnippet) {
    const tmp = String(hosted.length + 1);
    hosted.push({ temporaryId: tmp, contentType: 'text/plain', bytes: Buffer.from(m.codeSnippet.code) });
    const id = guid();
    html += `<attachment id="${id}"></attachment>`;
    attachments.push({
      id,
      contentType: 'application/vnd.microsoft.card.codesnippet',
      content: JSON.stringify({
        language: m.codeSnippet.language,
        wrap: true,
        codeSnippetUrl: `../hostedContents/${tmp}/$value`,
      }),
      contentUrl: null,
      name: null,
      thumbnailUrl: null,
    });
  }
  if (m.quotePrevious && previous) {
    const id = previous.message.id ?? '';
    html = `<attachment id="${id}"></attachment>${html}`;
    attachments.push({
      id,
      contentType: 'messageReference',
      content: JSON.stringify({
        messageId: id,
        messagePreview: (previous.message.body?.content ?? '').replace(/<[^>]*>/g, '').slice(0, 100),
        messageSender: { user: previous.message.from?.user ?? null },
      }),
      contentUrl: null,
      name: null,
      thumbnailUrl: null,
    });
  }
  const stored = postMessage(
    ctx,
    container,
    user(ctx, m.from),
    {
      body: { contentType: 'html', content: html },
      mentions,
      attachments,
      hosted,
    },
    replyToId,
  );
  // Code-snippet URLs point at the hosted content like Teams does (the hosted ids exist only after the post).
  for (const a of stored.message.attachments ?? []) {
    if (a.contentType === 'application/vnd.microsoft.card.codesnippet' && a.content) {
      const hc = stored.hostedContents.at(-1);
      const path =
        container.kind === 'chat'
          ? `chats/${container.chatId}/messages/${stored.message.id}`
          : `teams/${container.teamId}/channels/${container.channelId}/messages/${stored.message.id}`;
      a.content = a.content.replace(
        /"\.\.\/hostedContents\/\d+\/\$value"/,
        `"${ctx.urls.graph}/${path}/hostedContents/${hc?.id}/$value"`,
      );
    }
  }
  for (const r of m.reactions) setReaction(ctx, stored, user(ctx, r.user), r.reactionType, true);
  for (const reply of m.replies) {
    if (container.kind !== 'channel')
      throw new Error('seed: replies exist only in channels (use quotePrevious in chats)');
    postSeed(
      ctx,
      container,
      { ...reply, mentions: [], hostedImages: [], replies: [], reactions: [], quotePrevious: false },
      null,
      stored.message.id ?? null,
    );
  }
  return stored;
}

export function seedTeamsContent(ctx: SimContext, seed: Seed): void {
  for (const t of seed.teams) {
    const team = createTeam(
      ctx,
      t.displayName,
      t.description,
      t.owners.map((k) => user(ctx, k)),
      t.members.map((k) => user(ctx, k)),
    );
    for (const c of t.channels) {
      const channel = createChannel(ctx, team, c.displayName, c.description);
      let prev: StoredMessage | null = null;
      for (const m of c.messages)
        prev = postSeed(ctx, { kind: 'channel', teamId: team.id, channelId: channel.id }, m, prev);
    }
  }
  for (const c of seed.chats) {
    const { chat } = createChat(
      ctx,
      c.chatType,
      c.members.map((k) => user(ctx, k)),
      c.topic ?? null,
    );
    let prev: StoredMessage | null = null;
    for (const m of c.messages) prev = postSeed(ctx, { kind: 'chat', chatId: chat.id }, m, prev);
  }
}
