import type { Channel, ChannelMembership } from '@mattermost/types/channels';
import type { Command } from '@mattermost/types/integrations';
import type { Post, PostList } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { UserCustomStatus, UserProfile } from '@mattermost/types/users';
import type { MattermostHttp } from './http.ts';

/** The fields of a slash command we set when registering one (`POST/PUT /commands`, reference §1.9). */
export interface CommandFields {
  trigger: string;
  url: string;
  method: 'P';
  auto_complete: true;
  auto_complete_desc: string;
  auto_complete_hint: string;
  display_name: string;
  description: string;
}

/** What we send to create a post: channel, text, optional thread root and props. */
export interface NewPost {
  channel_id: string;
  message: string;
  root_id?: string;
  props?: Record<string, unknown>;
  /** Mattermost de-duplicates creates with the same pending id for 30 s (per app server). */
  pending_post_id?: string;
}

/** A user's presence as `GET /users/{id}/status` returns it (`dnd_end_time` in epoch seconds, 0 = none). */
export interface MmStatus {
  user_id: string;
  status: 'online' | 'away' | 'dnd' | 'offline' | 'ooo';
  manual: boolean;
  last_activity_at: number;
  dnd_end_time?: number;
}

/**
 * The REST calls the edge makes, typed with `@mattermost/types`, over MattermostHttp (which owns retries).
 * One method per endpoint; no logic. Creates are marked non-idempotent so a 5xx or lost answer is not
 * repeated blindly: their callers decide (messages/ keeps an idempotency record, bot/ re-lists first).
 */
export class MattermostRest {
  readonly http: MattermostHttp;

  constructor(http: MattermostHttp) {
    this.http = http;
  }

  getMe(token?: string): Promise<UserProfile> {
    return this.http.json({ method: 'GET', path: '/api/v4/users/me', token });
  }

  getUser(userId: string): Promise<UserProfile> {
    return this.http.json({ method: 'GET', path: `/api/v4/users/${encodeURIComponent(userId)}` });
  }

  /** Active users holding a system role (e.g. system_admin), a page of up to 200. */
  usersWithRole(role: string, page = 0): Promise<UserProfile[]> {
    const query = new URLSearchParams({ role, page: String(page), per_page: '200' });
    return this.http.json({ method: 'GET', path: `/api/v4/users?${query}` });
  }

  getMyTeams(): Promise<Team[]> {
    return this.http.json({ method: 'GET', path: '/api/v4/users/me/teams' });
  }

  /** Custom commands of a team; tokens are visible to managers of the team (system admins are). */
  listCommands(teamId: string): Promise<Command[]> {
    return this.http.json({
      method: 'GET',
      path: '/api/v4/commands',
      query: { team_id: teamId, custom_only: true },
    });
  }

  createCommand(teamId: string, fields: CommandFields): Promise<Command> {
    return this.http.json({
      method: 'POST',
      path: '/api/v4/commands',
      json: { team_id: teamId, ...fields },
      idempotent: false,
    });
  }

  updateCommand(existing: Command, fields: CommandFields): Promise<Command> {
    return this.http.json({
      method: 'PUT',
      path: `/api/v4/commands/${existing.id}`,
      json: { ...existing, ...fields },
    });
  }

  /** Get-or-create on the server, so retrying it is safe. */
  directChannel(userA: string, userB: string): Promise<Channel> {
    return this.http.json({
      method: 'POST',
      path: '/api/v4/channels/direct',
      json: [userA, userB],
      idempotent: true,
    });
  }

  /** Not idempotent: only messages/ calls this, with its idempotency record. */
  createPost(post: NewPost): Promise<Post> {
    return this.http.json({
      method: 'POST',
      path: '/api/v4/posts',
      json: post,
      idempotent: false,
    });
  }

  /**
   * Ephemeral posts are not stored, so a duplicate is at worst a repeated notice: retried like a read.
   * Needs create_post_ephemeral (system_admin).
   */
  createEphemeralPost(userId: string, post: NewPost): Promise<Post> {
    return this.http.json({
      method: 'POST',
      path: '/api/v4/posts/ephemeral',
      json: { user_id: userId, post },
      idempotent: true,
    });
  }

  patchPost(postId: string, patch: { message?: string; props?: Record<string, unknown> }): Promise<Post> {
    return this.http.json({ method: 'PUT', path: `/api/v4/posts/${postId}/patch`, json: patch });
  }

