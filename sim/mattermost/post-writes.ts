import { SimError } from './errors.ts';
import { markOnline } from './handlers/status.ts';
import { newId } from './ids.ts';
import type { ChannelRecord, PostRecord, SessionRecord, SimState } from './state.ts';
import { postView } from './views.ts';
import type { World } from './world.ts';

/**
 * Every write that creates or changes a post, shared by REST, command responses, response_url and action
 * updates: validate, store, keep the channel counters, log for the control API, publish the WebSocket event.
 *
 * Contract: the server sets `props.from_bot="true"` when the author is a bot and `props.from_oauth_app="true"`
 * for OAuth sessions; action buttons without an id get one; post timestamps are strictly increasing across all
 * post writes (`SimState.postTick`); edits keep `from_bot` and `from_oauth_app`, and set `edit_at` only when the
 * message changes.
 */
export const POST_NOT_FOUND = (): SimError =>
  new SimError(404, 'app.post.get.app_error', 'Unable to get the post.');
export const RESERVED_PROPS = [
  'from_webhook',
  'override_username',
  'override_icon_url',
  'override_icon_emoji',
  'webhook_display_name',
];
export const MAX_MESSAGE_RUNES = 16383;
const MAX_FILE_IDS = 10;

export interface NewPost {
  channel_id: string;
  user_id: string;
  message: string;
  root_id?: string;
  props?: Record<string, unknown>;
  file_ids?: string[];
  type?: string;
  create_at?: number;
  pending_post_id?: string;
}

