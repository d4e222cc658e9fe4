import { SimError } from '../errors.ts';
import { insertPost, sendEphemeral } from '../post-writes.ts';
import type { CommandRecord } from '../state.ts';
import type { World } from '../world.ts';

/**
 * What the server does with a CommandResponse (server app/command.go `HandleCommandResponse`,
 * `HandleCommandResponsePost`, `CreateCommandPost`), from the command URL or a `response_url`.
 *
 * Contract:
 * - The post's author is the invoking user; custom-command posts always carry `props.from_webhook="true"`.
 *   With EnablePostUsernameOverride the command's `username` (else the response's) becomes `override_username`;
 *   with EnablePostIconOverride the command's `icon_url` (else the response's, else "") `override_icon_url`.
 * - `channel_id` in the response redirects the post, but only into a channel the user is a member of (else
 *   that response fails with 403 `api.command.command_post.forbidden.app_error`). A `type` with the `system_`
 *   prefix fails with 400 `api.context.invalid_param.app_error`.
 * - `response_type: "in_channel"` creates a post; `""`/`"ephemeral"` with text or attachments sends an ephemeral
 *   post to the user; anything else posts nothing. `extra_responses` are handled the same way, in order; if any
 *   response failed, the whole call fails with 500 `api.command.execute_command.create_post_failed.app_error`
 *   after the others were handled.
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
  let failed = false;
  for (const r of responses) {
    try {
      handleOne(world, r, args);
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      failed = true;
    }
  }
  if (failed) {
    throw new SimError(
      500,
      'api.command.execute_command.create_post_failed.app_error',
      'Command has failed to post response.',
    );
  }
}

function handleOne(
  world: World,
  r: CommandResponse,
  args: { user_id: string; channel_id: string; root_id: string; command: CommandRecord | undefined },
): void {
  const state = world.state;
  const cfg = state.config.ServiceSettings;
  const props: Record<string, unknown> = { ...(r.props ?? {}) };
  let channelId = args.channel_id;
  if (typeof r.channel_id === 'string' && r.channel_id !== '') {
    if (!state.channelMember(r.channel_id, args.user_id)) {
      throw new SimError(
        403,
        'api.command.command_post.forbidden.app_error',
        'Specified user is not a member of specified channel.',
      );
    }
    channelId = r.channel_id;
  }
  if (cfg.EnablePostUsernameOverride) {
    const username = args.command?.username || r.username || '';
    if (username) props.override_username = username;
  }
  if (cfg.EnablePostIconOverride) props.override_icon_url = args.command?.icon_url || r.icon_url || '';
  props.from_webhook = 'true';
  const type = typeof r.type === 'string' ? r.type : '';
  if (type.startsWith('system_'))
    throw new SimError(400, 'api.context.invalid_param.app_error', 'Invalid type parameter.');
  const text = typeof r.text === 'string' ? r.text : '';
  const attachments = Array.isArray(r.attachments) ? r.attachments : undefined;
  if (attachments) props.attachments = attachments;
  const responseType = r.response_type ?? '';
  if (responseType === 'in_channel') {
    insertPost(world, {
      channel_id: channelId,
      user_id: args.user_id,
      message: text,
      root_id: args.root_id,
      props,
      type,
    });
  } else if ((responseType === '' || responseType === 'ephemeral') && (text !== '' || attachments)) {
    sendEphemeral(world, args.user_id, {
      channel_id: channelId,
      user_id: args.user_id,
      message: text,
      props,
      root_id: args.root_id,
    });
  }
}
