import type { Bot } from '@mattermost/types/bots';
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import type { Reaction } from '@mattermost/types/reactions';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile, UserStatus } from '@mattermost/types/users';
import type {
  BotRecord,
  ChannelRecord,
  FileRecord,
  PostRecord,
  ReactionRecord,
  SessionRecord,
  SimState,
  StatusRecord,
  TeamRecord,
  UserRecord,
} from './state.ts';

/**
 * Records → wire objects, with the server's sanitising rules (`User.Sanitize`, `Post.StripActionIntegrations`).
 * Every object a client sees passes through here, so privacy rules live in one place.
 */

/** Email is shown to the user themself, to system admins, and to everyone when ShowEmailAddress is on. */
export function userView(state: SimState, user: UserRecord, viewer: SessionRecord | undefined): UserProfile {
  const self = viewer?.user_id === user.id;
  const admin = viewer ? state.isSystemAdmin(viewer.user_id) : false;
  const showEmail = self || admin || state.config.PrivacySettings.ShowEmailAddress;
  const showName = self || admin || state.config.PrivacySettings.ShowFullName;
  return {
    id: user.id,
    create_at: user.create_at,
    update_at: user.update_at,
    delete_at: user.delete_at,
    username: user.username,
    password: '',
    auth_service: user.auth_service,
    email: showEmail ? user.email : '',
    nickname: user.nickname,
    first_name: showName ? user.first_name : '',
    last_name: showName ? user.last_name : '',
    position: user.position,
    roles: user.roles,
    props: { ...user.props },
    notify_props: {} as UserProfile['notify_props'],
    last_password_update: user.create_at,
    last_picture_update: 0,
    locale: user.locale,
    mfa_active: false,
    last_activity_at: 0,
    is_bot: user.is_bot,
    bot_description: user.bot_description,
    terms_of_service_id: '',
    terms_of_service_create_at: 0,
  };
}

export function botView(state: SimState, bot: BotRecord): Bot {
  const user = state.users.get(bot.user_id);
  return {
    user_id: bot.user_id,
    username: user?.username ?? '',
    display_name: bot.display_name,
    description: bot.description,
    owner_id: bot.owner_id,
    create_at: bot.create_at,
    update_at: bot.update_at,
    delete_at: bot.delete_at,
  };
}

export function teamView(team: TeamRecord): Team {
  return {
    id: team.id,
    create_at: team.create_at,
    update_at: team.update_at,
    delete_at: team.delete_at,
    display_name: team.display_name,
    name: team.name,
    description: '',
    email: '',
    type: team.type,
    company_name: '',
    allowed_domains: '',
    invite_id: '',
    allow_open_invite: team.type === 'O',
    scheme_id: '',
    group_constrained: false,
  } as Team;
}

export function channelView(channel: ChannelRecord): Channel {
  return {
    id: channel.id,
    create_at: channel.create_at,
    update_at: channel.update_at,
    delete_at: channel.delete_at,
    team_id: channel.team_id,
    type: channel.type,
    display_name: channel.display_name,
    name: channel.name,
    header: channel.header,
    purpose: channel.purpose,
    last_post_at: channel.last_post_at,
    last_root_post_at: channel.last_post_at,
    creator_id: channel.creator_id,
    scheme_id: '',
    group_constrained: false,
    total_msg_count: channel.total_msg_count,
  } as Channel;
}

/** Action integrations (URL + context) never leave the server: clients get the action id and name only. */
export function postView(state: SimState, post: PostRecord): Post {
  const props = structuredClone(post.props);
  const attachments = props.attachments;
  if (Array.isArray(attachments)) {
    for (const a of attachments) {
      const actions = (a as { actions?: unknown }).actions;
      if (Array.isArray(actions))
        for (const action of actions) delete (action as Record<string, unknown>).integration;
    }
  }
  const reactions = state.reactions.filter((r) => r.post_id === post.id).map(reactionView);
  const files = post.file_ids.map((id) => state.files.get(id)).filter((f) => f !== undefined);
  return {
    id: post.id,
    create_at: post.create_at,
    update_at: post.update_at,
    edit_at: post.edit_at,
    delete_at: post.delete_at,
    is_pinned: post.is_pinned,
    user_id: post.user_id,
    channel_id: post.channel_id,
    root_id: post.root_id,
    original_id: post.original_id,
    message: post.delete_at ? '' : post.message,
    type: post.type as Post['type'],
    props,
    hashtags: post.hashtags,
    pending_post_id: post.pending_post_id,
    reply_count: post.root_id
      ? 0
      : [...state.posts.values()].filter((p) => p.root_id === post.id && p.delete_at === 0).length,
    file_ids: [...post.file_ids],
    metadata: {
      embeds: [],
      emojis: [],
      files: files.map(fileInfoView),
      images: {},
      reactions,
    } as unknown as Post['metadata'],
  };
}

export function reactionView(r: ReactionRecord): Reaction {
  return {
    user_id: r.user_id,
    post_id: r.post_id,
    emoji_name: r.emoji_name,
    create_at: r.create_at,
  } as Reaction;
}

export function fileInfoView(f: FileRecord): FileInfo {
  return {
    id: f.id,
    user_id: f.user_id,
    channel_id: f.channel_id,
    create_at: f.create_at,
    update_at: f.create_at,
    delete_at: f.delete_at,
    name: f.name,
    extension: f.extension,
    size: f.size,
    mime_type: f.mime_type,
    width: 0,
    height: 0,
    has_preview_image: false,
    post_id: f.post_id,
  } as FileInfo;
}

export function statusView(s: StatusRecord): UserStatus {
  return {
    user_id: s.user_id,
    status: s.status,
    manual: s.manual,
    last_activity_at: s.last_activity_at,
    dnd_end_time: s.dnd_end_time,
  } as UserStatus;
}