/** Validates, stores, logs and publishes a post; shared by REST, command responses and response_url. */
export function insertPost(
  world: World,
  input: NewPost,
  opts: { setOnline?: boolean; session?: SessionRecord } = {},
): PostRecord {
  const state = world.state;
  const channel = state.channels.get(input.channel_id);
  if (!channel) throw new SimError(400, 'api.post.create_post.channel_id.app_error', 'Invalid channel_id.');
  if ([...input.message].length > MAX_MESSAGE_RUNES) {
    throw new SimError(
      400,
      'model.post.is_valid.msg.app_error',
      'Post Message property is longer than the maximum permitted length.',
    );
  }
  const rootId = input.root_id ?? '';
  if (rootId !== '') {
    const root = state.posts.get(rootId);
    if (!root || root.channel_id !== channel.id || root.root_id !== '' || root.delete_at !== 0) {
      throw new SimError(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.');
    }
  }
  const fileIds = input.file_ids ?? [];
  if (fileIds.length > MAX_FILE_IDS)
    throw new SimError(400, 'model.post.is_valid.file_ids.app_error', 'Invalid file ids.');
  const author = state.users.get(input.user_id);
  const props: Record<string, unknown> = structuredClone(input.props ?? {});
  if (author?.is_bot) props.from_bot = 'true';
  if (opts.session?.kind === 'oauth') props.from_oauth_app = 'true';
  assignActionIds(props);
  // Strictly increasing across post writes (SimState.postTick), so ordering and `since` never tie.
  const now = state.postTick();
  const post: PostRecord = {
    id: newId(),
    create_at: input.create_at ?? now,
    update_at: now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: input.user_id,
    channel_id: channel.id,
    root_id: rootId,
    original_id: '',
    message: input.message,
    type: input.type ?? '',
    props,
    hashtags: '',
    pending_post_id: input.pending_post_id ?? '',
    file_ids: [],
    has_reactions: false,
  };
  // The server attaches only files the author uploaded to this channel and that no post holds yet.
  for (const id of fileIds) {
    const f = state.files.get(id);
    if (f && f.user_id === post.user_id && f.channel_id === channel.id && f.post_id === '') {
      f.post_id = post.id;
      post.file_ids.push(id);
    }
  }
  state.posts.set(post.id, post);
  // As SqlPostStore.Save: a reply bumps its root's update_at, so `since` catch-ups see the thread moved.
  const root = rootId ? state.posts.get(rootId) : undefined;
  if (root) root.update_at = Math.max(root.update_at, now);
  channel.last_post_at = Math.max(channel.last_post_at, post.create_at, now);
  channel.total_msg_count++;
  const member = state.channelMember(channel.id, post.user_id);
  if (member) member.msg_count = channel.total_msg_count;
  state.logPost({ at: now, kind: 'created', post });
  if (opts.setOnline !== false) markOnline(world, post.user_id);
  const data: Record<string, unknown> = {
    channel_display_name: channel.display_name,
    channel_name: channel.name,
    channel_type: channel.type,
    post: JSON.stringify(postView(state, post)),
    sender_name: `@${author?.username ?? ''}`,
    set_online: opts.setOnline !== false,
    team_id: channel.team_id,
  };
  // As the server: `mentions` (a JSON string of user ids) is present only when someone is mentioned.
  const mentions = mentionedIds(state, channel, post);
  if (mentions.length > 0) data.mentions = JSON.stringify(mentions);
  world.hub.publish('posted', data, { channel_id: channel.id });
  return post;
}

/** DMs mention the other member; elsewhere `@username` of a channel member does. */
function mentionedIds(state: SimState, channel: ChannelRecord, post: PostRecord): string[] {
  const members = state.channelMemberIds(channel.id).filter((id) => id !== post.user_id);
  if (channel.type === 'D') return members;
  return members.filter((id) => {
    const u = state.users.get(id);
    return (
      u !== undefined && new RegExp(`(^|\\W)@${u.username.replace(/[.]/g, '\\.')}(\\W|$)`).test(post.message)
    );
  });
}

export function assignActionIds(props: Record<string, unknown>): void {
  const attachments = props.attachments;
  if (!Array.isArray(attachments)) return;
  for (const a of attachments) {
    const actions = (a as { actions?: unknown } | null)?.actions;
    if (!Array.isArray(actions)) continue;
    for (const action of actions) {
      const act = action as Record<string, unknown>;
      if (typeof act.id !== 'string' || act.id === '') act.id = newId();
    }
  }
}

/** The server-set provenance props (`from_bot`, `from_oauth_app`) survive any edit. */
function keepServerProps(
  old: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const out = structuredClone(next);
  for (const k of ['from_bot', 'from_oauth_app']) {
    if (k in old && !(k in out)) out[k] = old[k];
  }
  assignActionIds(out);
  return out;
}

/** Stores an edit, logs it and publishes `post_edited`; shared by REST and action `update` responses. */
export function applyEdit(
  world: World,
  post: PostRecord,
  change: { message?: string; props?: Record<string, unknown>; file_ids?: string[]; is_pinned?: boolean },
): void {
  const state = world.state;
  const now = state.postTick();
  // As app.UpdatePost: only a changed message marks the post edited.
  if (change.message !== undefined && change.message !== post.message) {
    post.message = change.message;
    post.edit_at = now;
  }
  if (change.props !== undefined) post.props = keepServerProps(post.props, change.props);
  if (change.file_ids !== undefined) post.file_ids = change.file_ids;
  if (change.is_pinned !== undefined) post.is_pinned = change.is_pinned;
  post.update_at = now;
  state.logPost({ at: now, kind: 'edited', post });
  world.hub.publish(
    'post_edited',
    { post: JSON.stringify(postView(state, post)) },
    { channel_id: post.channel_id },
  );
}

/** Pushes a not-stored post to one user's sockets (server `SendEphemeralPost`). */
export function sendEphemeral(
  world: World,
  toUserId: string,
  post: {
    channel_id: string;
    user_id: string;
    message: string;
    props?: Record<string, unknown>;
    root_id?: string;
  },
): PostRecord {
  const state = world.state;
  const now = state.now();
  const record: PostRecord = {
    id: newId(),
    create_at: now,
    update_at: now,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: post.user_id,
    channel_id: post.channel_id,
    root_id: post.root_id ?? '',
    original_id: '',
    message: post.message,
    type: 'system_ephemeral',
    props: structuredClone(post.props ?? {}),
    hashtags: '',
    pending_post_id: '',
    file_ids: [],
    has_reactions: false,
  };
  assignActionIds(record.props);
  addActionCookies(state, record, toUserId);
  state.logPost({ at: now, kind: 'ephemeral', post: record, to_user_id: toUserId });
  world.hub.publish(
    'ephemeral_message',
    { post: JSON.stringify(postView(state, record)) },
    { user_id: toUserId, channel_id: record.channel_id },
  );
  return record;
}

/**
 * As `AddPostActionCookies`: each button of an ephemeral post gets a `cookie` standing for its integration, since
 * the click cannot find the post in the store. The cookie is opaque here (the server's is encrypted data).
 */
function addActionCookies(state: SimState, post: PostRecord, toUserId: string): void {
  const attachments = post.props.attachments;
  if (!Array.isArray(attachments)) return;
  for (const a of attachments) {
    const actions = (a as { actions?: unknown } | null)?.actions;
    if (!Array.isArray(actions)) continue;
    for (const action of actions) {
      const act = action as Record<string, unknown>;
      if (!act.integration) continue;
      const cookie = newId() + newId();
      act.cookie = cookie;
      state.actionCookies.set(cookie, { post, to_user_id: toUserId });
    }
  }
}

/** As `UpdateEphemeralPost`: the clicker's copy of an ephemeral post changes; nothing is stored. */
export function updateEphemeral(world: World, toUserId: string, post: PostRecord): void {
  const state = world.state;
  const now = state.now();
  post.update_at = now;
  post.edit_at = now;
  assignActionIds(post.props);
  addActionCookies(state, post, toUserId);
  state.logPost({ at: now, kind: 'ephemeral', post, to_user_id: toUserId });
  world.hub.publish(
    'post_edited',
    { post: JSON.stringify(postView(state, post)) },
    { user_id: toUserId, channel_id: post.channel_id },
  );
}
