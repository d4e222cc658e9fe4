import { randomBytes } from 'node:crypto';
import { connectPaths } from '../accounts/index.ts';
import type { App } from '../app.ts';
import { isAppError } from '../core/errors.ts';
import type { Check } from '../mattermost/index.ts';
import { featureScopes } from '../microsoft/index.ts';

export type { Check } from '../mattermost/index.ts';

/**
 * Application (app-only) Graph permissions the features need, as the seed guides list them
 * (mscalendar.md §2: Calendars.Read, MailboxSettings.Read; msteams.md: Chat.Read.All, ChannelMessage.Read.All,
 * Channel.ReadBasic.All, Team.ReadBasic.All, User.Read.All, Presence.Read.All). Delegated ones are asked
 * per feature at connect time (src/microsoft/auth/scopes.ts).
 */
export const requiredAppRoles = [
  'User.Read.All',
  'Calendars.Read',
  'MailboxSettings.Read',
  'Chat.Read.All',
  'ChannelMessage.Read.All',
  'Channel.ReadBasic.All',
  'Team.ReadBasic.All',
  'Presence.Read.All',
] as const;

/**
 * `mm365 doctor`: one line per check, pass/warn/fail with the exact fix. Runs against the live deployment
 * (real or simulated) and changes nothing (apart from Mattermost's `/<trigger> help` run as the bot, which
 * proves Mattermost can call us). Never throws: a failure is a line.
 */
export async function runDoctor(app: App): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    await app.store.ping();
    const migrations = await app.prepare();
    checks.push({
      name: 'database',
      status: 'pass',
      detail: `${app.store.driver} reachable; schema at ${migrations.current ?? '(empty)'}`,
    });
  } catch (err) {
    checks.push({
      name: 'database',
      status: 'fail',
      detail: (err as Error).message,
      fix:
        app.store.driver === 'pg'
          ? 'Check DATABASE_URL and that PostgreSQL is running.'
          : 'Check that database.dataDir is writable.',
    });
    return checks;
  }
  const upstreams = app.upstreams;
  if (!upstreams) {
    checks.push({
      name: 'upstreams',
      status: 'warn',
      detail: 'Neither Mattermost nor Microsoft 365 is configured: npm start runs the sandbox.',
      fix: 'Set MATTERMOST_URL, MM365_MATTERMOST_BOT_TOKEN, AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET to check a real deployment.',
    });
    return checks;
  }
  checks.push(...(await upstreams.mattermost.edge.diagnose()));
  checks.push(...(await microsoftChecks(app)));
  return checks;
}

async function microsoftChecks(app: App): Promise<Check[]> {
  const checks: Check[] = [];
  const edge = app.upstreams?.microsoft.edge;
  if (!edge) return checks;
  const clientId = app.config.microsoft.clientId as string;

  // 1. Client credentials: the secret works, and admin consent gave the app its application permissions.
  let appToken: string | undefined;
  try {
    appToken = await edge.auth.appToken();
    checks.push({
      name: 'microsoft.credentials',
      status: 'pass',
      detail: `client credentials of ${clientId} work`,
    });
  } catch (err) {
    checks.push({
      name: 'microsoft.credentials',
      status: 'fail',
      detail: isAppError(err) ? err.message : String(err),
      fix: 'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (Azure portal → App registrations → the app → Certificates & secrets: a secret that has not expired).',
    });
  }
  if (appToken) {
    const roles = rolesOf(appToken);
    const missing = requiredAppRoles.filter((r) => !roles.includes(r));
    checks.push(
      missing.length === 0
        ? {
            name: 'microsoft.application-permissions',
            status: 'pass',
            detail: `granted with admin consent: ${requiredAppRoles.join(', ')}`,
          }
        : {
            name: 'microsoft.application-permissions',
            status: 'fail',
            detail: `missing or not admin-consented: ${missing.join(', ')}`,
            fix: 'Azure portal → App registrations → the app → API permissions → Add a permission → Microsoft Graph → Application permissions: add them, then "Grant admin consent".',
          },
    );
  }

  // 1b. Delegated permissions: admin consent is an oauth2PermissionGrant (consentType AllPrincipals) of our
  // service principal. Reading it needs two read-only application permissions; without them, say so.
  if (appToken) checks.push(await delegatedConsentCheck(edge.endpoints.graphBaseUrl, clientId, appToken));

  // 2. Redirect URI: Entra refuses an unregistered one on its sign-in page (AADSTS50011) before anyone signs in.
  const redirectUri = `${app.publicUrl()}${connectPaths.microsoftCallback}`;
  try {
    const authorize = new URL(`${edge.endpoints.authority.replace(/\/+$/, '')}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 'doctor',
    }).toString();
    const res = await fetch(authorize, { redirect: 'manual' });
    const body = await res.text();
    if (/AADSTS50011/.test(body)) {
      checks.push({
        name: 'microsoft.redirect-uri',
        status: 'fail',
        detail: `${redirectUri} is not a redirect URI of the app registration`,
        fix: `Azure portal → the app → Authentication → Web → add ${redirectUri}.`,
      });
    } else if (res.status >= 400) {
      checks.push({
        name: 'microsoft.redirect-uri',
        status: 'fail',
        detail: `the sign-in page answered ${res.status}: ${body.slice(0, 200)}`,
      });
    } else {
      checks.push({
        name: 'microsoft.redirect-uri',
        status: 'pass',
        detail: `${redirectUri} is accepted by the sign-in page`,
      });
    }
  } catch (err) {
    checks.push({
      name: 'microsoft.redirect-uri',
      status: 'fail',
      detail: `Entra ID is unreachable: ${(err as Error).message}`,
      fix: "Check outbound HTTPS to the cloud's login host (and microsoft.caFile behind a TLS-inspecting proxy).",
    });
  }

  // 3. Our webhook answers Graph's validation handshake, at the URL Graph will call.
  const webhook = `${app.publicUrl()}/microsoft/notifications`;
  const token = `mm365 doctor ${randomBytes(6).toString('hex')}`;
  try {
    const res = await fetch(`${webhook}?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    });
    const echoed = await res.text();
    const https = webhook.startsWith('https://');
    if (res.status === 200 && echoed === token) {
      checks.push(
        https
          ? {
              name: 'microsoft.webhook',
              status: 'pass',
              detail: `${webhook} answers the validation handshake`,
            }
          : {
              name: 'microsoft.webhook',
              status: 'warn',
              detail: `${webhook} answers the validation handshake, but Graph only calls HTTPS URLs`,
              fix: 'Set server.publicUrl (MM365_SERVER_PUBLIC_URL) to the HTTPS address of this service, e.g. behind a reverse proxy.',
            },
      );
    } else {
      checks.push({
        name: 'microsoft.webhook',
        status: 'fail',
        detail: `${webhook} answered ${res.status} "${echoed.slice(0, 80)}" to a validation request`,
        fix: 'Is the service running at server.publicUrl? Run doctor while it runs.',
      });
    }
  } catch (err) {
    checks.push({
      name: 'microsoft.webhook',
      status: 'fail',
      detail: `${webhook} is unreachable: ${(err as Error).message}`,
      fix: 'Run doctor while the service runs, and make server.publicUrl reachable from the internet (Graph must call it).',
    });
  }
  return checks;
}

