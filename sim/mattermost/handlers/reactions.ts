import { invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId } from '../ids.ts';
import { canReadChannel, isAdmin } from '../permissions.ts';
import { POST_NOT_FOUND } from '../post-writes.ts';
import type { PostRecord, ReactionRecord, SessionRecord } from '../state.ts';
import { reactionView } from '../views.ts';

/**
 * Reactions (server api4/reaction.go). Saving is an upsert answering **200**, and `user_id` must be the session's
 * own user, admins included (403 `api.reaction.save_reaction.user_id.app_error`); reacting needs membership of the
 * post's channel (403 `add_reaction`, also for a missing post, as the channel-by-post check answers). Removing someone else's needs
 * `manage_system`. Both bump the post's `update_at` (so `since` sees them) and publish to the channel.
 */
const EMOJI = /^[a-zA-Z0-9_+-]{1,64}$/;

function readablePost(ctx: RequestContext, session: SessionRecord, postId: unknown): PostRecord {
  if (!isId(postId)) throw invalidParam('post_id');
  const post = ctx.world.state.posts.get(postId);
  if (post?.delete_at !== 0) throw POST_NOT_FOUND();
  const channel = ctx.world.state.channels.get(post.channel_id);
  if (!channel || !canReadChannel(ctx.world.state, session, channel)) throw permissionDenied('read_channel');
  return post;
}

export function saveReaction(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as { user_id?: unknown; post_id?: unknown; emoji_name?: unknown };
  // Order as api4 saveReaction: shape, self-only, add_reaction in the post's channel, then the emoji rules.
  if (
    !isId(b.user_id) ||
    !isId(b.post_id) ||
    typeof b.emoji_name !== 'string' ||
    b.emoji_name === '' ||
    b.emoji_name.length > 64
  ) {
    throw new SimError(400, 'api.reaction.save_reaction.invalid.app_error', 'Reaction is not valid.');
  }
  if (b.user_id !== session.user_id) {
    throw new SimError(
      403,
      'api.reaction.save_reaction.user_id.app_error',
      'You cannot save reaction for the other user.',
    );
  }
  const post = state.posts.get(b.post_id);
  const channel = post ? state.channels.get(post.channel_id) : undefined;
  // add_reaction is a channel-member permission (public channels included); admins hold it everywhere.
  if (
    post?.delete_at !== 0 ||
    !channel ||
    (!state.channelMember(channel.id, session.user_id) && !isAdmin(state, session))
  ) {
    throw permissionDenied('add_reaction');
  }
  if (!EMOJI.test(b.emoji_name)) {
    throw new SimError(400, 'model.reaction.is_valid.emoji_name.app_error', 'Invalid emoji name.');
  }
  let reaction = state.reactions.find(
    (r) => r.post_id === post.id && r.user_id === session.user_id && r.emoji_name === b.emoji_name,
  );
  if (!reaction) {
    reaction = {
      user_id: session.user_id,
      post_id: post.id,
      emoji_name: b.emoji_name,
      create_at: state.now(),
      channel_id: post.channel_id,
    };
    state.reactions.push(reaction);
    post.has_reactions = true;
    post.update_at = state.postTick();
    ctx.world.hub.publish(
      'reaction_added',
      { reaction: JSON.stringify(reactionView(reaction)) },
      { channel_id: post.channel_id },
    );
  }
  return ok(reactionView(reaction));
}

export function deleteReaction(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = ctx.params.user_id;
  if (!isId(userId)) throw invalidUrlParam('user_id');
  if (userId !== session.user_id && !isAdmin(state, session))
    throw permissionDenied('remove_others_reactions');
  const post = readablePost(ctx, session, ctx.params.post_id);
  const emoji = ctx.params.emoji_name ?? '';
  const found: ReactionRecord | undefined = state.reactions.find(
    (r) => r.post_id === post.id && r.user_id === userId && r.emoji_name === emoji,
  );
  if (found) {
    state.reactions = state.reactions.filter((r) => r !== found);
    post.has_reactions = state.reactions.some((r) => r.post_id === post.id);
    post.update_at = state.postTick();
    ctx.world.hub.publish(
      'reaction_removed',
      { reaction: JSON.stringify(reactionView(found)) },
      { channel_id: post.channel_id },
    );
  }
  return STATUS_OK;
}

export function getReactions(ctx: RequestContext): Result {
  const post = readablePost(ctx, sessionOf(ctx), ctx.params.post_id);
  return ok(ctx.world.state.reactions.filter((r) => r.post_id === post.id).map(reactionView));
}
