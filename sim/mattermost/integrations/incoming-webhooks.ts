import { disabled, invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { insertChannel, insertChannelMember } from '../handlers/channels.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { directChannelName, isId, newId } from '../ids.ts';
import { canManageSlashCommands, canReadChannel, isAdmin } from '../permissions.ts';
import { insertPost } from '../post-writes.ts';
import type { ChannelRecord, IncomingWebhookRecord, SessionRecord, SimState } from '../state.ts';

/**
 * Incoming webhooks (server api4/webhook.go, app/webhook.go `HandleIncomingWebhook`, `CreateWebhookPost`).
 *
 * Contract:
 * - Management needs `EnableIncomingWebhooks` (else 501 `api.incoming_webhook.disabled.app_error`) and
 *   `manage_incoming_webhooks` (team admin or system admin, assumed like slash commands), plus read access to the
 *   channel.
 * - `POST /hooks/{id}` takes JSON or a form with `payload=<json>`: `{text, channel?, username?, icon_url?, props?,
 *   attachments?, type?}`. It posts **as the hook's creator** with `props.from_webhook="true"`; the hook's (or the
 *   payload's) username/icon become `override_username`/`override_icon_url` only with the override switches on.
 *   `channel` may name another channel of the hook's team (or `@user` for a DM with the creator) unless
 *   `channel_locked`. Text or attachments are required. The answer is `ok` as text/plain.
 */
const HOOK_NOT_FOUND = (): SimError =>
  new SimError(404, 'app.webhooks.get_incoming.app_error', 'Unable to get the webhook.');

function hookView(h: IncomingWebhookRecord): IncomingWebhookRecord {
  return { ...h };
}

function requireEnabled(state: SimState, id = 'api.incoming_webhook.disabled.app_error'): void {
  if (!state.config.ServiceSettings.EnableIncomingWebhooks)
    throw disabled(id, 'Incoming webhooks have been disabled by the system admin.');
}

export function createIncomingHook(ctx: RequestContext): Result {
  const state = ctx.world.state;
  requireEnabled(state);
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (!isId(b.channel_id)) throw invalidParam('channel_id');
  const channel = state.channels.get(b.channel_id);
  if (!channel || channel.team_id === '' || !canReadChannel(state, session, channel))
    throw permissionDenied('read_channel');
  if (!canManageSlashCommands(state, session, channel.team_id))
    throw permissionDenied('manage_incoming_webhooks');
  const str = (k: string): string => (typeof b[k] === 'string' ? (b[k] as string) : '');
  const now = state.now();
  const hook: IncomingWebhookRecord = {
    id: newId(),
    user_id: session.user_id,
    channel_id: channel.id,
    team_id: channel.team_id,
    display_name: str('display_name'),
    description: str('description'),
    username: str('username'),
    icon_url: str('icon_url'),
    channel_locked: b.channel_locked === true,
    create_at: now,
    update_at: now,
    delete_at: 0,
  };
  state.incomingWebhooks.set(hook.id, hook);
  return ok(hookView(hook), 201);
}

function managedHook(ctx: RequestContext, session: SessionRecord): IncomingWebhookRecord {
  const id = ctx.params.hook_id;
  if (!isId(id)) throw invalidUrlParam('hook_id');
  const hook = ctx.world.state.incomingWebhooks.get(id);
  if (hook?.delete_at !== 0) throw HOOK_NOT_FOUND();
  if (!canManageSlashCommands(ctx.world.state, session, hook.team_id))
    throw permissionDenied('manage_incoming_webhooks');
  return hook;
}

export function listIncomingHooks(ctx: RequestContext): Result {
  const state = ctx.world.state;
  requireEnabled(state);
  const session = sessionOf(ctx);
  const teamId = ctx.query.team_id;
  if (teamId ? !canManageSlashCommands(state, session, teamId) : !isAdmin(state, session))
    throw permissionDenied('manage_incoming_webhooks');
  return ok(
    [...state.incomingWebhooks.values()]
      .filter((h) => h.delete_at === 0 && (!teamId || h.team_id === teamId))
      .map(hookView),
  );
}

export function getIncomingHook(ctx: RequestContext): Result {
  requireEnabled(ctx.world.state);
  return ok(hookView(managedHook(ctx, sessionOf(ctx))));
}

export function deleteIncomingHook(ctx: RequestContext): Result {
  requireEnabled(ctx.world.state);
  const hook = managedHook(ctx, sessionOf(ctx));
  hook.delete_at = ctx.world.state.now();
  return STATUS_OK;
}

interface Payload {
  text?: unknown;
  channel?: unknown;
  username?: unknown;
  icon_url?: unknown;
  props?: unknown;
  attachments?: unknown;
  type?: unknown;
}

function parsePayload(body: unknown): Payload {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const form = (body as { payload?: unknown }).payload;
    if (typeof form !== 'string') return body as Payload;
    try {
      return JSON.parse(form) as Payload;
    } catch {
      // fall through to the parse error
    }
  }
  throw new SimError(
    400,
    'api.webhook.incoming.error',
    'Could not decode the multipart payload of incoming webhook.',
  );
}

