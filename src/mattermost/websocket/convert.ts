import { z } from 'zod';
import { parseMmChannelId, parseMmPostId, parseMmTeamId, parseMmUserId } from '../../core/ids.ts';
import type { EventSource, MmEvent, MmPostView } from '../events.ts';

const post = z.looseObject({
  id: z.string(),
  channel_id: z.string(),
  user_id: z.string(),
  root_id: z.string().default(''),
  message: z.string().default(''),
  props: z.record(z.string(), z.unknown()).nullish(),
  file_ids: z.array(z.string()).nullish(),
  type: z.string().default(''),
  create_at: z.number(),
  update_at: z.number(),
  edit_at: z.number().default(0),
  delete_at: z.number().default(0),
});

const reaction = z.looseObject({
  user_id: z.string(),
  post_id: z.string(),
  emoji_name: z.string(),
  channel_id: z.string().optional(),
});

/** A Mattermost post (REST or socket) as the domains see it. Throws on a malformed post. */
export function fromMattermostPost(raw: unknown): MmPostView {
  const p = post.parse(raw);
  const props = p.props ?? {};
  return {
    id: parseMmPostId(p.id),
    channelId: parseMmChannelId(p.channel_id),
    userId: parseMmUserId(p.user_id),
    rootId: p.root_id ? parseMmPostId(p.root_id) : undefined,
    message: p.message,
    props,
    fileIds: p.file_ids ?? [],
    type: p.type,
    createAt: p.create_at,
    updateAt: p.update_at,
    editAt: p.edit_at,
    deleteAt: p.delete_at,
    fromBot: props.from_bot === 'true' || props.from_bot === true,
    fromOAuthApp: props.from_oauth_app === 'true' || props.from_oauth_app === true,
  };
}

/** Socket frames carry posts and reactions as JSON strings inside `data`. */
function inner(data: Record<string, unknown>, key: string): unknown {
  const v = data[key];
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/**
 * One socket event → at most one domain event; undefined for events no domain needs (typing, statuses…).
 * `botUserId` recognises the bot's own team joins. Throws on a malformed payload (the caller logs it).
 */
export function fromSocketEvent(
  event: string,
  data: Record<string, unknown>,
  botUserId: string,
): MmEvent | undefined {
  const source: EventSource = 'live';
  switch (event) {
    case 'posted':
      return {
        kind: 'MmPostCreated',
        post: fromMattermostPost(inner(data, 'post')),
        channelType: typeof data.channel_type === 'string' ? data.channel_type : undefined,
        source,
      };
    case 'post_edited':
      return { kind: 'MmPostEdited', post: fromMattermostPost(inner(data, 'post')), source };
    case 'post_deleted':
      return { kind: 'MmPostDeleted', post: fromMattermostPost(inner(data, 'post')), source };
    case 'reaction_added':
    case 'reaction_removed': {
      const r = reaction.parse(inner(data, 'reaction'));
      return {
        kind: event === 'reaction_added' ? 'MmReactionAdded' : 'MmReactionRemoved',
        userId: parseMmUserId(r.user_id),
        postId: parseMmPostId(r.post_id),
        emojiName: r.emoji_name,
        channelId: r.channel_id ? parseMmChannelId(r.channel_id) : undefined,
      };
    }
    case 'added_to_team':
      if (data.user_id !== botUserId) return undefined;
      return { kind: 'MmBotAddedToTeam', teamId: parseMmTeamId(data.team_id) };
    default:
      return undefined;
  }
}

/** A post found by a catch-up: created, edited or deleted after `since`. */
export function fromCatchUp(p: MmPostView, since: number): MmEvent {
  if (p.deleteAt > 0) return { kind: 'MmPostDeleted', post: p, source: 'catch-up' };
  if (p.createAt > since)
    return { kind: 'MmPostCreated', post: p, channelType: undefined, source: 'catch-up' };
  return { kind: 'MmPostEdited', post: p, source: 'catch-up' };
}
