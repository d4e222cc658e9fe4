/**
 * The route table: "METHOD /path" → handler, auth mode, permissions, throttling workload and allowed OData
 * options. `{user}` expands to both `/me` and `/users/:userId` (server.ts). This file is the list of what the
 * simulator serves; anything absent is Graph's "Resource not found for the segment" 400.
 *
 * Permission lists name every permission that satisfies the call (least- to most-privileged), as the Graph
 * reference pages do.
 */

import { calendarViewDelta } from './calendar/delta.ts';
import * as cal from './calendar/event-routes.ts';
import { getSchedule } from './calendar/schedule.ts';
import type { Permissions, RouteSpec } from './context.ts';
import * as control from './control/control-api.ts';
import { authorize } from './entra/authorize.ts';
import { instanceDiscovery, jwks, logout, openidConfiguration } from './entra/discovery.ts';
import { token } from './entra/token.ts';
import * as files from './files/drive-routes.ts';
import { batch } from './graph/batch.ts';
import * as sp from './graph/service-principals.ts';
import * as users from './graph/users.ts';
import * as presence from './presence/presence.ts';
import * as subs from './subscriptions/subscription-routes.ts';
import * as tc from './teams/container-routes.ts';
import * as tm from './teams/message-routes.ts';

const perms = (delegated: string[] | null, application: string[] | null): Permissions => ({
  delegated,
  application,
});

const USER_READ = perms(
  [
    'User.Read',
    'User.ReadWrite',
    'User.ReadBasic.All',
    'User.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
  ],
  ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'],
);
const USERS_LIST = perms(
  ['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'],
  ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'],
);
const MAILBOX_READ = perms(
  ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
  ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
);
const MAILBOX_WRITE = perms(['MailboxSettings.ReadWrite'], ['MailboxSettings.ReadWrite']);

const CAL_READ = perms(
  [
    'Calendars.ReadBasic',
    'Calendars.Read',
    'Calendars.ReadWrite',
    'Calendars.Read.Shared',
    'Calendars.ReadWrite.Shared',
  ],
  ['Calendars.ReadBasic.All', 'Calendars.Read', 'Calendars.ReadWrite'],
);
const CAL_WRITE = perms(['Calendars.ReadWrite', 'Calendars.ReadWrite.Shared'], ['Calendars.ReadWrite']);
const CAL_FULL_READ = perms(
  ['Calendars.Read', 'Calendars.ReadWrite', 'Calendars.Read.Shared', 'Calendars.ReadWrite.Shared'],
  ['Calendars.Read', 'Calendars.ReadWrite'],
);
const PRESENCE_READ = perms(['Presence.Read', 'Presence.Read.All'], ['Presence.Read.All']);
const PRESENCE_READ_ALL = perms(['Presence.Read.All'], ['Presence.Read.All']);
const PRESENCE_WRITE = perms(['Presence.ReadWrite'], ['Presence.ReadWrite.All']);
const LIST_Q = ['$select', '$top', '$skip', '$orderby'];

function calendarRoutes(): Record<string, RouteSpec> {
  const read = (handler: RouteSpec['handler'], query = LIST_Q): RouteSpec => ({
    auth: 'graph',
    handler,
    permissions: CAL_FULL_READ,
    workload: 'outlook',
    query,
  });
  const write = (handler: RouteSpec['handler']): RouteSpec => ({
    auth: 'graph',
    handler,
    permissions: CAL_WRITE,
    workload: 'outlook',
  });
  const routes: Record<string, RouteSpec> = {
    'GET /v1.0/{user}/calendars': { ...read(cal.listCalendars), permissions: CAL_READ },
    'GET /v1.0/{user}/calendar': { ...read(cal.getCalendar, ['$select']), permissions: CAL_READ },
    'GET /v1.0/{user}/calendars/:calendarId': {
      ...read(cal.getCalendar, ['$select']),
      permissions: CAL_READ,
    },
    'GET /v1.0/{user}/calendarView/delta': read(calendarViewDelta, ['$skiptoken', '$deltatoken']),
    'POST /v1.0/{user}/calendar/getSchedule': read(getSchedule, []),
  };
  // The same event operations under /events, /calendar/events and /calendars/{id}/events.
  for (const prefix of ['/v1.0/{user}', '/v1.0/{user}/calendar', '/v1.0/{user}/calendars/:calendarId']) {
    routes[`GET ${prefix}/events`] = read(cal.listEvents, [...LIST_Q, '$filter']);
    routes[`POST ${prefix}/events`] = write(cal.postEvent);
    routes[`GET ${prefix}/events/:eventId`] = read(cal.getEvent, ['$select']);
    routes[`PATCH ${prefix}/events/:eventId`] = write(cal.patchEvent);
    routes[`DELETE ${prefix}/events/:eventId`] = write(cal.removeEvent);
    routes[`POST ${prefix}/events/:eventId/accept`] = write(cal.rsvp('accepted'));
    routes[`POST ${prefix}/events/:eventId/decline`] = write(cal.rsvp('declined'));
    routes[`POST ${prefix}/events/:eventId/tentativelyAccept`] = write(cal.rsvp('tentativelyAccepted'));
    routes[`POST ${prefix}/events/:eventId/cancel`] = write(cal.cancel);
    routes[`GET ${prefix}/events/:eventId/instances`] = read(cal.instances, ['$select', '$top', '$skip']);
    routes[`GET ${prefix}/calendarView`] = read(cal.calendarView);
  }
  return routes;
}