/** The `roles` claim of an app-only token (read, not verified: the token came straight from Entra over TLS). */
function rolesOf(jwt: string): string[] {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      roles?: unknown;
    };
    return Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is string => typeof r === 'string')
      : [];
  } catch {
    return [];
  }
}

/** Delegated scopes the features ask users for, as admin consent must cover them (offline_access is implicit). */
function requiredDelegated(): string[] {
  return [...new Set(Object.values(featureScopes).flat())].filter((s) => s !== 'offline_access');
}

async function delegatedConsentCheck(graph: string, clientId: string, appToken: string): Promise<Check> {
  const name = 'microsoft.delegated-permissions';
  const get = async (path: string) => {
    const res = await fetch(`${graph}${path}`, { headers: { authorization: `Bearer ${appToken}` } });
    return {
      status: res.status,
      body: (await res.json().catch(() => ({}))) as { value?: Record<string, unknown>[] },
    };
  };
  try {
    const sps = await get(
      `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${clientId}'`)}&$select=id`,
    );
    if (sps.status === 403) {
      return {
        name,
        status: 'warn',
        detail:
          'cannot verify admin consent of the delegated permissions: the app may not read its own service principal',
        fix: 'To let doctor check, add the read-only application permissions Application.Read.All and DelegatedPermissionGrant.Read.All (with admin consent); or check "Grant admin consent" in the portal yourself.',
      };
    }
    const spId = sps.body.value?.[0]?.id;
    if (sps.status !== 200 || typeof spId !== 'string') {
      return {
        name,
        status: 'fail',
        detail: `no service principal for ${clientId} in the tenant (Graph answered ${sps.status})`,
        fix: 'Grant admin consent for the app in the portal (API permissions → Grant admin consent): that creates it.',
      };
    }
    const grants = await get(
      `/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${spId}'`)}`,
    );
    if (grants.status === 403) {
      return {
        name,
        status: 'warn',
        detail: 'cannot read the delegated permission grants',
        fix: 'Add the read-only application permission DelegatedPermissionGrant.Read.All (with admin consent) to let doctor check.',
      };
    }
    const consented = new Set(
      (grants.body.value ?? [])
        .filter((g) => g.consentType === 'AllPrincipals' && typeof g.scope === 'string')
        .flatMap((g) => (g.scope as string).split(/\s+/).filter((x) => x !== '')),
    );
    const missing = requiredDelegated().filter((s) => !consented.has(s));
    return missing.length === 0
      ? { name, status: 'pass', detail: `admin-consented for all users: ${requiredDelegated().join(', ')}` }
      : {
          name,
          status: 'fail',
          detail: `not admin-consented: ${missing.join(', ')} (users would be asked to consent, or refused where user consent is off)`,
          fix: 'Azure portal → the app → API permissions → Add a permission → Microsoft Graph → Delegated permissions: add them, then "Grant admin consent".',
        };
  } catch (err) {
    return { name, status: 'fail', detail: `Graph is unreachable: ${(err as Error).message}` };
  }
}
