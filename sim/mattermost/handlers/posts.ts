import { isIntegrationSession } from '../auth.ts';
import { invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId } from '../ids.ts';
import { canPostInChannel, canReadChannel, isAdmin, requireSystemPermission } from '../permissions.ts';
import {
  applyEdit,
  insertPost,
  MAX_MESSAGE_RUNES,
  type NewPost,
  POST_NOT_FOUND,
  RESERVED_PROPS,
  sendEphemeral,
} from '../post-writes.ts';
import type { PostRecord, SessionRecord, SimState } from '../state.ts';
import { postView } from '../views.ts';

/**
 * Posts (server api4/post.go, app/post.go).
 *
 * Contract:
 * - Create answers 201. The server sets `props.from_bot="true"` when the author is a bot and
 *   `props.from_oauth_app="true"` for OAuth sessions; `from_webhook` comes from commands/webhooks or the client.
 *   `create_at` from the client is honoured only for `manage_system`. `set_online=false` keeps the author's
 *   status untouched. Action buttons without an id get one.
 * - In hardened mode the reserved props (`from_webhook`, `override_username`, `override_icon_url`,
 *   `override_icon_emoji`, `webhook_display_name`) are refused for non-integration sessions (400).
 * - Edits set `edit_at` and `update_at`; deletes are soft (`delete_at`, replies go too). `GET
 *   /channels/{id}/posts?since=` returns every post whose `update_at` is after `since`, deleted ones included,
 *   so edits, reactions and deletes are all visible to a catch-up.
 * - `POST /posts/ephemeral` needs `create_post_ephemeral` (system admins only): the post is not stored, only
 *   pushed to the one user's sockets as `ephemeral_message`.
 */
function checkReservedProps(state: SimState, session: SessionRecord, props: unknown): void {
  if (!state.config.ServiceSettings.ExperimentalEnableHardenedMode || isIntegrationSession(state, session))
    return;
  if (props && typeof props === 'object' && RESERVED_PROPS.some((k) => k in props)) {
    throw new SimError(
      400,
      'api.context.invalid_body_param.app_error',
      'Invalid or missing props in request body.',
      'reserved props in hardened mode',
    );
  }
}

function parseProps(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParam('props');
  return v as Record<string, unknown>;
}

export function createPost(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (!isId(b.channel_id)) throw invalidParam('channel_id');
  const channel = state.channels.get(b.channel_id);
  if (!channel || !canPostInChannel(state, session, channel)) throw permissionDenied('create_post');
  if (channel.delete_at !== 0)
    throw new SimError(
      403,
      'api.post.create_post.can_not_post_to_deleted.error',
      'Can not post to deleted channel.',
    );
  const props = parseProps(b.props);
  checkReservedProps(state, session, props);
  const fileIds = b.file_ids;
  if (fileIds !== undefined && (!Array.isArray(fileIds) || !fileIds.every(isId)))
    throw invalidParam('file_ids');
  const input: NewPost = {
    channel_id: channel.id,
    user_id: session.user_id,
    message: typeof b.message === 'string' ? b.message : '',
    root_id: typeof b.root_id === 'string' ? b.root_id : '',
    file_ids: (fileIds as string[] | undefined) ?? [],
    pending_post_id: typeof b.pending_post_id === 'string' ? b.pending_post_id : '',
  };
  if (props) input.props = props;
  if (typeof b.create_at === 'number' && b.create_at > 0 && isAdmin(state, session))
    input.create_at = b.create_at;
  // As deduplicateCreatePost: the same pending_post_id within 30 s returns the post already made, so a client
  // retrying a create after a lost answer does not post twice.
  const pendingId = input.pending_post_id ?? '';
  const seen = pendingId ? state.pendingPostIds.get(pendingId) : undefined;
  if (seen && state.now() - seen.at <= PENDING_POST_ID_TTL_MS) {
    const earlier = state.posts.get(seen.post_id);
    if (earlier && earlier.user_id === session.user_id) return ok(postView(state, earlier), 201);
  }
  const post = insertPost(ctx.world, input, { setOnline: ctx.query.set_online !== 'false', session });
  if (pendingId) state.pendingPostIds.set(pendingId, { post_id: post.id, at: state.now() });
  return ok(postView(state, post), 201);
}

export const PENDING_POST_ID_TTL_MS = 30_000;

