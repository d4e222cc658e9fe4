/**
 * `GET /{tenant}/oauth2/v2.0/authorize`: the browser leg of the auth-code flow (graph-api.md §1.2).
 *
 * Errors Entra shows on its own page (unknown tenant/app, redirect URI mismatch) are HTML pages with the AADSTS
 * text and no redirect, because redirecting to an unregistered URI is the attack the check prevents. Every
 * other error is a redirect with `error`/`error_description`/`state`.
 *
 * Sign-in: with a `login_hint` naming a tenant user and the app's auto-approve flag on (demo default), the code
 * is issued at once, also under `prompt=select_account|consent` (a scripted browser has no one to click).
 * `prompt=login` and a missing hint show the account picker; picking a user follows a link carrying
 * `sim_user=<id>` on the same URL. `prompt=none` without a hint is `login_required`.
 */
import { randomBytes } from 'node:crypto';
import type { Handler, SimContext, SimResponse } from '../context.ts';
import type { AppRecord } from '../state.ts';
import { aadstsText } from './aadsts.ts';
import { tenantMatches } from './discovery.ts';
import { canonical, parseScopes } from './scopes.ts';

export const AUTH_CODE_LIFETIME_MS = 10 * 60_000;

const AUTHORIZE_ERRORS: Record<number, string> = {
  65001: 'consent_required',
  50058: 'login_required',
  50126: 'access_denied',
};

/** Entra ignores the port of http loopback redirect URIs (RFC 8252 §7.3); everything else is exact. */
export function redirectUriRegistered(app: AppRecord, uri: string): boolean {
  if (app.redirectUris.includes(uri)) return true;
  let asked: URL;
  try {
    asked = new URL(uri);
  } catch {
    return false;
  }
  if (asked.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(asked.hostname))
    return false;
  return app.redirectUris.some((r) => {
    try {
      const reg = new URL(r);
      return (
        reg.protocol === 'http:' &&
        reg.hostname === asked.hostname &&
        reg.pathname === asked.pathname &&
        reg.search === asked.search
      );
    } catch {
      return false;
    }
  });
}

