import { disabled, invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId, newId } from '../ids.ts';
import { canManageSlashCommands, canPostInChannel, isAdmin } from '../permissions.ts';
import type { CommandRecord, SessionRecord } from '../state.ts';
import { CallbackRefused } from './callback-client.ts';
import { type CommandResponse, handleCommandResponse, parseCommandResponse } from './command-response.ts';
import { mintTrigger } from './triggers.ts';

/**
 * Custom slash commands (server api4/command.go, app/command.go).
 *
 * Contract:
 * - Create needs `EnableCommands` (else 501) and `manage_slash_commands` on the team; the trigger is lower-cased,
 *   1–128 chars, no leading slash, no spaces, not a built-in, unique in the team. A token is generated.
 * - Execute finds the trigger in the channel's team, mints a trigger_id and a response_url
 *   (`<SiteURL>/hooks/commands/<id>`, 5 uses within 30 min), and sends the form
 *   (`token, team_id, team_domain, channel_id, channel_name, user_id, user_name, command, text, trigger_id,
 *   response_url`) with `Authorization: Token <token>`: a POST as x-www-form-urlencoded, or a GET with the
 *   fields in the query. A refused or failed call is 500 `api.command.execute_command.failed.app_error`; a
 *   non-200 answer is 500 `api.command.execute_command.failed_resp.app_error`.
 */
const BUILT_IN = new Set([
  'away',
  'code',
  'collapse',
  'dnd',
  'echo',
  'expand',
  'groupmsg',
  'header',
  'help',
  'invite',
  'invite_people',
  'join',
  'kick',
  'leave',
  'logout',
  'me',
  'msg',
  'mute',
  'offline',
  'online',
  'open',
  'purpose',
  'remove',
  'rename',
  'search',
  'settings',
  'shortcuts',
  'shrug',
  'status',
]);
const COMMAND_NOT_FOUND = (): SimError =>
  new SimError(404, 'store.sql_command.get.missing.app_error', 'Unable to find the command.');
export const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;
export const RESPONSE_URL_MAX_USES = 5;

function commandView(c: CommandRecord, withToken: boolean): Record<string, unknown> {
  const { token, ...rest } = c;
  return { ...rest, token: withToken ? token : '', autocomplete_data: null, plugin_id: '' };
}

function requireEnabled(ctx: RequestContext): void {
  if (!ctx.world.state.config.ServiceSettings.EnableCommands)
    throw disabled('api.command.disabled.app_error', 'Commands have been disabled by the system admin.');
}

function validate(
  ctx: RequestContext,
  b: Record<string, unknown>,
  teamId: string,
  selfId?: string,
): Omit<CommandRecord, 'id' | 'token' | 'creator_id' | 'create_at' | 'update_at' | 'delete_at' | 'team_id'> {
  if (typeof b.trigger !== 'string') throw invalidParam('trigger');
  const trigger = b.trigger.toLowerCase();
  if (trigger.length < 1 || trigger.length > 128 || trigger.startsWith('/') || /\s/.test(trigger)) {
    throw new SimError(400, 'model.command.is_valid.trigger.app_error', 'Invalid trigger.');
  }
  if (BUILT_IN.has(trigger))
    throw new SimError(
      400,
      'api.command.duplicate_trigger.app_error',
      'This trigger word is already in use. Please choose another word.',
    );
  for (const c of ctx.world.state.commands.values()) {
    if (c.team_id === teamId && c.trigger === trigger && c.delete_at === 0 && c.id !== selfId) {
      throw new SimError(
        400,
        'api.command.duplicate_trigger.app_error',
        'This trigger word is already in use. Please choose another word.',
      );
    }
  }
  if (typeof b.url !== 'string' || !/^https?:\/\/\S+$/.test(b.url))
    throw new SimError(400, 'model.command.is_valid.url.app_error', 'Invalid URL.');
  const method =
    b.method === 'G' || b.method === 'get' ? 'G' : b.method === 'P' || b.method === 'post' ? 'P' : undefined;
  if (!method) throw new SimError(400, 'model.command.is_valid.method.app_error', 'Invalid Method.');
  const str = (k: string, max: number): string => {
    const v = b[k];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string' || v.length > max)
      throw new SimError(400, `model.command.is_valid.${k}.app_error`, `Invalid ${k}.`);
    return v;
  };
  return {
    trigger,
    url: b.url,
    method,
    username: str('username', 64),
    icon_url: str('icon_url', 1024),
    auto_complete: b.auto_complete === true,
    auto_complete_desc: str('auto_complete_desc', 1024),
    auto_complete_hint: str('auto_complete_hint', 1024),
    display_name: str('display_name', 64),
    description: str('description', 128),
  };
}

