import { createSession } from '../auth.ts';
import type { RequestContext, Result } from '../http/context.ts';
import { loginPage } from './pages.ts';

/**
 * The sim's own login page (the real server's is the webapp): enough for a browser-style OAuth flow driven by a
 * product's e2e test with a cookie jar. Not part of the Mattermost API.
 */
export function showLogin(ctx: RequestContext): Result {
  return loginPage(ctx.query.redirect_to ?? '/', '');
}

/** The sim's login form: sets `MMAUTHTOKEN` and returns to `redirect_to` (same-origin paths only). */
export function submitLogin(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const loginId = typeof b.login_id === 'string' ? b.login_id : '';
  const redirectTo =
    typeof b.redirect_to === 'string' && b.redirect_to.startsWith('/') && !b.redirect_to.startsWith('//')
      ? b.redirect_to
      : '/';
  const user = state.userByUsername(loginId) ?? state.userByEmail(loginId);
  if (!user || user.is_bot || user.delete_at !== 0 || user.password === '' || user.password !== b.password) {
    return { ...loginPage(redirectTo, 'Enter a valid email or username and/or password.'), status: 401 };
  }
  const session = createSession(state, user.id, 'login', {
    lifetimeMs: state.config.ServiceSettings.SessionLengthWebInHours * 3600_000,
  });
  return {
    redirect: redirectTo,
    headers: { 'Set-Cookie': `MMAUTHTOKEN=${session.token}; Path=/; HttpOnly; SameSite=Lax` },
  };
}
