import { type ControlHooks, controlHandlers, requireControl } from '../control/control.ts';
import * as tokens from '../handlers/access-tokens.ts';
import * as bots from '../handlers/bots.ts';
import * as members from '../handlers/channel-members.ts';
import * as channels from '../handlers/channels.ts';
import * as files from '../handlers/files.ts';
import * as posts from '../handlers/posts.ts';
import * as preferences from '../handlers/preferences.ts';
import * as reactions from '../handlers/reactions.ts';
import * as status from '../handlers/status.ts';
import * as system from '../handlers/system.ts';
import * as teams from '../handlers/teams.ts';
import * as images from '../handlers/user-images.ts';
import * as users from '../handlers/users.ts';
import * as actions from '../integrations/actions.ts';
import * as commands from '../integrations/commands.ts';
import * as dialogs from '../integrations/dialogs.ts';
import * as hooks from '../integrations/incoming-webhooks.ts';
import * as oauthApps from '../oauth/apps.ts';
import * as authorize from '../oauth/authorize.ts';
import * as login from '../oauth/login.ts';
import * as token from '../oauth/token.ts';
import type { RequestContext, Result, Route } from './context.ts';

/**
 * Every route the simulator serves: "METHOD /path" → auth mode + handler. Paths use Fastify's `:param` syntax.
 * A route not listed here answers 404 `api.context.404.app_error`, as an unknown route does on the real server.
 * The WebSocket (`GET /api/v4/websocket`) is served by websocket/endpoint.ts on the same port.
 */
const s = (handler: Route['handler']): Route => ({ auth: 'session', handler });
const optional = (handler: Route['handler']): Route => ({ auth: 'optional', handler });
const open = (handler: Route['handler']): Route => ({ auth: 'none', handler });