function targetChannel(state: SimState, hook: IncomingWebhookRecord, name: string): ChannelRecord {
  const own = state.channels.get(hook.channel_id);
  if (!own) throw new SimError(400, 'web.incoming_webhook.channel.app_error', "Couldn't find the channel.");
  if (name === '' || name === own.name) return own;
  if (hook.channel_locked)
    throw new SimError(
      403,
      'web.incoming_webhook.channel_locked.app_error',
      'This webhook is not permitted to post to the requested channel.',
    );
  if (name.startsWith('@')) {
    const other = state.userByUsername(name.slice(1));
    if (!other) throw new SimError(400, 'web.incoming_webhook.user.app_error', "Couldn't find the user.");
    const dmName = directChannelName(hook.user_id, other.id);
    let dm = [...state.channels.values()].find((c) => c.type === 'D' && c.name === dmName);
    if (!dm) {
      dm = insertChannel(state, {
        team_id: '',
        type: 'D',
        name: dmName,
        display_name: '',
        creator_id: hook.user_id,
      });
      insertChannelMember(state, dm.id, hook.user_id);
      insertChannelMember(state, dm.id, other.id);
    }
    return dm;
  }
  const bare = name.replace(/^~/, '');
  const ch = [...state.channels.values()].find((c) => c.team_id === hook.team_id && c.name === bare);
  if (!ch) throw new SimError(400, 'web.incoming_webhook.channel.app_error', "Couldn't find the channel.");
  return ch;
}

export function handleIncomingHook(ctx: RequestContext): Result {
  const world = ctx.world;
  const state = world.state;
  requireEnabled(state, 'web.incoming_webhook.disabled.app_error');
  const hook = state.incomingWebhooks.get(ctx.params.hook_id ?? '');
  if (hook?.delete_at !== 0)
    throw new SimError(400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.');
  const p = parsePayload(ctx.body);
  const text = typeof p.text === 'string' ? p.text : '';
  const attachments = Array.isArray(p.attachments) ? p.attachments : undefined;
  if (text === '' && !attachments)
    throw new SimError(400, 'web.incoming_webhook.text.app_error', 'No text specified.');
  const channel = targetChannel(state, hook, typeof p.channel === 'string' ? p.channel : '');
  if (channel.type !== 'O' && channel.type !== 'D' && !state.channelMember(channel.id, hook.user_id)) {
    throw new SimError(
      403,
      'web.incoming_webhook.permissions.app_error',
      'Inappropriate channel permissions.',
    );
  }
  const props: Record<string, unknown> =
    p.props && typeof p.props === 'object' && !Array.isArray(p.props)
      ? { ...(p.props as Record<string, unknown>) }
      : {};
  if (attachments) props.attachments = attachments;
  props.from_webhook = 'true';
  const cfg = state.config.ServiceSettings;
  const username = (typeof p.username === 'string' && p.username) || hook.username;
  const icon = (typeof p.icon_url === 'string' && p.icon_url) || hook.icon_url;
  if (cfg.EnablePostUsernameOverride && username) props.override_username = username;
  if (cfg.EnablePostIconOverride && icon) props.override_icon_url = icon;
  insertPost(
    world,
    {
      channel_id: channel.id,
      user_id: hook.user_id,
      message: text,
      props,
      type: typeof p.type === 'string' ? p.type : '',
    },
    { setOnline: false },
  );
  return { status: 200, raw: { body: 'ok', contentType: 'text/plain' } };
}
