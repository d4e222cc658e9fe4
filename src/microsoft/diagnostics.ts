import { randomUUID } from 'node:crypto';
import type { Feature } from '../core/accounts/account.ts';
import { isAppError } from '../core/errors.ts';
import type { MicrosoftAuth } from './auth/microsoft-auth.ts';
import { featureAppRoles } from './auth/scopes.ts';
import { webhookPaths } from './inbound/webhook-plugin.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was found, or the exact fix when not ok. */
  detail: string;
}

/**
 * Checks `mm365 doctor` runs against Microsoft: the app's credentials, its admin-consented application
 * permissions, and whether Graph could reach our webhook. Each returns a result, never throws.
 */
export class MicrosoftDiagnostics {
  readonly #auth: MicrosoftAuth;
  readonly #webhookBaseUrl: () => string;

  constructor(auth: MicrosoftAuth, webhookBaseUrl: () => string) {
    this.#auth = auth;
    this.#webhookBaseUrl = webhookBaseUrl;
  }

  /**
   * Client credentials work, and the app token carries every application permission the features need.
   * Graph tokens are opaque by contract; reading their `roles` here is a diagnostic only, never a decision.
   */
  async appPermissions(features: readonly Feature[] = ['calendar', 'teams']): Promise<CheckResult[]> {
    let token: string;
    try {
      token = await this.#auth.appToken();
    } catch (err) {
      const code = isAppError(err) ? err.code : 'error';
      return [
        {
          name: 'microsoft.client-credentials',
          ok: false,
          detail: `${code}: ${(err as Error).message} Fix: check microsoft.tenantId, clientId and clientSecret (Certificates & secrets).`,
        },
      ];
    }
    const results: CheckResult[] = [
      { name: 'microsoft.client-credentials', ok: true, detail: 'an app token was issued' },
    ];
    const roles = rolesOf(token);
    for (const feature of features) {
      const missing = featureAppRoles[feature].filter((r) => roles !== undefined && !roles.includes(r));
      results.push({
        name: `microsoft.app-permissions.${feature}`,
        ok: roles !== undefined && missing.length === 0,
        detail:
          roles === undefined
            ? 'the app token is not readable (encrypted?); check API permissions in the Entra admin center'
            : missing.length === 0
              ? `granted: ${featureAppRoles[feature].join(', ')}`
              : `missing admin-consented application permissions: ${missing.join(', ')}. Fix: Entra admin center → App registrations → API permissions → add them (Microsoft Graph, Application) → Grant admin consent.`,
      });
    }
    return results;
  }

  /** Sends Graph's validation handshake to our own public webhook URL and checks the echo. */
  async webhook(): Promise<CheckResult> {
    const token = `Validation: mm365 doctor probe ${randomUUID()}`;
    const url = `${this.#webhookBaseUrl()}${webhookPaths.notifications}?validationToken=${encodeURIComponent(token)}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(10_000),
      });
      const body = await res.text();
      const ok =
        res.status === 200 &&
        body === token &&
        (res.headers.get('content-type') ?? '').startsWith('text/plain');
      return {
        name: 'microsoft.webhook',
        ok,
        detail: ok
          ? `${url.split('?')[0]} answers Graph's validation`
          : `${url.split('?')[0]} answered ${res.status} without the echo. Fix: server.publicUrl must reach this service over HTTPS.`,
      };
    } catch (err) {
      return {
        name: 'microsoft.webhook',
        ok: false,
        detail: `${url.split('?')[0]} is unreachable (${(err as Error).message}). Fix: server.publicUrl must be reachable from the internet over HTTPS.`,
      };
    }
  }
}

function rolesOf(token: string): string[] | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      roles?: unknown;
    };
    return Array.isArray(payload.roles) ? payload.roles.map(String) : [];
  } catch {
    return undefined;
  }
}
