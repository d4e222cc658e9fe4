import { insertPost, sendEphemeral } from '../post-writes.ts';
import type { CommandRecord } from '../state.ts';
import type { World } from '../world.ts';

/**
 * What the server does with a CommandResponse (server app/command.go `HandleCommandResponse`), from the command
 * URL or a `response_url`.
 *
 * Contract: `response_type: "in_channel"` posts into the channel (or `channel_id` if the user may post there)
 * **as the invoking user** with `props.from_webhook="true"`; `username`/`icon_url` (or the command's own) become
 * `override_username`/`override_icon_url` only when EnablePostUsernameOverride/EnablePostIconOverride are on.
 * Anything else (including no type) is an ephemeral reply to the user. Empty text without attachments posts
 * nothing. `extra_responses` are handled the same way, in order.
 */
export interface CommandResponse {
  response_type?: string;
  text?: string;
  username?: string;
  icon_url?: string;
  channel_id?: string;
  type?: string;
  props?: Record<string, unknown>;
  attachments?: unknown[];
  goto_location?: string;
  trigger_id?: string;
  skip_slack_parsing?: boolean;
  extra_responses?: CommandResponse[];
}

export function parseCommandResponse(contentType: string, body: string): CommandResponse {
  if (contentType === 'application/json') {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as CommandResponse;
    } catch {
      // The server falls back to plain text when the JSON does not parse.
    }
  }
  return { text: body };
}

export function handleCommandResponse(
  world: World,
  response: CommandResponse,
  args: { user_id: string; channel_id: string; root_id: string; command: CommandRecord | undefined },
): void {
  const responses = [response, ...(Array.isArray(response.extra_responses) ? response.extra_responses : [])];
  for (const r of responses) handleOne(world, r, args);
}

function handleOne(
  world: World,
  r: CommandResponse,
  args: { user_id: string; channel_id: string; root_id: string; command: CommandRecord | undefined },
): void {
  const state = world.state;
  const text = typeof r.text === 'string' ? r.text : '';
  const attachments = Array.isArray(r.attachments) ? r.attachments : undefined;
  if (text === '' && !attachments) return;
  const props: Record<string, unknown> = { ...(r.props ?? {}) };
  if (attachments) props.attachments = attachments;
  let channelId = args.channel_id;
  if (
    typeof r.channel_id === 'string' &&
    r.channel_id !== '' &&
    state.channelMember(r.channel_id, args.user_id)
  )
    channelId = r.channel_id;
  if (r.response_type === 'in_channel') {
    props.from_webhook = 'true';
    const cfg = state.config.ServiceSettings;
    const username = r.username || args.command?.username || '';
    const icon = r.icon_url || args.command?.icon_url || '';
    if (cfg.EnablePostUsernameOverride && username) props.override_username = username;
    if (cfg.EnablePostIconOverride && icon) props.override_icon_url = icon;
    insertPost(world, {
      channel_id: channelId,
      user_id: args.user_id,
      message: text,
      root_id: args.root_id,
      props,
      type: r.type ?? '',
    });
  } else {
    sendEphemeral(world, args.user_id, {
      channel_id: channelId,
      user_id: args.user_id,
      message: text,
      props,
      root_id: args.root_id,
    });
  }
}
