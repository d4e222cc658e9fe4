import { invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, sessionOf } from '../http/context.ts';
import { isId } from '../ids.ts';
import { isAdmin } from '../permissions.ts';
import type { BotRecord, SessionRecord, SimState } from '../state.ts';
import { botView } from '../views.ts';
import { insertUser, USER_NOT_FOUND } from './users.ts';

/**
 * Bot accounts (server api4/bot.go). Creation is refused with 403 `api.bot.create_disabled` unless
 * `EnableBotAccountCreation`, needs `create_bot` (system admins by default), and a bot cannot create bots.
 * A bot is a user with `is_bot`; its tokens are PATs exempt from `EnableUserAccessTokens`.
 */
const BOT_NOT_FOUND = (): SimError =>
  new SimError(404, 'store.sql_bot.get.missing.app_error', 'Bot does not exist.');

export function insertBot(
  state: SimState,
  input: { username: string; display_name?: string; description?: string; owner_id: string },
): BotRecord {
  const user = insertUser(state, {
    username: input.username,
    email: `${input.username.toLowerCase()}@localhost`,
    first_name: input.display_name ?? '',
    is_bot: true,
    bot_description: input.description ?? '',
  });
  const now = state.now();
  const bot: BotRecord = {
    user_id: user.id,
    display_name: input.display_name ?? '',
    description: input.description ?? '',
    owner_id: input.owner_id,
    create_at: now,
    update_at: now,
    delete_at: 0,
  };
  state.bots.set(bot.user_id, bot);
  return bot;
}

export function createBot(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  // Order as api4 createBot: create_bot, then "a bot cannot create bots", then the config switch.
  if (!isAdmin(state, session)) throw permissionDenied('create_bot');
  if (state.users.get(session.user_id)?.is_bot) throw permissionDenied('create_bot');
  if (!state.config.ServiceSettings.EnableBotAccountCreation) {
    throw new SimError(403, 'api.bot.create_disabled', 'Bot creation has been disabled.');
  }
  const b = (ctx.body ?? {}) as { username?: unknown; display_name?: unknown; description?: unknown };
  if (typeof b.username !== 'string' || b.username === '') throw invalidParam('username');
  const bot = insertBot(state, {
    username: b.username,
    display_name: typeof b.display_name === 'string' ? b.display_name : '',
    description: typeof b.description === 'string' ? b.description : '',
    owner_id: session.user_id,
  });
  return ok(botView(state, bot), 201);
}

function botFor(ctx: RequestContext, session: SessionRecord): BotRecord {
  const id = ctx.params.bot_user_id;
  if (!isId(id)) throw invalidUrlParam('bot_user_id');
  const bot = ctx.world.state.bots.get(id);
  if (!bot) throw BOT_NOT_FOUND();
  if (bot.owner_id !== session.user_id && !isAdmin(ctx.world.state, session)) throw BOT_NOT_FOUND();
  return bot;
}

export function getBot(ctx: RequestContext): Result {
  const bot = botFor(ctx, sessionOf(ctx));
  if (bot.delete_at !== 0 && ctx.query.include_deleted !== 'true') throw BOT_NOT_FOUND();
  return ok(botView(ctx.world.state, bot));
}

export function listBots(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const admin = isAdmin(state, session);
  const out = [...state.bots.values()]
    .filter((b) => admin || b.owner_id === session.user_id)
    .filter((b) => b.delete_at === 0 || ctx.query.include_deleted === 'true')
    .filter((b) => ctx.query.only_orphaned !== 'true' || !state.users.get(b.owner_id))
    .map((b) => botView(state, b));
  return ok(out);
}

export function patchBot(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const bot = botFor(ctx, sessionOf(ctx));
  const b = (ctx.body ?? {}) as { username?: unknown; display_name?: unknown; description?: unknown };
  const user = state.users.get(bot.user_id);
  if (!user) throw USER_NOT_FOUND();
  if (typeof b.username === 'string' && b.username.toLowerCase() !== user.username) {
    if (state.userByUsername(b.username))
      throw new SimError(
        400,
        'app.user.save.username_exists.app_error',
        'An account with that username already exists.',
      );
    user.username = b.username.toLowerCase();
  }
  if (typeof b.display_name === 'string') bot.display_name = b.display_name;
  if (typeof b.description === 'string') bot.description = b.description;
  bot.update_at = state.now();
  return ok(botView(state, bot));
}

export function setBotActive(active: boolean) {
  return (ctx: RequestContext): Result => {
    const state = ctx.world.state;
    const bot = botFor(ctx, sessionOf(ctx));
    const user = state.users.get(bot.user_id);
    const now = state.now();
    bot.delete_at = active ? 0 : now;
    bot.update_at = now;
    if (user) user.delete_at = active ? 0 : now;
    return ok(botView(state, bot));
  };
}

export function assignBot(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  if (!isAdmin(state, session)) throw permissionDenied('manage_others_bots');
  const bot = botFor(ctx, session);
  const owner = ctx.params.user_id;
  if (!isId(owner) || !state.users.has(owner)) throw USER_NOT_FOUND();
  bot.owner_id = owner;
  bot.update_at = state.now();
  return ok(botView(state, bot));
}
