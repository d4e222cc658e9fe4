import { invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, sessionOf } from '../http/context.ts';
import { isId } from '../ids.ts';
import { canReadChannel } from '../permissions.ts';
import { applyEdit, sendEphemeral, updateEphemeral } from '../post-writes.ts';
import type { PostRecord } from '../state.ts';
import { CallbackRefused } from './callback-client.ts';
import { mintTrigger } from './triggers.ts';

/**
 * Interactive message actions (server app/integration_action.go `DoPostActionWithCookie`).
 *
 * Contract: the clicker must be able to read the post's channel. The server POSTs JSON
 * `{user_id, user_name, channel_id, channel_name, team_id, team_domain, post_id, trigger_id, type, data_source,
 * context}` to the action's `integration.url` (no signature: integrations verify a secret in `context`); for a
 * select, `context.selected_option` carries the choice. A refused, failed, non-200 or non-JSON answer is 400
 * `api.post.do_action.action_integration.app_error`. The answer's `update` replaces the post's message, and its
 * props when given (`from_webhook`/`override_*` only as the original had them); `ephemeral_text` becomes an
 * ephemeral post to the clicker, in the post's thread. The client gets `{status:"OK", trigger_id, goto_location?}`.
 * Buttons on ephemeral posts work through the `cookie` the client sends back (the post is not stored); their
 * `update` goes to the clicker only, as a `post_edited` event (`UpdateEphemeralPost`).
 */
const RETAINED_PROPS = ['from_webhook', 'override_username', 'override_icon_url'];

interface StoredAction {
  id?: string;
  type?: string;
  data_source?: string;
  integration?: { url?: string; context?: Record<string, unknown> };
}

export async function doPostAction(ctx: RequestContext): Promise<Result> {
  const world = ctx.world;
  const state = world.state;
  const session = sessionOf(ctx);
  const postId = ctx.params.post_id;
  if (!isId(postId)) throw invalidUrlParam('post_id');
  const body = (ctx.body ?? {}) as { selected_option?: unknown; cookie?: unknown };
  // A stored post wins; only a post the store does not have (an ephemeral one) is taken from its cookie.
  const stored = state.posts.get(postId);
  let post: PostRecord;
  let ephemeralFor: string | undefined;
  if (stored) {
    // The server checks read_channel by post, so a deleted post is a 403 like an unreadable one.
    if (stored.delete_at !== 0) throw permissionDenied('read_channel');
    post = stored;
  } else {
    const cookie = typeof body.cookie === 'string' ? state.actionCookies.get(body.cookie) : undefined;
    if (!cookie) throw permissionDenied('read_channel');
    if (cookie.post.id !== postId) {
      throw new SimError(
        400,
        'api.post.do_action.action_integration.app_error',
        'Action integration error.',
        "postId doesn't match",
      );
    }
    post = cookie.post;
    ephemeralFor = cookie.to_user_id;
  }
  const channel = state.channels.get(post.channel_id);
  if (!channel || !canReadChannel(state, session, channel)) throw permissionDenied('read_channel');
  const action = findAction(post.props, ctx.params.action_id ?? '');
  if (!action?.integration?.url)
    throw new SimError(404, 'api.post.do_action.action_id.app_error', 'Invalid action id.');
  const user = state.users.get(session.user_id);
  const team = state.teams.get(channel.team_id);
  const context: Record<string, unknown> = { ...(action.integration.context ?? {}) };
  if (typeof body.selected_option === 'string' && body.selected_option !== '')
    context.selected_option = body.selected_option;
  const triggerId = mintTrigger(state, session.user_id);
  const request = {
    user_id: session.user_id,
    user_name: user?.username ?? '',
    channel_id: channel.id,
    channel_name: channel.name,
    team_id: channel.team_id,
    team_domain: team?.name ?? '',
    post_id: post.id,
    trigger_id: triggerId,
    type: action.type ?? 'button',
    data_source: action.data_source ?? '',
    context,
  };
  const fail = (detail: string): SimError =>
    new SimError(400, 'api.post.do_action.action_integration.app_error', 'Action integration error.', detail);
  let res: Awaited<ReturnType<typeof world.callbacks.send>>;
  try {
    res = await world.callbacks.send('action', action.integration.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (e) {
    throw fail(e instanceof CallbackRefused ? e.message : String(e));
  }
  if (res.status !== 200) throw fail(`status=${res.status}`);
  let response: {
    update?: { message?: unknown; props?: unknown } | null;
    ephemeral_text?: unknown;
    goto_location?: unknown;
  } = {};
  if (res.body.trim() !== '') {
    try {
      response = JSON.parse(res.body);
    } catch {
      throw fail('invalid JSON in response');
    }
  }
  const update = response.update;
  if (update && typeof update === 'object') {
    // As DoPostActionWithCookie: the update is a whole post (its message replaces the old one); without props
    // the old props stay; with props, from_webhook and the overrides come from the original post only.
    const change: Parameters<typeof applyEdit>[2] = {
      message: typeof update.message === 'string' ? update.message : '',
    };
    if (update.props && typeof update.props === 'object' && !Array.isArray(update.props)) {
      const next = { ...(update.props as Record<string, unknown>) };
      for (const k of RETAINED_PROPS) {
        if (k in post.props) next[k] = post.props[k];
        else delete next[k];
      }
      change.props = next;
    }
    if (ephemeralFor === undefined) applyEdit(world, post, change);
    else {
      const next: PostRecord = structuredClone(post);
      next.message = change.message ?? '';
      if (change.props) next.props = change.props;
      updateEphemeral(world, session.user_id, next);
    }
  }
  if (typeof response.ephemeral_text === 'string' && response.ephemeral_text !== '') {
    const props: Record<string, unknown> = {};
    for (const k of RETAINED_PROPS) if (k in post.props) props[k] = post.props[k];
    sendEphemeral(world, session.user_id, {
      channel_id: channel.id,
      user_id: session.user_id,
      message: response.ephemeral_text,
      root_id: post.root_id || post.id,
      props,
    });
  }
  const out: Record<string, unknown> = { status: 'OK', trigger_id: triggerId };
  if (typeof response.goto_location === 'string') out.goto_location = response.goto_location;
  return ok(out);
}

function findAction(props: Record<string, unknown>, actionId: string): StoredAction | undefined {
  const attachments = props.attachments;
  if (!Array.isArray(attachments)) return undefined;
  for (const a of attachments) {
    const actions = (a as { actions?: unknown } | null)?.actions;
    if (!Array.isArray(actions)) continue;
    for (const action of actions as StoredAction[]) if (action.id === actionId) return action;
  }
  return undefined;
}
