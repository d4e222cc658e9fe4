import { insertPost } from './post-writes.ts';
import type { World } from './world.ts';

/**
 * The system messages the server posts when membership changes (app/channel.go `postJoinChannelMessage`,
 * `PostAddToChannelMessage`, `postLeaveChannelMessage`, `postRemoveFromChannelMessage`, app/team.go
 * `postJoinTeamMessage`/`postAddToTeamMessage`). They reach WebSocket clients as ordinary `posted` events with a
 * `system_*` type, so a bridge must filter them; the sim produces them so that filter is exercised. Seeding makes
 * none.
 */
function username(world: World, userId: string): string {
  return world.state.users.get(userId)?.username ?? '';
}

function systemPost(
  world: World,
  channelId: string,
  actorId: string,
  type: string,
  message: string,
  props: Record<string, unknown>,
): void {
  insertPost(world, { channel_id: channelId, user_id: actorId, message, type, props }, { setOnline: false });
}

/** A user joined (`actorId === userId`) or was added to a channel. */
export function postChannelJoin(world: World, channelId: string, actorId: string, userId: string): void {
  if (actorId === userId) {
    systemPost(
      world,
      channelId,
      userId,
      'system_join_channel',
      `@${username(world, userId)} joined the channel.`,
      {
        username: username(world, userId),
      },
    );
    return;
  }
  systemPost(
    world,
    channelId,
    actorId,
    'system_add_to_channel',
    `@${username(world, userId)} added to the channel by @${username(world, actorId)}.`,
    {
      userId: actorId,
      username: username(world, actorId),
      addedUserId: userId,
      addedUsername: username(world, userId),
    },
  );
}

/** A user left (`actorId === userId`) or was removed from a channel; posted after the removal. */
export function postChannelLeave(world: World, channelId: string, actorId: string, userId: string): void {
  if (actorId === userId) {
    systemPost(
      world,
      channelId,
      userId,
      'system_leave_channel',
      `@${username(world, userId)} left the channel.`,
      {
        username: username(world, userId),
      },
    );
    return;
  }
  systemPost(
    world,
    channelId,
    actorId,
    'system_remove_from_channel',
    `@${username(world, userId)} was removed from the channel.`,
    {
      removedUserId: userId,
      removedUsername: username(world, userId),
    },
  );
}

/** A user joined or was added to a team: the message goes to its town-square. */
export function postTeamJoin(world: World, teamId: string, actorId: string, userId: string): void {
  const townSquare = [...world.state.channels.values()].find(
    (c) => c.team_id === teamId && c.name === 'town-square',
  );
  if (!townSquare) return;
  if (actorId === userId) {
    systemPost(
      world,
      townSquare.id,
      userId,
      'system_join_team',
      `@${username(world, userId)} joined the team.`,
      {
        username: username(world, userId),
      },
    );
    return;
  }
  systemPost(
    world,
    townSquare.id,
    actorId,
    'system_add_to_team',
    `@${username(world, userId)} added to the team by @${username(world, actorId)}.`,
    {
      userId: actorId,
      username: username(world, actorId),
      addedUserId: userId,
      addedUsername: username(world, userId),
    },
  );
}

/** A channel property changed (`PostUpdateChannelHeaderMessage` and its purpose/display-name siblings). */
export function postChannelPropertyChange(
  world: World,
  channelId: string,
  actorId: string,
  kind: 'header' | 'purpose' | 'displayname',
  oldValue: string,
  newValue: string,
): void {
  const who = `@${username(world, actorId)}`;
  const message =
    newValue === ''
      ? `${who} removed the channel ${kind === 'displayname' ? 'display name' : kind} (was: ${oldValue})`
      : oldValue === ''
        ? `${who} updated the channel ${kind === 'displayname' ? 'display name' : kind} to: ${newValue}`
        : `${who} updated the channel ${kind === 'displayname' ? 'display name' : kind} from: ${oldValue} to: ${newValue}`;
  const props: Record<string, unknown> = { username: username(world, actorId) };
  if (kind === 'displayname') {
    props.old_displayname = oldValue;
    props.new_displayname = newValue;
  } else {
    props[`old_${kind}`] = oldValue;
    props[`new_${kind}`] = newValue;
  }
  systemPost(world, channelId, actorId, `system_${kind}_change`, message, props);
}