function errorPage(code: number, vars: Record<string, string>): SimResponse {
  const { text } = aadstsText(code, vars);
  return {
    status: 400,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: `<!doctype html><title>Sign in to your account</title><h1>Sorry, but we’re having trouble signing you in.</h1><p id="error">${escapeHtml(text)}</p>`,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function redirectWith(
  redirectUri: string,
  mode: string,
  params: Record<string, string | undefined>,
): SimResponse {
  const clean = Object.fromEntries(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (mode === 'form_post') {
    const inputs = Object.entries(clean)
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    return {
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: `<!doctype html><body onload="document.forms[0].submit()"><form method="POST" action="${escapeHtml(redirectUri)}">${inputs}<noscript><button>Continue</button></noscript></form></body>`,
    };
  }
  const q = new URLSearchParams(clean).toString();
  const sep = mode === 'fragment' ? '#' : redirectUri.includes('?') ? '&' : '?';
  return { status: 302, headers: { Location: `${redirectUri}${sep}${q}` } };
}

function errorRedirect(
  ctx: SimContext,
  redirectUri: string,
  mode: string,
  state: string | undefined,
  code: number,
  vars: Record<string, string> = {},
): SimResponse {
  const { error: tokenError, text } = aadstsText(code, vars);
  // The authorize leg reports interaction problems with the OAuth authorize error values.
  const error = AUTHORIZE_ERRORS[code] ?? tokenError;
  const ts = new Date(ctx.clock.now()).toISOString();
  return redirectWith(redirectUri, mode, {
    error,
    error_description: `${text}\r\nTrace ID: ${randomBytes(16).toString('hex')}\r\nTimestamp: ${ts}`,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    state,
  });
}

export const authorize: Handler = (req, ctx) => {
  const q = req.query;
  const tenant = req.params.tenant ?? '';
  if (!tenantMatches(ctx, tenant)) return errorPage(90002, { tenant });
  const clientId = q.client_id ?? '';
  const app = ctx.state.apps.get(clientId);
  if (!app) return errorPage(700016, { client: clientId, tenant: ctx.state.tenant.id });
  const redirectUri = q.redirect_uri ?? '';
  if (!redirectUri || !redirectUriRegistered(app, redirectUri)) {
    return errorPage(50011, { redirect: redirectUri, client: clientId });
  }
  const mode = q.response_mode ?? 'query';
  const state = q.state;
  if (q.response_type !== 'code') {
    const { text } = aadstsText(900144, { param: 'response_type' });
    return redirectWith(redirectUri, mode, {
      error: 'unsupported_response_type',
      error_description: text,
      state,
    });
  }
  if (!q.scope) return errorRedirect(ctx, redirectUri, mode, state, 900144, { param: 'scope' });
  const method = q.code_challenge_method ?? (q.code_challenge ? 'plain' : undefined);
  if (method !== undefined && method !== 'S256' && method !== 'plain') {
    return errorRedirect(ctx, redirectUri, mode, state, 90023);
  }
  const scopes = parseScopes(q.scope);
  if (scopes.foreign) return errorRedirect(ctx, redirectUri, mode, state, 70011);
  const granted: string[] = [];
  for (const name of scopes.graph) {
    const c = canonical(app.delegatedPermissions, name);
    if (!c) return errorRedirect(ctx, redirectUri, mode, state, 65001, { client: clientId });
    granted.push(c);
  }
  if (scopes.hasDefault) granted.push(...app.delegatedPermissions.filter((p) => !granted.includes(p)));

  const prompt = q.prompt;
  const picked = q.sim_user ? ctx.state.users.get(q.sim_user) : undefined;
  const hinted = q.login_hint ? ctx.state.findUser(q.login_hint) : undefined;
  let user = picked;
  if (!user && hinted && app.autoApprove && prompt !== 'login') user = hinted;
  if (!user && prompt === 'none') return errorRedirect(ctx, redirectUri, mode, state, 50058);
  if (!user) return pickerPage(ctx, req.path, q);
  if (!user.accountEnabled) return errorRedirect(ctx, redirectUri, mode, state, 50126);

  const code = randomBytes(48).toString('base64url');
  const now = ctx.clock.now();
  ctx.state.authCodes.set(code, {
    code,
    clientId,
    userId: user.id,
    redirectUri,
    scopes: [...scopes.oidc, ...granted],
    codeChallenge: q.code_challenge ?? null,
    codeChallengeMethod: q.code_challenge ? (method as 'S256' | 'plain') : null,
    nonce: q.nonce ?? null,
    issuedAt: now,
    expiresAt: now + AUTH_CODE_LIFETIME_MS,
    redeemed: false,
  });
  return redirectWith(redirectUri, mode, {
    code,
    state,
    session_state: randomBytes(16).toString('hex'),
    client_info: q.client_info === '1' ? clientInfo(user.id, ctx.state.tenant.id) : undefined,
  });
};

export function clientInfo(oid: string, tid: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tid })).toString('base64url');
}

function pickerPage(ctx: SimContext, path: string, q: Record<string, string>): SimResponse {
  const items = [...ctx.state.users.values()]
    .map((u) => {
      const params = new URLSearchParams({ ...q, sim_user: u.id });
      return `<li><a data-user="${escapeHtml(u.key)}" href="${escapeHtml(`${path}?${params}`)}">${escapeHtml(u.displayName)} &lt;${escapeHtml(u.userPrincipalName)}&gt;</a></li>`;
    })
    .join('');
  return {
    status: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: `<!doctype html><title>Pick an account</title><h1>Pick an account</h1><p>${escapeHtml(ctx.state.tenant.displayName)}</p><ul>${items}</ul>`,
  };
}