function postFromParam(ctx: RequestContext, session: SessionRecord): PostRecord {
  const id = ctx.params.post_id;
  if (!isId(id)) throw invalidUrlParam('post_id');
  const post = ctx.world.state.posts.get(id);
  if (!post) throw POST_NOT_FOUND();
  const channel = ctx.world.state.channels.get(post.channel_id);
  if (!channel || !canReadChannel(ctx.world.state, session, channel)) throw permissionDenied('read_channel');
  return post;
}

export function getPost(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  const post = postFromParam(ctx, session);
  if (post.delete_at !== 0 && !(ctx.query.include_deleted === 'true' && isAdmin(ctx.world.state, session)))
    throw POST_NOT_FOUND();
  return ok(postView(ctx.world.state, post));
}

export function getPostsByIds(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const ids = ctx.body;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isId)) throw invalidParam('post_ids');
  const out = (ids as string[])
    .map((id) => state.posts.get(id))
    .filter((p): p is PostRecord => p !== undefined && p.delete_at === 0)
    .filter((p) => {
      const c = state.channels.get(p.channel_id);
      return c !== undefined && canReadChannel(state, session, c);
    })
    .map((p) => postView(state, p));
  return ok(out);
}

function requireEditable(state: SimState, session: SessionRecord, post: PostRecord): void {
  if (post.delete_at !== 0) throw POST_NOT_FOUND();
  if (post.user_id !== session.user_id) {
    if (!isAdmin(state, session)) throw permissionDenied('edit_others_posts');
    return;
  }
  const limit = state.config.ServiceSettings.PostEditTimeLimit;
  if (limit !== -1 && state.now() > post.create_at + limit * 1000) {
    throw new SimError(
      400,
      'api.post.update_post.permissions_time_limit.app_error',
      `Post edit is only allowed for ${limit} seconds.`,
    );
  }
}

export function patchPost(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const post = postFromParam(ctx, session);
  requireEditable(state, session, post);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const props = parseProps(b.props);
  checkReservedProps(state, session, props);
  const change: Parameters<typeof applyEdit>[2] = {};
  if (typeof b.message === 'string') change.message = b.message;
  if (props) change.props = props;
  if (typeof b.is_pinned === 'boolean') change.is_pinned = b.is_pinned;
  if (Array.isArray(b.file_ids) && b.file_ids.every(isId)) change.file_ids = b.file_ids as string[];
  if (change.message !== undefined && [...change.message].length > MAX_MESSAGE_RUNES) {
    throw new SimError(
      400,
      'model.post.is_valid.msg.app_error',
      'Post Message property is longer than the maximum permitted length.',
    );
  }
  applyEdit(ctx.world, post, change);
  return ok(postView(state, post));
}

/** Full update: fields the client omits are blanked (message, props, file_ids), as the spec says. */
export function updatePost(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const post = postFromParam(ctx, session);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (b.id !== post.id) throw invalidParam('id');
  requireEditable(state, session, post);
  const props = parseProps(b.props) ?? {};
  checkReservedProps(state, session, props);
  applyEdit(ctx.world, post, {
    message: typeof b.message === 'string' ? b.message : '',
    props,
    file_ids: Array.isArray(b.file_ids) ? (b.file_ids as string[]).filter(isId) : [],
    is_pinned: b.is_pinned === true,
  });
  return ok(postView(state, post));
}

export function deletePost(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const post = postFromParam(ctx, session);
  if (post.delete_at !== 0) throw POST_NOT_FOUND();
  if (post.user_id !== session.user_id && !isAdmin(state, session))
    throw permissionDenied('delete_others_posts');
  const now = state.postTick();
  const doomed = [
    post,
    ...[...state.posts.values()].filter((p) => p.root_id === post.id && p.delete_at === 0),
  ];
  for (const p of doomed) {
    p.delete_at = now;
    p.update_at = now;
    state.logPost({ at: now, kind: 'deleted', post: p });
  }
  // As app.DeletePost: one post_deleted for the post asked for; its replies go quietly (visible through since).
  const data: Record<string, unknown> = { post: JSON.stringify(postView(state, post)) };
  if (isAdmin(state, session)) data.delete_by = session.user_id;
  ctx.world.hub.publish('post_deleted', data, { channel_id: post.channel_id });
  return STATUS_OK;
}