export function createCommand(ctx: RequestContext): Result {
  requireEnabled(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (!isId(b.team_id) || !state.teams.has(b.team_id)) throw invalidParam('team_id');
  if (!canManageSlashCommands(state, session, b.team_id)) throw permissionDenied('manage_slash_commands');
  const fields = validate(ctx, b, b.team_id);
  const now = state.now();
  const cmd: CommandRecord = {
    id: newId(),
    token: newId(),
    creator_id: session.user_id,
    team_id: b.team_id,
    create_at: now,
    update_at: now,
    delete_at: 0,
    ...fields,
  };
  state.commands.set(cmd.id, cmd);
  return ok(commandView(cmd, true), 201);
}

export function listCommands(ctx: RequestContext): Result {
  requireEnabled(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const teamId = ctx.query.team_id;
  if (!isId(teamId)) throw invalidUrlParam('team_id');
  const manage = canManageSlashCommands(state, session, teamId);
  if (ctx.query.custom_only === 'true' && !manage) throw permissionDenied('manage_slash_commands');
  if (!manage && !state.teamMember(teamId, session.user_id)) throw permissionDenied('view_team');
  const out = [...state.commands.values()]
    .filter((c) => c.team_id === teamId && c.delete_at === 0)
    .map((c) => commandView(c, manage));
  return ok(out);
}

function managedCommand(ctx: RequestContext, session: SessionRecord): CommandRecord {
  const id = ctx.params.command_id;
  if (!isId(id)) throw invalidUrlParam('command_id');
  const cmd = ctx.world.state.commands.get(id);
  if (cmd?.delete_at !== 0) throw COMMAND_NOT_FOUND();
  if (!canManageSlashCommands(ctx.world.state, session, cmd.team_id))
    throw permissionDenied('manage_slash_commands');
  return cmd;
}

export function getCommand(ctx: RequestContext): Result {
  requireEnabled(ctx);
  return ok(commandView(managedCommand(ctx, sessionOf(ctx)), true));
}

export function updateCommand(ctx: RequestContext): Result {
  requireEnabled(ctx);
  const cmd = managedCommand(ctx, sessionOf(ctx));
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (b.id !== cmd.id) throw invalidParam('id');
  Object.assign(cmd, validate(ctx, b, cmd.team_id, cmd.id), { update_at: ctx.world.state.now() });
  return ok(commandView(cmd, true));
}

export function deleteCommand(ctx: RequestContext): Result {
  requireEnabled(ctx);
  const cmd = managedCommand(ctx, sessionOf(ctx));
  cmd.delete_at = ctx.world.state.now();
  return STATUS_OK;
}

export function regenCommandToken(ctx: RequestContext): Result {
  requireEnabled(ctx);
  const cmd = managedCommand(ctx, sessionOf(ctx));
  cmd.token = newId();
  cmd.update_at = ctx.world.state.now();
  return ok({ token: cmd.token });
}

export async function executeCommand(ctx: RequestContext): Promise<Result> {
  requireEnabled(ctx);
  const world = ctx.world;
  const state = world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as {
    channel_id?: unknown;
    command?: unknown;
    team_id?: unknown;
    root_id?: unknown;
    parent_id?: unknown;
  };
  // As api4 executeCommand: shape, use_slash_commands in the channel, then the team (from the channel, or for
  // DMs/GMs the body's team_id, which the user must belong to).
  if (
    typeof b.command !== 'string' ||
    b.command.length <= 1 ||
    !b.command.startsWith('/') ||
    !isId(b.channel_id)
  ) {
    throw new SimError(400, 'api.command.execute_command.start.app_error', 'No command trigger found.');
  }
  const channel = state.channels.get(b.channel_id);
  if (!channel || !canPostInChannel(state, session, channel)) throw permissionDenied('use_slash_commands');
  const teamId =
    channel.type === 'D' || channel.type === 'G'
      ? typeof b.team_id === 'string'
        ? b.team_id
        : ''
      : channel.team_id;
  if (
    (channel.type === 'D' || channel.type === 'G') &&
    !state.teamMember(teamId, session.user_id) &&
    !isAdmin(state, session)
  ) {
    throw permissionDenied('use_slash_commands');
  }
  const team = state.teams.get(teamId);
  const user = state.users.get(session.user_id);
  const [word = '', ...rest] = b.command.slice(1).split(' ');
  const trigger = word.toLowerCase();
  const text = rest.join(' ').trim();
  const cmd = [...state.commands.values()].find(
    (c) => c.team_id === teamId && c.trigger === trigger && c.delete_at === 0,
  );
  if (!cmd || !team || !user) {
    throw new SimError(
      404,
      'api.command.execute_command.not_found.app_error',
      `Command with a trigger of '${trigger}' not found.`,
    );
  }
  const rootId = typeof b.root_id === 'string' ? b.root_id : '';
  const triggerId = mintTrigger(state, session.user_id);
  const hookId = newId();
  state.commandWebhooks.set(hookId, {
    id: hookId,
    command_id: cmd.id,
    user_id: session.user_id,
    channel_id: channel.id,
    root_id: rootId,
    create_at: state.now(),
    use_count: 0,
  });
  const form = new URLSearchParams({
    channel_id: channel.id,
    channel_name: channel.name,
    command: `/${trigger}`,
    response_url: `${world.siteUrl}/hooks/commands/${hookId}`,
    team_domain: team.name,
    team_id: team.id,
    text,
    token: cmd.token,
    trigger_id: triggerId,
    user_id: user.id,
    user_name: user.username,
  });
  let res: Awaited<ReturnType<typeof world.callbacks.send>>;
  try {
    const headers = { Authorization: `Token ${cmd.token}`, Accept: 'application/json' };
    res =
      cmd.method === 'P'
        ? await world.callbacks.send('command', cmd.url, {
            method: 'POST',
            headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          })
        : await world.callbacks.send(
            'command',
            `${cmd.url}${cmd.url.includes('?') ? '&' : '?'}${form.toString()}`,
            { method: 'GET', headers },
          );
  } catch (e) {
    throw new SimError(
      500,
      'api.command.execute_command.failed.app_error',
      `Command with a trigger of '${trigger}' failed.`,
      e instanceof CallbackRefused ? e.message : String(e),
    );
  }
  if (res.status !== 200) {
    throw new SimError(
      500,
      'api.command.execute_command.failed_resp.app_error',
      `Command with a trigger of '${trigger}' returned response ${res.status}.`,
    );
  }
  const response = parseCommandResponse(res.contentType, res.body);
  handleCommandResponse(world, response, {
    user_id: session.user_id,
    channel_id: channel.id,
    root_id: rootId,
    command: cmd,
  });
  return ok({ ...response, trigger_id: response.trigger_id ?? triggerId });
}

/** `POST /hooks/commands/{id}`: the response_url. No session: knowing the URL is the proof. */
export function commandWebhook(ctx: RequestContext): Result {
  const world = ctx.world;
  const state = world.state;
  // As web/webhook.go: the body is a CommandResponse in JSON, or plain text taken as its `text`.
  const body = ctx.body;
  let response: CommandResponse | undefined;
  if (Buffer.isBuffer(body)) response = parseCommandResponse('', body.toString('utf8'));
  else if (typeof body === 'string') response = parseCommandResponse('', body);
  else if (body && typeof body === 'object' && !Array.isArray(body)) response = body as CommandResponse;
  if (!response) {
    throw new SimError(
      400,
      'app.command_webhook.handle_command_webhook.parse',
      'Unable to parse incoming data.',
    );
  }
  const hook = state.commandWebhooks.get(ctx.params.hook_id ?? '');
  if (!hook || state.now() - hook.create_at > RESPONSE_URL_LIFETIME_MS) {
    throw new SimError(404, 'app.command_webhook.get.missing', 'Unable to find the webhook.');
  }
  if (hook.use_count >= RESPONSE_URL_MAX_USES) {
    throw new SimError(400, 'app.command_webhook.try_use.invalid', 'Invalid webhook.');
  }
  hook.use_count++;
  handleCommandResponse(world, response, {
    user_id: hook.user_id,
    channel_id: hook.channel_id,
    root_id: hook.root_id,
    command: state.commands.get(hook.command_id),
  });
  return { status: 200, raw: { body: 'ok', contentType: 'text/plain' } };
}