const CHAT_BASIC = perms(
  ['Chat.ReadBasic', 'Chat.Read', 'Chat.ReadWrite'],
  ['Chat.ReadBasic.All', 'Chat.Read.All', 'Chat.ReadWrite.All'],
);
const CHAT_CREATE = perms(['Chat.Create', 'Chat.ReadWrite'], ['Chat.Create']);
const CHAT_MEMBERS = perms(
  ['ChatMember.Read', 'ChatMember.ReadWrite', 'Chat.ReadBasic', 'Chat.Read', 'Chat.ReadWrite'],
  [
    'ChatMember.Read.All',
    'ChatMember.ReadWrite.All',
    'Chat.ReadBasic.All',
    'Chat.Read.All',
    'Chat.ReadWrite.All',
  ],
);
const CHAT_MEMBERS_WRITE = perms(
  ['ChatMember.ReadWrite', 'Chat.ReadWrite'],
  ['ChatMember.ReadWrite.All', 'Chat.ReadWrite.All'],
);
const CHAT_MSG_READ = perms(
  ['ChatMessage.Read', 'Chat.Read', 'Chat.ReadWrite'],
  ['Chat.Read.All', 'Chat.ReadWrite.All'],
);
/** Teams writes are delegated-only (graph-api.md §0.3): application permissions only work in migration mode. */
const CHAT_MSG_SEND = perms(['ChatMessage.Send', 'Chat.ReadWrite'], null);
const CHAT_MSG_WRITE = perms(['Chat.ReadWrite'], null);
const TEAM_READ = perms(
  ['Team.ReadBasic.All', 'TeamSettings.Read.All', 'TeamSettings.ReadWrite.All', 'Group.Read.All'],
  ['Team.ReadBasic.All', 'TeamSettings.Read.All', 'Group.Read.All'],
);
const CHANNEL_READ = perms(
  ['Channel.ReadBasic.All', 'ChannelSettings.Read.All', 'Group.Read.All'],
  ['Channel.ReadBasic.All', 'ChannelSettings.Read.All', 'Group.Read.All'],
);
const TEAM_MEMBERS = perms(
  ['TeamMember.Read.All', 'TeamMember.ReadWrite.All', 'Group.Read.All'],
  ['TeamMember.Read.All', 'Group.Read.All'],
);
const CHANNEL_MSG_READ = perms(['ChannelMessage.Read.All'], ['ChannelMessage.Read.All']);
const CHANNEL_MSG_SEND = perms(['ChannelMessage.Send'], null);
const CHANNEL_MSG_WRITE = perms(['ChannelMessage.ReadWrite'], null);

