import type { SimClock } from '../shared/clock.ts';
import { defaultConfig, type SimConfig } from './config.ts';

/**
 * The simulator's whole world, in memory. Records hold what the server's store holds (not what the API shows):
 * handlers turn them into wire objects through `views.ts`, which applies the privacy rules. Timestamps are ms on
 * the SimClock, except `dnd_end_time` (seconds, as the server stores it).
 */

export interface UserRecord {
  id: string;
  username: string;
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  nickname: string;
  position: string;
  /** Space-separated role names, e.g. "system_user system_admin". */
  roles: string;
  is_bot: boolean;
  bot_description: string;
  auth_service: string;
  locale: string;
  props: Record<string, string>;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface BotRecord {
  user_id: string;
  display_name: string;
  description: string;
  owner_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

/** How a token was issued; it decides `from_oauth_app`, hardened-mode checks and what the session may do. */
export type SessionKind = 'login' | 'pat' | 'oauth';

export interface SessionRecord {
  id: string;
  token: string;
  user_id: string;
  kind: SessionKind;
  create_at: number;
  /** 0 = never. */
  expires_at: number;
  pat_id?: string;
  oauth_app_id?: string;
}

export interface AccessTokenRecord {
  id: string;
  token: string;
  user_id: string;
  description: string;
  is_active: boolean;
  /** 0 = never. */
  expires_at: number;
}

export interface TeamRecord {
  id: string;
  name: string;
  display_name: string;
  type: 'O' | 'I';
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface TeamMemberRecord {
  team_id: string;
  user_id: string;
  roles: string;
  delete_at: number;
}

export type ChannelType = 'O' | 'P' | 'D' | 'G';

export interface ChannelRecord {
  id: string;
  team_id: string;
  type: ChannelType;
  name: string;
  display_name: string;
  header: string;
  purpose: string;
  creator_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  last_post_at: number;
  total_msg_count: number;
}

export interface ChannelMemberRecord {
  channel_id: string;
  user_id: string;
  roles: string;
  last_viewed_at: number;
  msg_count: number;
}

export interface PostRecord {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  pending_post_id: string;
  file_ids: string[];
  has_reactions: boolean;
}

export interface ReactionRecord {
  user_id: string;
  post_id: string;
  emoji_name: string;
  create_at: number;
  channel_id: string;
}

export interface FileRecord {
  id: string;
  user_id: string;
  channel_id: string;
  post_id: string;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  create_at: number;
  delete_at: number;
  data: Buffer;
}

export interface StatusRecord {
  user_id: string;
  status: 'online' | 'away' | 'offline' | 'dnd' | 'ooo';
  manual: boolean;
  last_activity_at: number;
  /** Seconds since epoch; 0 = no end. */
  dnd_end_time: number;
  /** The status to restore when DND ends. */
  prev_status: string;
}

export interface PreferenceRecord {
  user_id: string;
  category: string;
  name: string;
  value: string;
}

export interface CommandRecord {
  id: string;
  token: string;
  creator_id: string;
  team_id: string;
  trigger: string;
  method: 'P' | 'G';
  username: string;
  icon_url: string;
  auto_complete: boolean;
  auto_complete_desc: string;
  auto_complete_hint: string;
  display_name: string;
  description: string;
  url: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

/** A `response_url` grant: 5 uses within 30 minutes (server `CommandWebhook`). */
/** An incoming webhook: `POST /hooks/{id}` posts as its creator into its channel. */
export interface IncomingWebhookRecord {
  id: string;
  user_id: string;
  channel_id: string;
  team_id: string;
  display_name: string;
  description: string;
  username: string;
  icon_url: string;
  channel_locked: boolean;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface CommandWebhookRecord {
  id: string;
  command_id: string;
  user_id: string;
  channel_id: string;
  root_id: string;
  create_at: number;
  use_count: number;
}

/** An issued trigger_id; it opens at most one dialog and dies after OutgoingIntegrationRequestsTimeout. */
export interface TriggerRecord {
  id: string;
  user_id: string;
  create_at: number;
}

export interface OAuthAppRecord {
  id: string;
  creator_id: string;
  client_secret: string;
  name: string;
  description: string;
  icon_url: string;
  homepage: string;
  callback_urls: string[];
  is_trusted: boolean;
  is_public: boolean;
  create_at: number;
  update_at: number;
}

export interface AuthCodeRecord {
  code: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  state: string;
  create_at: number;
  code_challenge: string;
  code_challenge_method: string;
}

/** One OAuth grant: the live access session plus its (rotating) refresh token. */
export interface OAuthGrantRecord {
  client_id: string;
  user_id: string;
  session_token: string;
  refresh_token: string;
  redirect_uri: string;
  scope: string;
}

/** One line of a channel's post log, kept for the control API even after deletes. */
export interface PostLogEntry {
  at: number;
  kind: 'created' | 'edited' | 'deleted' | 'ephemeral';
  post: PostRecord;
  /** For ephemeral posts: the one user who saw it. */
  to_user_id?: string;
}

export class SimState {
  readonly clock: SimClock;
  config: SimConfig;
  users = new Map<string, UserRecord>();
  bots = new Map<string, BotRecord>();
  sessions = new Map<string, SessionRecord>();
  accessTokens = new Map<string, AccessTokenRecord>();
  teams = new Map<string, TeamRecord>();
  teamMembers: TeamMemberRecord[] = [];
  channels = new Map<string, ChannelRecord>();
  channelMembers: ChannelMemberRecord[] = [];
  posts = new Map<string, PostRecord>();
  reactions: ReactionRecord[] = [];
  files = new Map<string, FileRecord>();
  statuses = new Map<string, StatusRecord>();
  preferences: PreferenceRecord[] = [];
  /** Uploaded profile pictures by user id. */
  userImages = new Map<string, { data: Buffer; contentType: string }>();
  commands = new Map<string, CommandRecord>();
  commandWebhooks = new Map<string, CommandWebhookRecord>();
  incomingWebhooks = new Map<string, IncomingWebhookRecord>();
  triggers = new Map<string, TriggerRecord>();
  oauthApps = new Map<string, OAuthAppRecord>();
  authCodes = new Map<string, AuthCodeRecord>();
  oauthGrants: OAuthGrantRecord[] = [];
  postLog = new Map<string, PostLogEntry[]>();
  /**
   * Ephemeral posts are not stored, so their buttons carry a `cookie` (the server encrypts the action data into
   * it); the sim keeps the data here, keyed by the opaque cookie it hands out.
   */
  actionCookies = new Map<string, { post: PostRecord; to_user_id: string }>();
  /** pending_post_id → the post it created and when, for create deduplication (30 s). */
  pendingPostIds = new Map<string, { post_id: string; at: number }>();
  /** Requests served, by "METHOD /route/pattern". */
  requestCounts = new Map<string, number>();
  /** Outbound calls to integrations, by kind ("command", "action", "dialog"). */
  callbackCounts = new Map<string, number>();

  constructor(clock: SimClock, siteUrl: string) {
    this.clock = clock;
    this.config = defaultConfig(siteUrl);
  }

  now(): number {
    return this.clock.now();
  }

  userByUsername(username: string): UserRecord | undefined {
    const lower = username.toLowerCase();
    for (const u of this.users.values()) if (u.username === lower) return u;
    return undefined;
  }

  userByEmail(email: string): UserRecord | undefined {
    const lower = email.toLowerCase();
    for (const u of this.users.values()) if (u.email === lower) return u;
    return undefined;
  }

  isSystemAdmin(userId: string): boolean {
    return this.users.get(userId)?.roles.split(' ').includes('system_admin') ?? false;
  }

  teamMember(teamId: string, userId: string): TeamMemberRecord | undefined {
    return this.teamMembers.find((m) => m.team_id === teamId && m.user_id === userId && m.delete_at === 0);
  }

  channelMember(channelId: string, userId: string): ChannelMemberRecord | undefined {
    return this.channelMembers.find((m) => m.channel_id === channelId && m.user_id === userId);
  }

  channelMemberIds(channelId: string): string[] {
    return this.channelMembers.filter((m) => m.channel_id === channelId).map((m) => m.user_id);
  }

  /** True when the two users share a channel (the server's "can see profile" test, simplified). */
  sharesChannel(a: string, b: string): boolean {
    const mine = new Set(this.channelMembers.filter((m) => m.user_id === a).map((m) => m.channel_id));
    return this.channelMembers.some((m) => m.user_id === b && mine.has(m.channel_id));
  }

  logPost(entry: PostLogEntry): void {
    const log = this.postLog.get(entry.post.channel_id) ?? [];
    log.push({ ...entry, post: structuredClone(entry.post) });
    this.postLog.set(entry.post.channel_id, log);
  }

  #lastPostTick = 0;

  /**
   * The timestamp for a post write (create, edit, delete, reaction bump): the SimClock, but strictly after the
   * previous post write, so `update_at > since` never misses a change made in the same millisecond. (The real
   * server can tie; the sim trades that for deterministic catch-ups.)
   */
  postTick(): number {
    this.#lastPostTick = Math.max(this.now(), this.#lastPostTick + 1);
    return this.#lastPostTick;
  }

  count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}