function postList(state: SimState, posts: PostRecord[]): Record<string, unknown> {
  const sorted = [...posts].sort((a, b) => b.create_at - a.create_at);
  const map: Record<string, unknown> = {};
  for (const p of sorted) map[p.id] = postView(state, p);
  return {
    order: sorted.map((p) => p.id),
    posts: map,
    next_post_id: '',
    prev_post_id: '',
    has_next: false,
    first_inaccessible_post_time: 0,
  };
}

export function getChannelPosts(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const id = ctx.params.channel_id;
  if (!isId(id)) throw invalidUrlParam('channel_id');
  const channel = state.channels.get(id);
  if (!channel || !canReadChannel(state, session, channel)) throw permissionDenied('read_channel');
  const all = [...state.posts.values()].filter((p) => p.channel_id === channel.id);
  if (ctx.query.since !== undefined) {
    const since = Number(ctx.query.since);
    if (!Number.isFinite(since)) throw invalidUrlParam('since');
    // As SqlPostStore.GetPostsSince: `update_at > since` (deleted posts included), at most 1000, plus the roots
    // of any replies among them so threads can be placed.
    const changed = all.filter((p) => p.update_at > since).slice(0, 1000);
    const ids = new Set(changed.map((p) => p.id));
    for (const p of [...changed]) {
      const root = p.root_id ? state.posts.get(p.root_id) : undefined;
      if (root && !ids.has(root.id)) {
        ids.add(root.id);
        changed.push(root);
      }
    }
    return ok(postList(state, changed));
  }
  const live = all.filter((p) => p.delete_at === 0).sort((a, b) => b.create_at - a.create_at);
  const perPage = Math.min(Number(ctx.query.per_page ?? 60) || 60, 200);
  let window = live;
  if (ctx.query.before) {
    const i = live.findIndex((p) => p.id === ctx.query.before);
    window = i >= 0 ? live.slice(i + 1) : [];
  } else if (ctx.query.after) {
    const i = live.findIndex((p) => p.id === ctx.query.after);
    window = i >= 0 ? live.slice(0, i).reverse().slice(0, perPage).reverse() : [];
    return ok(postList(state, window));
  }
  const page = Number(ctx.query.page ?? 0) || 0;
  return ok(postList(state, window.slice(page * perPage, (page + 1) * perPage)));
}

export function getThread(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const post = postFromParam(ctx, session);
  if (post.delete_at !== 0) throw POST_NOT_FOUND();
  const rootId = post.root_id || post.id;
  const posts = [...state.posts.values()].filter(
    (p) => (p.id === rootId || p.root_id === rootId) && p.delete_at === 0,
  );
  return ok(postList(state, posts));
}

export function createEphemeralPost(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as {
    user_id?: unknown;
    post?: { channel_id?: unknown; message?: unknown; props?: unknown; root_id?: unknown };
  };
  // Order as api4 createEphemeralPost: body shape first, then create_post_ephemeral.
  if (typeof b.user_id !== 'string' || b.user_id === '') throw invalidParam('user_id');
  const p = b.post;
  if (!p || typeof p !== 'object') throw invalidParam('post');
  requireSystemPermission(state, session, 'create_post_ephemeral');
  // Stricter than the server, which sends to whatever ids it is given: unknown users or channels are 400.
  if (!isId(b.user_id) || !state.users.has(b.user_id)) throw invalidParam('user_id');
  if (!isId(p.channel_id) || !state.channels.has(p.channel_id)) throw invalidParam('post.channel_id');
  const input: Parameters<typeof sendEphemeral>[2] = {
    channel_id: p.channel_id,
    user_id: session.user_id,
    message: typeof p.message === 'string' ? p.message : '',
    root_id: typeof p.root_id === 'string' ? p.root_id : '',
  };
  const props = parseProps(p.props);
  if (props) input.props = props;
  const record = sendEphemeral(ctx.world, b.user_id, input);
  return ok(postView(state, record), 201);
}

/** `POST /posts/{id}/pin|unpin`: channel members (or admins); the change is an edit without `edit_at`. */
export function setPinned(pinned: boolean) {
  return (ctx: RequestContext): Result => {
    const state = ctx.world.state;
    const session = sessionOf(ctx);
    const post = postFromParam(ctx, session);
    if (post.delete_at !== 0) throw POST_NOT_FOUND();
    if (!state.channelMember(post.channel_id, session.user_id) && !isAdmin(state, session))
      throw permissionDenied('read_channel');
    if (post.is_pinned !== pinned) applyEdit(ctx.world, post, { is_pinned: pinned });
    return STATUS_OK;
  };
}