function teamsRoutes(): Record<string, RouteSpec> {
  const r = (
    handler: RouteSpec['handler'],
    permissions: Permissions,
    workload: RouteSpec['workload'],
    query: string[] = [],
  ): RouteSpec => ({ auth: 'graph', handler, permissions, workload, query });
  const routes: Record<string, RouteSpec> = {
    'GET /v1.0/{user}/joinedTeams': r(tc.joinedTeams, TEAM_READ, 'teams-other', ['$select', '$top']),
    'GET /v1.0/teams/:teamId': r(tc.getTeam, TEAM_READ, 'teams-other', ['$select']),
    'GET /v1.0/teams/:teamId/members': r(tc.listTeamMembers, TEAM_MEMBERS, 'teams-other', ['$top', '$skip']),
    'GET /v1.0/teams/:teamId/channels': r(tc.listChannels, CHANNEL_READ, 'teams-other', [
      '$select',
      '$filter',
    ]),
    'GET /v1.0/teams/:teamId/channels/:channelId': r(tc.getChannel, CHANNEL_READ, 'teams-other', ['$select']),
    'GET /v1.0/teams/:teamId/channels/getAllMessages': r(
      tm.teamGetAllMessages,
      perms(null, ['ChannelMessage.Read.All']),
      'teams-other',
      ['$top', '$skip', '$filter'],
    ),
    'GET /v1.0/{user}/chats': r(tc.listChats, CHAT_BASIC, 'teams-other', [
      '$top',
      '$skip',
      '$filter',
      '$expand',
      '$select',
    ]),
    'GET /v1.0/chats/:chatId': r(tc.getChat, CHAT_BASIC, 'teams-other', ['$expand', '$select']),
    'GET /v1.0/{user}/chats/:chatId': r(tc.getChat, CHAT_BASIC, 'teams-other', ['$expand', '$select']),
    'POST /v1.0/chats': r(tc.postChat, CHAT_CREATE, 'teams-other'),
    'GET /v1.0/chats/:chatId/members': r(tc.listChatMembers, CHAT_MEMBERS, 'teams-other'),
    'POST /v1.0/chats/:chatId/members': r(tc.addChatMember, CHAT_MEMBERS_WRITE, 'teams-other'),
    'DELETE /v1.0/chats/:chatId/members/:membershipId': r(
      tc.removeChatMember,
      CHAT_MEMBERS_WRITE,
      'teams-other',
    ),
    'GET /v1.0/users/:userId/chats/getAllMessages': r(
      tm.userGetAllMessages,
      perms(null, ['Chat.Read.All', 'Chat.ReadWrite.All']),
      'teams-chat-read',
      ['$top', '$skip', '$filter', '$orderby'],
    ),
    'GET /v1.0/users/:userId/chats/getAllMessages/delta': r(
      tm.userGetAllMessagesDelta,
      perms(null, ['Chat.Read.All', 'Chat.ReadWrite.All']),
      'teams-chat-read',
      ['$top', '$filter', '$skiptoken', '$deltatoken'],
    ),
  };
  const MSG_Q = ['$top', '$skip', '$filter', '$orderby', '$expand'];
  for (const base of ['/v1.0/chats/:chatId/messages', '/v1.0/{user}/chats/:chatId/messages']) {
    routes[`GET ${base}`] = r(tm.listMessages, CHAT_MSG_READ, 'teams-chat-read', MSG_Q);
    routes[`POST ${base}`] = r(tm.postMessageRoute, CHAT_MSG_SEND, 'teams-chat-write');
    routes[`GET ${base}/:messageId`] = r(tm.getMessage, CHAT_MSG_READ, 'teams-chat-read', ['$select']);
    routes[`PATCH ${base}/:messageId`] = r(tm.patchMessage, CHAT_MSG_WRITE, 'teams-chat-write');
    routes[`POST ${base}/:messageId/softDelete`] = r(tm.softDeleteRoute, CHAT_MSG_WRITE, 'teams-chat-write');
    routes[`POST ${base}/:messageId/undoSoftDelete`] = r(
      tm.undoSoftDeleteRoute,
      CHAT_MSG_WRITE,
      'teams-chat-write',
    );
    routes[`POST ${base}/:messageId/setReaction`] = r(tm.reaction(true), CHAT_MSG_SEND, 'teams-chat-write');
    routes[`POST ${base}/:messageId/unsetReaction`] = r(
      tm.reaction(false),
      CHAT_MSG_SEND,
      'teams-chat-write',
    );
    routes[`GET ${base}/:messageId/hostedContents`] = r(
      tm.listHostedContents,
      CHAT_MSG_READ,
      'teams-chat-read',
    );
    routes[`GET ${base}/:messageId/hostedContents/:hostedContentId`] = r(
      tm.getHostedContent,
      CHAT_MSG_READ,
      'teams-chat-read',
    );
    routes[`GET ${base}/:messageId/hostedContents/:hostedContentId/$value`] = r(
      tm.hostedContentValue,
      CHAT_MSG_READ,
      'teams-chat-read',
    );
  }
  const ch = '/v1.0/teams/:teamId/channels/:channelId/messages';
  routes[`GET ${ch}`] = r(tm.listMessages, CHANNEL_MSG_READ, 'teams-channel-read', [
    '$top',
    '$skip',
    '$expand',
  ]);
  routes[`POST ${ch}`] = r(tm.postMessageRoute, CHANNEL_MSG_SEND, 'teams-channel-write');
  routes[`GET ${ch}/delta`] = r(tm.channelDelta, CHANNEL_MSG_READ, 'teams-channel-read', [
    '$top',
    '$filter',
    '$skiptoken',
    '$deltatoken',
    '$expand',
  ]);
  for (const m of [`${ch}/:messageId`, `${ch}/:messageId/replies/:replyId`]) {
    routes[`GET ${m}`] = r(tm.getMessage, CHANNEL_MSG_READ, 'teams-channel-read', ['$select', '$expand']);
    routes[`PATCH ${m}`] = r(tm.patchMessage, CHANNEL_MSG_WRITE, 'teams-channel-write');
    routes[`POST ${m}/softDelete`] = r(tm.softDeleteRoute, CHANNEL_MSG_WRITE, 'teams-channel-write');
    routes[`POST ${m}/undoSoftDelete`] = r(tm.undoSoftDeleteRoute, CHANNEL_MSG_WRITE, 'teams-channel-write');
    routes[`POST ${m}/setReaction`] = r(tm.reaction(true), CHANNEL_MSG_SEND, 'teams-channel-write');
    routes[`POST ${m}/unsetReaction`] = r(tm.reaction(false), CHANNEL_MSG_SEND, 'teams-channel-write');
    routes[`GET ${m}/hostedContents`] = r(tm.listHostedContents, CHANNEL_MSG_READ, 'teams-channel-read');
    routes[`GET ${m}/hostedContents/:hostedContentId`] = r(
      tm.getHostedContent,
      CHANNEL_MSG_READ,
      'teams-channel-read',
    );
    routes[`GET ${m}/hostedContents/:hostedContentId/$value`] = r(
      tm.hostedContentValue,
      CHANNEL_MSG_READ,
      'teams-channel-read',
    );
  }
  routes[`GET ${ch}/:messageId/replies`] = r(tm.listMessages, CHANNEL_MSG_READ, 'teams-channel-read', [
    '$top',
    '$skip',
  ]);
  routes[`POST ${ch}/:messageId/replies`] = r(tm.postMessageRoute, CHANNEL_MSG_SEND, 'teams-channel-write');
  return routes;
}

