import { AppError } from './errors.ts';

/**
 * Every identifier family the product handles, each its own branded string type (house style rule 6), so a
 * Mattermost user id cannot be passed where a Teams chat id is expected. The parsers are the only way to mint
 * one from outside input; each states the shape it accepts and the scope in which the id is unique.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Mattermost user, unique per Mattermost server: 26 lowercase base32 characters. */
export type MmUserId = Brand<string, 'MmUserId'>;
/** Mattermost channel (incl. DM/GM), unique per server. */
export type MmChannelId = Brand<string, 'MmChannelId'>;
/** Mattermost team, unique per server. */
export type MmTeamId = Brand<string, 'MmTeamId'>;
/** Mattermost post, unique per server. */
export type MmPostId = Brand<string, 'MmPostId'>;
/** Entra ID tenant (directory) id: a GUID, globally unique. */
export type TenantId = Brand<string, 'TenantId'>;
/** Entra ID user object id (`oid`), unique within its tenant: a GUID. */
export type EntraUserId = Brand<string, 'EntraUserId'>;
/** Graph event id, unique within one mailbox (the same meeting has another id in each attendee's mailbox). */
export type GraphEventId = Brand<string, 'GraphEventId'>;
/** Teams chat id (`19:…@thread.v2` or `19:…@unq.gbl.spaces`), unique within a tenant. */
export type TeamsChatId = Brand<string, 'TeamsChatId'>;
/** Teams channel id (`19:…@thread.tacv2`), unique within a tenant. */
export type TeamsChannelId = Brand<string, 'TeamsChannelId'>;
/** Teams message id (epoch milliseconds as text), unique within its chat or channel only. */
export type TeamsMessageId = Brand<string, 'TeamsMessageId'>;
/** Graph subscription id (GUID), unique within the tenant's app. */
export type SubscriptionId = Brand<string, 'SubscriptionId'>;

const mmId = /^[a-z0-9]{26}$/;
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const teamsThread = /^19:[A-Za-z0-9_\-.@:]+$/;

function parser<T extends string>(
  name: string,
  pattern: RegExp,
  normalise: (s: string) => string = (s) => s,
) {
  return (value: unknown): T => {
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new AppError('MM365_ID_INVALID', `${JSON.stringify(value)} is not a valid ${name}.`);
    }
    return normalise(value) as T;
  };
}

export const parseMmUserId = parser<MmUserId>('Mattermost user id', mmId);
export const parseMmChannelId = parser<MmChannelId>('Mattermost channel id', mmId);
export const parseMmTeamId = parser<MmTeamId>('Mattermost team id', mmId);
export const parseMmPostId = parser<MmPostId>('Mattermost post id', mmId);
/** GUIDs compare case-insensitively in Entra; stored lowercase so equal ids are equal strings. */
export const parseTenantId = parser<TenantId>('tenant id', guid, (s) => s.toLowerCase());
export const parseEntraUserId = parser<EntraUserId>('Entra user id', guid, (s) => s.toLowerCase());
export const parseSubscriptionId = parser<SubscriptionId>('subscription id', guid, (s) => s.toLowerCase());
export const parseTeamsChatId = parser<TeamsChatId>('Teams chat id', teamsThread);
export const parseTeamsChannelId = parser<TeamsChannelId>('Teams channel id', teamsThread);
export const parseTeamsMessageId = parser<TeamsMessageId>('Teams message id', /^\d{1,20}$/);
/** Graph event ids are opaque base64-like strings; only length and charset are checked. */
export const parseGraphEventId = parser<GraphEventId>('Graph event id', /^[A-Za-z0-9+/=_-]{1,512}$/);
