import { invalidParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isAdmin } from '../permissions.ts';
import type { PreferenceRecord } from '../state.ts';
import { resolveUserId } from './users.ts';

/**
 * Preferences: per-user key/values by (category, name), where the product may keep per-user settings.
 * Only the user (or an admin) may read or write them; every item's `user_id` must match the path.
 * Changes publish `preferences_changed` / `preferences_deleted` to that user.
 */
function owner(ctx: RequestContext): string {
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (userId !== session.user_id && !isAdmin(ctx.world.state, session))
    throw permissionDenied('edit_other_users');
  return userId;
}

function parse(ctx: RequestContext, userId: string): PreferenceRecord[] {
  const body = ctx.body;
  if (!Array.isArray(body) || body.length === 0 || body.length > 100) throw invalidParam('preferences');
  return body.map((p) => {
    const r = p as Partial<PreferenceRecord>;
    if (r.user_id !== userId)
      throw new SimError(
        403,
        'api.preference.update_preferences.set.app_error',
        'Unable to set user preferences.',
      );
    if (typeof r.category !== 'string' || r.category === '' || typeof r.name !== 'string')
      throw invalidParam('preference');
    return {
      user_id: userId,
      category: r.category,
      name: r.name,
      value: typeof r.value === 'string' ? r.value : '',
    };
  });
}

export function getPreferences(ctx: RequestContext): Result {
  const userId = owner(ctx);
  const category = ctx.params.category;
  return ok(
    ctx.world.state.preferences.filter((p) => p.user_id === userId && (!category || p.category === category)),
  );
}

export function getPreference(ctx: RequestContext): Result {
  const userId = owner(ctx);
  const p = ctx.world.state.preferences.find(
    (x) => x.user_id === userId && x.category === ctx.params.category && x.name === ctx.params.name,
  );
  if (!p) throw new SimError(404, 'app.preference.get_category.app_error', 'Unable to find preference.');
  return ok(p);
}

export function savePreferences(ctx: RequestContext): Result {
  const userId = owner(ctx);
  const state = ctx.world.state;
  const items = parse(ctx, userId);
  for (const item of items) {
    state.preferences = state.preferences.filter(
      (p) => !(p.user_id === userId && p.category === item.category && p.name === item.name),
    );
    state.preferences.push(item);
  }
  ctx.world.hub.publish('preferences_changed', { preferences: JSON.stringify(items) }, { user_id: userId });
  return STATUS_OK;
}

export function deletePreferences(ctx: RequestContext): Result {
  const userId = owner(ctx);
  const state = ctx.world.state;
  const items = parse(ctx, userId);
  state.preferences = state.preferences.filter(
    (p) => !items.some((i) => i.user_id === p.user_id && i.category === p.category && i.name === p.name),
  );
  ctx.world.hub.publish('preferences_deleted', { preferences: JSON.stringify(items) }, { user_id: userId });
  return STATUS_OK;
}