const FILES_READ = perms(
  ['Files.Read', 'Files.Read.All', 'Files.ReadWrite', 'Files.ReadWrite.All', 'Sites.Read.All'],
  ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All'],
);
const FILES_WRITE = perms(
  ['Files.ReadWrite', 'Files.ReadWrite.All'],
  ['Files.ReadWrite.All', 'Sites.ReadWrite.All'],
);

/** Drive paths use OData path syntax (`root:/a.txt:/content`); `::` is a literal colon in the route syntax. */
function fileRoutes(): Record<string, RouteSpec> {
  const read = (handler: RouteSpec['handler']): RouteSpec => ({
    auth: 'graph',
    handler,
    permissions: FILES_READ,
    workload: 'files',
  });
  const write = (handler: RouteSpec['handler']): RouteSpec => ({
    auth: 'graph',
    handler,
    permissions: FILES_WRITE,
    workload: 'files',
  });
  return {
    'GET /v1.0/{user}/drive': read(files.getDrive),
    'GET /v1.0/{user}/drive/root': read(files.getRoot),
    'GET /v1.0/{user}/drive/root/children': read(files.rootChildren),
    'GET /v1.0/{user}/drive/root::/*': read(files.userPathOp),
    'PUT /v1.0/{user}/drive/root::/*': write(files.userPathOp),
    'POST /v1.0/{user}/drive/root::/*': write(files.userPathOp),
    'GET /v1.0/{user}/drive/items/*': read(files.userItemOp),
    'PUT /v1.0/{user}/drive/items/*': write(files.userItemOp),
    'POST /v1.0/{user}/drive/items/*': write(files.userItemOp),
    'GET /v1.0/drives/:driveId/items/*': read(files.driveItemOp),
    'PUT /v1.0/drives/:driveId/items/*': write(files.driveItemOp),
    'POST /v1.0/drives/:driveId/items/*': write(files.driveItemOp),
    'GET /v1.0/teams/:teamId/channels/:channelId/filesFolder': read(files.filesFolder),
    'GET /v1.0/shares/:shareId/driveItem': read(files.sharedItem),
    'PUT /_upload/:sessionId': { auth: 'public', handler: files.uploadChunk },
    'GET /_download/:token': { auth: 'public', handler: files.download },
  };
}

