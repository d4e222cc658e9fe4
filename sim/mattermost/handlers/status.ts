import { disabled, invalidParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId } from '../ids.ts';
import { isAdmin } from '../permissions.ts';
import type { StatusRecord } from '../state.ts';
import { statusView, userView } from '../views.ts';
import type { World } from '../world.ts';
import { resolveUserId } from './users.ts';

/**
 * Presence: status, DND with an end time (seconds), custom status, and the automatic online/offline changes.
 *
 * Contract: `status_change` goes only to the user whose status changed (server `BroadcastStatus`). A manual
 * status (anything set through `PUT /status` other than online) is not overridden by connecting or posting.
 * DND with `dnd_end_time` reverts to the previous status at that instant on the SimClock (the server's job runs
 * each minute; the simulator is exact). `ooo` cannot be set through the API.
 */
export function statusOf(world: World, userId: string): StatusRecord {
  return (
    world.state.statuses.get(userId) ?? {
      user_id: userId,
      status: 'offline',
      manual: false,
      last_activity_at: 0,
      dnd_end_time: 0,
      prev_status: '',
    }
  );
}

function save(world: World, next: StatusRecord, before: StatusRecord): void {
  world.state.statuses.set(next.user_id, next);
  if (next.status !== before.status) {
    world.hub.publish(
      'status_change',
      { status: next.status, user_id: next.user_id },
      { user_id: next.user_id },
    );
  }
}

/**
 * The server's away rule (`SetStatusAwayIfNeeded`, run on socket pongs): an automatically online user idle for
 * `TeamSettings.UserStatusAwayTimeout` seconds becomes away. The sim applies it lazily, whenever a status is read,
 * against the SimClock; the change is published like any other.
 */
export function currentStatus(world: World, userId: string): StatusRecord {
  const status = statusOf(world, userId);
  const timeoutMs = world.state.config.TeamSettings.UserStatusAwayTimeout * 1000;
  if (
    status.status === 'online' &&
    !status.manual &&
    world.state.now() - status.last_activity_at >= timeoutMs
  ) {
    const next: StatusRecord = { ...status, status: 'away' };
    save(world, next, status);
    return next;
  }
  return status;
}

/** Connect or post with set_online: online unless a manual status is in force. */
export function markOnline(world: World, userId: string): void {
  const before = statusOf(world, userId);
  const next = { ...before, last_activity_at: world.state.now() };
  if (!before.manual) next.status = 'online';
  save(world, next, before);
}

/** The user's last socket closed: offline unless manual. */
export function markOffline(world: World, userId: string): void {
  const before = statusOf(world, userId);
  if (before.manual) return;
  save(world, { ...before, status: 'offline' }, before);
}

export function getStatus(ctx: RequestContext): Result {
  const userId = resolveUserId(ctx, ctx.params.user_id);
  return ok(statusView(currentStatus(ctx.world, userId)));
}

/** No permission check beyond a session (server), but every id must be well formed. */
export function getStatusesByIds(ctx: RequestContext): Result {
  const ids = ctx.body;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every(isId)) throw invalidParam('user_ids');
  return ok(ids.map((id) => statusView(currentStatus(ctx.world, id))));
}

export function updateStatus(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const body = ctx.body as { user_id?: unknown; status?: unknown; dnd_end_time?: unknown } | undefined;
  if (!body || body.user_id !== userId) throw invalidParam('user_id');
  if (userId !== session.user_id && !isAdmin(ctx.world.state, session))
    throw permissionDenied('edit_other_users');
  const status = body.status;
  if (status !== 'online' && status !== 'away' && status !== 'offline' && status !== 'dnd')
    throw invalidParam('status');
  const world = ctx.world;
  const before = statusOf(world, userId);
  const next: StatusRecord = { ...before, status, manual: status !== 'online', dnd_end_time: 0 };
  if (status === 'dnd') {
    const end = typeof body.dnd_end_time === 'number' ? Math.floor(body.dnd_end_time) : 0;
    if (end > 0 && end * 1000 <= world.state.now()) throw invalidParam('dnd_end_time');
    next.dnd_end_time = end;
    next.prev_status = before.status === 'dnd' ? before.prev_status : before.status;
    if (end > 0) {
      const state = world.state;
      world.clock.at(end * 1000, () => {
        const cur = state.statuses.get(userId);
        if (world.state !== state || !cur || cur.status !== 'dnd' || cur.dnd_end_time !== end) return;
        const restored = (cur.prev_status || 'online') as StatusRecord['status'];
        save(
          world,
          { ...cur, status: restored, manual: restored !== 'online', dnd_end_time: 0, prev_status: '' },
          cur,
        );
      });
    }
  }
  save(world, next, before);
  return ok(statusView(next));
}

const DURATIONS = new Set([
  '',
  'thirty_minutes',
  'one_hour',
  'four_hours',
  'today',
  'this_week',
  'date_and_time',
]);

export function updateCustomStatus(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  const state = ctx.world.state;
  if (!state.config.TeamSettings.EnableCustomUserStatuses)
    throw disabled('api.custom_status.disabled', 'Custom status feature has been disabled.');
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (userId !== session.user_id && !isAdmin(state, session)) throw permissionDenied('edit_other_users');
  const body = (ctx.body ?? {}) as {
    emoji?: unknown;
    text?: unknown;
    duration?: unknown;
    expires_at?: unknown;
  };
  const emoji = typeof body.emoji === 'string' ? body.emoji : '';
  const text = typeof body.text === 'string' ? body.text : '';
  const duration = typeof body.duration === 'string' ? body.duration : '';
  if ((emoji === '' && text === '') || [...text].length > 100 || !DURATIONS.has(duration)) {
    throw new SimError(
      400,
      'api.custom_status.set_custom_statuses.update.app_error',
      'Failed to update the custom status.',
    );
  }
  let expiresAt = '';
  if (duration !== '' && typeof body.expires_at === 'string') {
    const at = Date.parse(body.expires_at);
    if (Number.isNaN(at)) throw invalidParam('expires_at');
    expiresAt = new Date(at).toISOString();
  }
  const user = state.users.get(userId);
  if (!user) throw new SimError(404, 'app.user.missing_account.const', 'Unable to find the user.');
  const custom = { emoji: emoji || 'speech_balloon', text, duration, expires_at: expiresAt };
  user.props.customStatus = JSON.stringify(custom);
  user.update_at = state.now();
  if (expiresAt) {
    const value = user.props.customStatus;
    ctx.world.clock.at(Date.parse(expiresAt), () => {
      if (user.props.customStatus === value) {
        delete user.props.customStatus;
        ctx.world.hub.publish('user_updated', { user: userView(state, user, undefined) }, {});
      }
    });
  }
  ctx.world.hub.publish('user_updated', { user: userView(state, user, undefined) }, {});
  return STATUS_OK;
}

export function deleteCustomStatus(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  const state = ctx.world.state;
  if (!state.config.TeamSettings.EnableCustomUserStatuses)
    throw disabled('api.custom_status.disabled', 'Custom status feature has been disabled.');
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (userId !== session.user_id && !isAdmin(state, session)) throw permissionDenied('edit_other_users');
  const user = state.users.get(userId);
  if (user?.props.customStatus !== undefined) {
    delete user.props.customStatus;
    user.update_at = state.now();
    ctx.world.hub.publish('user_updated', { user: userView(state, user, undefined) }, {});
  }
  return STATUS_OK;
}
