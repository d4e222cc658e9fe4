import type { Result } from '../http/context.ts';
import type { OAuthAppRecord } from '../state.ts';

/**
 * The few HTML pages a browser (or a product's e2e test with a cookie jar) meets: login, consent, error.
 * Field names match what the handlers read; nothing here is styled, on purpose.
 */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string): Result {
  return {
    status,
    raw: {
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`,
    },
  };
}

export function loginPage(redirectTo: string, error: string): Result {
  return page(
    200,
    'Log in - Mattermost (simulator)',
    `<h1>Log in</h1>${error ? `<p id="error">${esc(error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="redirect_to" value="${esc(redirectTo)}">
<label>Email or username <input name="login_id"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Log in</button>
</form>`,
  );
}

export function consentPage(app: OAuthAppRecord, p: object): Result {
  const hidden = (Object.entries(p) as Array<[string, string]>)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return page(
    200,
    'Authorize application',
    `<h1>${esc(app.name)} would like to access your Mattermost account</h1>
<p>${esc(app.description)}</p>
<form method="post" action="/oauth/authorize">${hidden}
<button type="submit" name="allow" value="1">Allow</button>
<button type="submit" name="deny" value="1">Deny</button>
</form>`,
  );
}

export function errorPage(status: number, message: string): Result {
  return page(status, 'Error', `<h1>Error</h1><p id="error">${esc(message)}</p>`);
}