export function buildRoutes(caPath: string): Record<string, RouteSpec> {
  return {
    // Entra ID
    'GET /:tenant/oauth2/v2.0/authorize': { auth: 'public', handler: authorize },
    'POST /:tenant/oauth2/v2.0/token': { auth: 'public', handler: token },
    'GET /:tenant/oauth2/v2.0/logout': { auth: 'public', handler: logout },
    'GET /:tenant/v2.0/.well-known/openid-configuration': { auth: 'public', handler: openidConfiguration },
    'GET /:tenant/discovery/v2.0/keys': { auth: 'public', handler: jwks },
    'GET /common/discovery/instance': { auth: 'public', handler: instanceDiscovery },

    // Graph: users and mailbox settings
    'GET /v1.0/{user}': {
      auth: 'graph',
      handler: users.getUser,
      permissions: USER_READ,
      workload: 'directory',
      query: ['$select'],
    },
    // Graph: what admin consent left in the directory (read-only; used by the product's doctor)
    'GET /v1.0/servicePrincipals': {
      auth: 'graph',
      handler: sp.listServicePrincipals,
      permissions: perms(
        ['Application.Read.All', 'Directory.Read.All'],
        ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'],
      ),
      workload: 'directory',
      query: ['$filter', '$select', '$top'],
    },
    'GET /v1.0/oauth2PermissionGrants': {
      auth: 'graph',
      handler: sp.listOAuth2PermissionGrants,
      permissions: perms(
        ['DelegatedPermissionGrant.Read.All', 'Directory.Read.All'],
        ['DelegatedPermissionGrant.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.Read.All'],
      ),
      workload: 'directory',
      query: ['$filter', '$select', '$top'],
    },
    'GET /v1.0/users': {
      auth: 'graph',
      handler: users.listUsers,
      permissions: USERS_LIST,
      workload: 'directory',
      query: ['$select', '$top', '$skip', '$filter'],
    },
    'GET /v1.0/{user}/mailboxSettings': {
      auth: 'graph',
      handler: users.getMailboxSettings,
      permissions: MAILBOX_READ,
      workload: 'outlook',
      query: ['$select'],
    },
    'GET /v1.0/{user}/mailboxSettings/timeZone': {
      auth: 'graph',
      handler: users.getMailboxTimeZone,
      permissions: MAILBOX_READ,
      workload: 'outlook',
    },
    'PATCH /v1.0/{user}/mailboxSettings': {
      auth: 'graph',
      handler: users.patchMailboxSettings,
      permissions: MAILBOX_WRITE,
      workload: 'outlook',
    },

    ...calendarRoutes(),
    'POST /v1.0/$batch': { auth: 'graph', handler: batch },
    ...teamsRoutes(),
    ...fileRoutes(),

    // Change notifications (permissions are checked per resource inside the handler)
    'POST /v1.0/subscriptions': {
      auth: 'graph',
      handler: subs.createSubscription,
      workload: 'subscriptions',
    },
    'GET /v1.0/subscriptions': { auth: 'graph', handler: subs.listSubscriptions, workload: 'subscriptions' },
    'GET /v1.0/subscriptions/:subscriptionId': {
      auth: 'graph',
      handler: subs.getSubscription,
      workload: 'subscriptions',
    },
    'PATCH /v1.0/subscriptions/:subscriptionId': {
      auth: 'graph',
      handler: subs.patchSubscription,
      workload: 'subscriptions',
    },
    'DELETE /v1.0/subscriptions/:subscriptionId': {
      auth: 'graph',
      handler: subs.deleteSubscription,
      workload: 'subscriptions',
    },
    'POST /v1.0/subscriptions/:subscriptionId/reauthorize': {
      auth: 'graph',
      handler: subs.reauthorizeSubscription,
      workload: 'subscriptions',
    },

    // Presence
    'GET /v1.0/{user}/presence': {
      auth: 'graph',
      handler: presence.getPresence,
      permissions: PRESENCE_READ,
      workload: 'presence',
    },
    'GET /v1.0/communications/presences/:presenceId': {
      auth: 'graph',
      handler: presence.getPresence,
      permissions: PRESENCE_READ,
      workload: 'presence',
    },
    'POST /v1.0/communications/getPresencesByUserId': {
      auth: 'graph',
      handler: presence.getPresencesByUserId,
      permissions: PRESENCE_READ_ALL,
      workload: 'presence',
    },
    'POST /v1.0/{user}/presence/setPresence': {
      auth: 'graph',
      handler: presence.setPresence,
      permissions: PRESENCE_WRITE,
      workload: 'presence',
    },
    'POST /v1.0/{user}/presence/clearPresence': {
      auth: 'graph',
      handler: presence.clearPresence,
      permissions: PRESENCE_WRITE,
      workload: 'presence',
    },
    'POST /v1.0/{user}/presence/setUserPreferredPresence': {
      auth: 'graph',
      handler: presence.setUserPreferredPresence,
      permissions: PRESENCE_WRITE,
      workload: 'presence',
    },
    'POST /v1.0/{user}/presence/clearUserPreferredPresence': {
      auth: 'graph',
      handler: presence.clearUserPreferredPresence,
      permissions: PRESENCE_WRITE,
      workload: 'presence',
    },
    'POST /v1.0/{user}/presence/setStatusMessage': {
      auth: 'graph',
      handler: presence.setStatusMessage,
      permissions: PRESENCE_WRITE,
      workload: 'presence',
    },

    // Control API
    'GET /_sim/ready': { auth: 'control', handler: control.getReady(caPath) },
    'POST /_sim/reset': { auth: 'control', handler: control.reset(caPath) },
    'POST /_sim/users': { auth: 'control', handler: control.addUserRoute },
    'PATCH /_sim/users/:ref': { auth: 'control', handler: control.patchUser },
    'POST /_sim/users/:ref/revoke': { auth: 'control', handler: control.revokeUser },
    'POST /_sim/apps': { auth: 'control', handler: control.addAppRoute },
    'PATCH /_sim/apps/:clientId': { auth: 'control', handler: control.patchApp },
    'POST /_sim/apps/:clientId/redirect-uris': { auth: 'control', handler: control.addRedirectUri },
    'POST /_sim/apps/:clientId/secrets': { auth: 'control', handler: control.addSecret },
    'POST /_sim/tokens': { auth: 'control', handler: control.issueToken },
    'POST /_sim/tokens/revoke': { auth: 'control', handler: control.revokeToken },
    'GET /_sim/clock': { auth: 'control', handler: control.getClock },
    'POST /_sim/clock/advance': { auth: 'control', handler: control.advanceClock },
    'POST /_sim/clock/set': { auth: 'control', handler: control.setClock },
    'POST /_sim/faults': { auth: 'control', handler: control.addFault },
    'GET /_sim/faults': { auth: 'control', handler: control.listFaults },
    'DELETE /_sim/faults': { auth: 'control', handler: control.clearFaults },
    'GET /_sim/counters': { auth: 'control', handler: control.getCounters },
    'DELETE /_sim/counters': { auth: 'control', handler: control.clearCounters },
    'POST /_sim/subscriptions/:subscriptionId/lifecycle': { auth: 'control', handler: subs.triggerLifecycle },
    'GET /_sim/notifications': { auth: 'control', handler: subs.notificationLog },
    'GET /_sim/settings': { auth: 'control', handler: control.getSettings },
    'PATCH /_sim/settings': { auth: 'control', handler: control.patchSettings },
  };
}