export function routeTable(control: ControlHooks): Record<string, Route> {
  const table: Record<string, Route> = {
    // System
    'GET /api/v4/system/ping': open(system.ping),
    'GET /api/v4/config/client': open(system.clientConfig),
    'GET /api/v4/config': s(system.getConfig),
    'GET /api/v4/license/client': open(system.clientLicense),

    // Users, sessions, tokens
    'POST /api/v4/users': optional(users.createUser),
    'GET /api/v4/users': s(users.listUsers),
    'POST /api/v4/users/login': open(users.login),
    'POST /api/v4/users/logout': s(users.logout),
    'POST /api/v4/users/ids': s(users.getUsersByIds),
    'POST /api/v4/users/usernames': s(users.getUsersByUsernames),
    'POST /api/v4/users/search': s(users.searchUsers),
    'GET /api/v4/users/:user_id': s(users.getUser),
    'PUT /api/v4/users/:user_id/patch': s(users.patchUser),
    'DELETE /api/v4/users/:user_id': s(users.deactivateUser),
    'PUT /api/v4/users/:user_id/active': s(users.updateActive),
    'PUT /api/v4/users/:user_id/roles': s(users.updateRoles),
    'GET /api/v4/users/:user_id/image': s(images.getUserImage),
    'POST /api/v4/users/:user_id/image': s(images.setUserImage),
    'GET /api/v4/users/username/:username': s(users.getUserByUsername),
    'GET /api/v4/users/email/:email': s(users.getUserByEmail),
    'POST /api/v4/users/:user_id/tokens': s(tokens.createAccessToken),
    'GET /api/v4/users/:user_id/tokens': s(tokens.listAccessTokens),
    'POST /api/v4/users/tokens/revoke': s(tokens.revokeAccessToken),
    'POST /api/v4/users/tokens/disable': s(tokens.disableAccessToken),
    'POST /api/v4/users/tokens/enable': s(tokens.enableAccessToken),

    // Status and custom status
    'GET /api/v4/users/:user_id/status': s(status.getStatus),
    'PUT /api/v4/users/:user_id/status': s(status.updateStatus),
    'POST /api/v4/users/status/ids': s(status.getStatusesByIds),
    'PUT /api/v4/users/:user_id/status/custom': s(status.updateCustomStatus),
    'DELETE /api/v4/users/:user_id/status/custom': s(status.deleteCustomStatus),

    // Preferences
    'GET /api/v4/users/:user_id/preferences': s(preferences.getPreferences),
    'PUT /api/v4/users/:user_id/preferences': s(preferences.savePreferences),
    'POST /api/v4/users/:user_id/preferences/delete': s(preferences.deletePreferences),
    'GET /api/v4/users/:user_id/preferences/:category': s(preferences.getPreferences),
    'GET /api/v4/users/:user_id/preferences/:category/name/:name': s(preferences.getPreference),

    // Bots
    'POST /api/v4/bots': s(bots.createBot),
    'GET /api/v4/bots': s(bots.listBots),
    'GET /api/v4/bots/:bot_user_id': s(bots.getBot),
    'PUT /api/v4/bots/:bot_user_id': s(bots.patchBot),
    'POST /api/v4/bots/:bot_user_id/disable': s(bots.setBotActive(false)),
    'POST /api/v4/bots/:bot_user_id/enable': s(bots.setBotActive(true)),
    'POST /api/v4/bots/:bot_user_id/assign/:user_id': s(bots.assignBot),

    // Teams
    'POST /api/v4/teams': s(teams.createTeam),
    'GET /api/v4/teams': s(teams.listTeams),
    'GET /api/v4/teams/:team_id': s(teams.getTeam),
    'GET /api/v4/teams/name/:name': s(teams.getTeamByName),
    'GET /api/v4/users/:user_id/teams': s(teams.getTeamsForUser),
    'POST /api/v4/teams/:team_id/members': s(teams.addTeamMember),
    'GET /api/v4/teams/:team_id/members': s(teams.getTeamMembers),
    'GET /api/v4/teams/:team_id/members/:user_id': s(teams.getTeamMember),
    'DELETE /api/v4/teams/:team_id/members/:user_id': s(teams.removeTeamMember),

    // Channels
    'POST /api/v4/channels': s(channels.createChannel),
    'POST /api/v4/channels/direct': s(channels.createDirectChannel),
    'POST /api/v4/channels/group': s(channels.createGroupChannel),
    'GET /api/v4/channels/:channel_id': s(channels.getChannel),
    'PUT /api/v4/channels/:channel_id/patch': s(channels.patchChannel),
    'GET /api/v4/teams/:team_id/channels': s(channels.getPublicChannels),
    'GET /api/v4/teams/:team_id/channels/name/:channel_name': s(channels.getChannelByName),
    'GET /api/v4/users/:user_id/teams/:team_id/channels': s(channels.getChannelsForUser),
    'POST /api/v4/channels/:channel_id/members': s(members.addChannelMember),
    'GET /api/v4/channels/:channel_id/members': s(members.getChannelMembers),
    'GET /api/v4/channels/:channel_id/members/:user_id': s(members.getChannelMember),
    'DELETE /api/v4/channels/:channel_id/members/:user_id': s(members.removeChannelMember),

    // Posts
    'POST /api/v4/posts': s(posts.createPost),
    'POST /api/v4/posts/ephemeral': s(posts.createEphemeralPost),
    'POST /api/v4/posts/ids': s(posts.getPostsByIds),
    'GET /api/v4/posts/:post_id': s(posts.getPost),
    'PUT /api/v4/posts/:post_id': s(posts.updatePost),
    'PUT /api/v4/posts/:post_id/patch': s(posts.patchPost),
    'DELETE /api/v4/posts/:post_id': s(posts.deletePost),
    'GET /api/v4/posts/:post_id/thread': s(posts.getThread),
    'POST /api/v4/posts/:post_id/pin': s(posts.setPinned(true)),
    'POST /api/v4/posts/:post_id/unpin': s(posts.setPinned(false)),
    'GET /api/v4/channels/:channel_id/posts': s(posts.getChannelPosts),

    // Reactions
    'POST /api/v4/reactions': s(reactions.saveReaction),
    'GET /api/v4/posts/:post_id/reactions': s(reactions.getReactions),
    'DELETE /api/v4/users/:user_id/posts/:post_id/reactions/:emoji_name': s(reactions.deleteReaction),

    // Files
    'POST /api/v4/files': s(files.uploadFiles),
    'GET /api/v4/files/:file_id': s(files.getFile),
    'GET /api/v4/files/:file_id/info': s(files.getFileInfo),
    'GET /api/v4/files/:file_id/thumbnail': s(files.getFileThumbnail),
    'GET /api/v4/posts/:post_id/files/info': s(files.getPostFileInfos),

    // Slash commands
    'POST /api/v4/commands': s(commands.createCommand),
    'GET /api/v4/commands': s(commands.listCommands),
    'POST /api/v4/commands/execute': s(commands.executeCommand),
    'GET /api/v4/commands/:command_id': s(commands.getCommand),
    'PUT /api/v4/commands/:command_id': s(commands.updateCommand),
    'DELETE /api/v4/commands/:command_id': s(commands.deleteCommand),
    'PUT /api/v4/commands/:command_id/regen_token': s(commands.regenCommandToken),
    'POST /hooks/commands/:hook_id': open(commands.commandWebhook),

    // Incoming webhooks
    'POST /api/v4/hooks/incoming': s(hooks.createIncomingHook),
    'GET /api/v4/hooks/incoming': s(hooks.listIncomingHooks),
    'GET /api/v4/hooks/incoming/:hook_id': s(hooks.getIncomingHook),
    'DELETE /api/v4/hooks/incoming/:hook_id': s(hooks.deleteIncomingHook),
    'POST /hooks/:hook_id': open(hooks.handleIncomingHook),

    // Interactive messages and dialogs
    'POST /api/v4/posts/:post_id/actions/:action_id': s(actions.doPostAction),
    'POST /api/v4/actions/dialogs/open': open(dialogs.openDialog),
    'POST /api/v4/actions/dialogs/submit': s(dialogs.submitDialog),
    'POST /api/v4/actions/dialogs/lookup': s(dialogs.lookupDialog),

    // OAuth 2.0 provider
    'POST /api/v4/oauth/apps': s(oauthApps.createOAuthApp),
    'GET /api/v4/oauth/apps': s(oauthApps.listOAuthApps),
    'GET /api/v4/oauth/apps/:app_id': s(oauthApps.getOAuthApp),
    'PUT /api/v4/oauth/apps/:app_id': s(oauthApps.updateOAuthApp),
    'GET /api/v4/oauth/apps/:app_id/info': s(oauthApps.getOAuthAppInfo),
    'POST /api/v4/oauth/apps/:app_id/regen_secret': s(oauthApps.regenOAuthSecret),
    'DELETE /api/v4/oauth/apps/:app_id': s(oauthApps.deleteOAuthApp),
    'GET /api/v4/users/:user_id/oauth/apps/authorized': s(oauthApps.getAuthorizedApps),
    'GET /oauth/authorize': optional(authorize.authorizePage),
    'POST /oauth/authorize': s(authorize.authorizeAllow),
    'POST /oauth/access_token': open(token.accessToken),
    'POST /oauth/deauthorize': s(token.deauthorize),
    'GET /login': open(login.showLogin),
    'POST /login': open(login.submitLogin),
  };
  for (const [key, handler] of Object.entries(controlHandlers)) {
    table[key] = open((ctx: RequestContext): Result | Promise<Result> => {
      requireControl(ctx, control);
      return handler(ctx, control);
    });
  }
  return table;
}