  /** Deletes a post (and its replies). A post already deleted or never there is a 404. */
  async deletePost(postId: string): Promise<void> {
    await this.http.json({ method: 'DELETE', path: `/api/v4/posts/${postId}` });
  }

  getPost(postId: string): Promise<Post> {
    return this.http.json({ method: 'GET', path: `/api/v4/posts/${postId}` });
  }

  /** Everything created, edited or deleted in the channel after `since` (ms): catch-up. */
  getPostsSince(channelId: string, since: number): Promise<PostList> {
    return this.http.json({
      method: 'GET',
      path: `/api/v4/channels/${channelId}/posts`,
      query: { since },
    });
  }

  getOAuthApp(appId: string): Promise<{ id: string; callback_urls: string[] }> {
    return this.http.json({ method: 'GET', path: `/api/v4/oauth/apps/${encodeURIComponent(appId)}` });
  }

  getChannelByName(teamId: string, name: string): Promise<Channel> {
    return this.http.json({
      method: 'GET',
      path: `/api/v4/teams/${teamId}/channels/name/${encodeURIComponent(name)}`,
    });
  }

  /** Runs a slash command as the token's user (doctor uses it to prove Mattermost can call us back). */
  executeCommand(channelId: string, command: string): Promise<{ text?: string }> {
    return this.http.json({
      method: 'POST',
      path: '/api/v4/commands/execute',
      json: { channel_id: channelId, command },
      idempotent: false,
    });
  }

  /** No session needed: the trigger_id (valid 30 s) is the proof. Retrying within that window is harmless. */
  async openDialog(triggerId: string, url: string, dialog: Record<string, unknown>): Promise<void> {
    await this.http.send({
      method: 'POST',
      path: '/api/v4/actions/dialogs/open',
      json: { trigger_id: triggerId, url, dialog },
      token: null,
      idempotent: true,
    });
  }

  /** Up to 200 users by id (unknown ids are left out). */
  getUsersByIds(userIds: readonly string[]): Promise<UserProfile[]> {
    return this.http.json({ method: 'POST', path: '/api/v4/users/ids', json: userIds, idempotent: true });
  }

  getChannel(channelId: string): Promise<Channel> {
    return this.http.json({ method: 'GET', path: `/api/v4/channels/${encodeURIComponent(channelId)}` });
  }

  /** The user's membership of the channel; 404 (MattermostError) when they are not a member. */
  getChannelMember(channelId: string, userId: string): Promise<ChannelMembership> {
    return this.http.json({
      method: 'GET',
      path: `/api/v4/channels/${encodeURIComponent(channelId)}/members/${encodeURIComponent(userId)}`,
    });
  }

  /** Presence of many users at once (no permission needed; ids must be 26-character user ids). */
  getStatuses(userIds: readonly string[]): Promise<MmStatus[]> {
    return this.http.json({
      method: 'POST',
      path: '/api/v4/users/status/ids',
      json: userIds,
      idempotent: true,
    });
  }

  getStatus(userId: string): Promise<MmStatus> {
    return this.http.json({ method: 'GET', path: `/api/v4/users/${encodeURIComponent(userId)}/status` });
  }

  /**
   * Sets a user's status (self, or edit_other_users: the bot is a system admin). Anything but online is
   * "manual" and sticks; `dndEndTime` (epoch seconds) makes Mattermost revert DND itself at that time.
   */
  setStatus(
    userId: string,
    status: 'online' | 'away' | 'dnd' | 'offline',
    dndEndTime?: number,
  ): Promise<MmStatus> {
    return this.http.json({
      method: 'PUT',
      path: `/api/v4/users/${encodeURIComponent(userId)}/status`,
      json: { user_id: userId, status, ...(dndEndTime ? { dnd_end_time: dndEndTime } : {}) },
    });
  }

  /** 501 when TeamSettings.EnableCustomUserStatuses is off. The current one is in the user's props.customStatus. */
  async setCustomStatus(userId: string, custom: UserCustomStatus): Promise<void> {
    await this.http.send({
      method: 'PUT',
      path: `/api/v4/users/${encodeURIComponent(userId)}/status/custom`,
      json: custom,
    });
  }

  async deleteCustomStatus(userId: string): Promise<void> {
    await this.http.send({
      method: 'DELETE',
      path: `/api/v4/users/${encodeURIComponent(userId)}/status/custom`,
    });
  }
}
