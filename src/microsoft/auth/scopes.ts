import type { Feature } from '../../core/accounts/account.ts';

/**
 * Delegated Graph permissions asked per feature (incremental consent): a user connecting only the calendar
 * never sees the Teams permissions, and connecting Teams later asks only for what is new. msal adds
 * `openid profile offline_access` to every authorize request itself; offline_access is listed so the
 * refresh token is never an accident of the library.
 *
 * calendar (as mattermost-plugin-mscalendar): read/write own and shared calendars (create events, RSVP,
 * other users' free/busy through getSchedule), the mailbox's time zone and working hours.
 * teams (MM → Teams writes are delegated-only, graph-api.md §0.3): chats (read, write, create), channel
 * messages (send, edit, delete), teams/channels to offer links, files for attachments. Tenant-wide reads
 * (getAllMessages, channel messages, presence of others) are app-only and need no user consent.
 */
export const featureScopes: Record<Feature, readonly string[]> = {
  calendar: [
    'User.Read',
    'offline_access',
    'Calendars.ReadWrite',
    'Calendars.ReadWrite.Shared',
    'MailboxSettings.Read',
  ],
  teams: [
    'User.Read',
    'offline_access',
    'Chat.ReadWrite',
    'Chat.Create',
    'ChatMessage.Send',
    'ChannelMessage.Send',
    'ChannelMessage.ReadWrite',
    'Team.ReadBasic.All',
    'Channel.ReadBasic.All',
    'Files.ReadWrite.All',
  ],
};

/** OIDC scopes msal asks for on its own; they are not Graph resource scopes. */
const oidc = new Set(['openid', 'profile', 'offline_access', 'email']);

/**
 * Scopes in the fully qualified form for the cloud's Graph (`https://graph.microsoft.us/Calendars.Read`):
 * a short name always means graph.microsoft.com to Entra ID, which is wrong in a national cloud.
 */
export function qualifiedScopes(feature: Feature, graphResource: string): string[] {
  return featureScopes[feature].map((s) => (oidc.has(s) ? s : `${graphResource}/${s}`));
}

/**
 * Application permissions (app roles, admin-consented) each feature relies on for its app-only calls:
 * calendar: free/busy and status sync over every connected mailbox (as mscalendar's status job), the
 * mailbox time zone, user lookups; teams: tenant-wide chat/channel reads and their subscriptions, presence,
 * team and channel names, files linked from messages.
 */
export const featureAppRoles: Record<Feature, readonly string[]> = {
  calendar: ['Calendars.Read', 'MailboxSettings.Read', 'User.Read.All'],
  teams: [
    'Chat.Read.All',
    'ChannelMessage.Read.All',
    'Team.ReadBasic.All',
    'Channel.ReadBasic.All',
    'Presence.Read.All',
    'Files.Read.All',
    'User.Read.All',
  ],
};
