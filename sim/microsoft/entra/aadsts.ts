/**
 * Entra's OAuth error responses (graph-api.md §1.2): `{error, error_description:"AADSTSnnnn: …\r\nTrace ID: …",
 * error_codes:[n], timestamp, trace_id, correlation_id, error_uri}`, 400 except `invalid_client` (401).
 * The catalog doubles as the list of AADSTS fault knobs: `POST /_sim/faults {"path":"*\/token","aadsts":700082}`.
 */
import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../context.ts';

interface AadstsEntry {
  error: string;
  message: string;
  suberror?: string;
}

/** Messages as Entra words them (common knowledge / captured; exact wording of several is [inf]). */
export const AADSTS: Record<number, AadstsEntry> = {
  50011: {
    error: 'invalid_request',
    message:
      "The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{client}'.",
  },
  50058: {
    error: 'interaction_required',
    message: 'A silent sign-in request was sent but no user is signed in.',
  },
  50076: {
    error: 'interaction_required',
    message:
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
  },
  50126: {
    error: 'invalid_grant',
    message: 'Error validating credentials due to invalid username or password.',
  },
  50132: {
    error: 'invalid_grant',
    message: "The session has been revoked due to a password change or an administrator's action.",
    suberror: 'bad_token',
  },
  50148: {
    error: 'invalid_grant',
    message:
      'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
  },
  50173: {
    error: 'invalid_grant',
    message:
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
    suberror: 'bad_token',
  },
  54005: {
    error: 'invalid_grant',
    message:
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
  },
  65001: {
    error: 'invalid_grant',
    message:
      "The user or administrator has not consented to use the application with ID '{client}'. Send an interactive authorization request for this user and resource.",
    suberror: 'consent_required',
  },
  70000: {
    error: 'invalid_grant',
    message: "The provided value for the input parameter '{param}' is not valid.",
  },
  70002: { error: 'invalid_client', message: 'The client does not exist or is not enabled for consumers.' },
  70003: {
    error: 'unsupported_grant_type',
    message: "The app requested an unsupported grant type '{grant}'.",
  },
  70008: {
    error: 'invalid_grant',
    message:
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
  },
  70011: {
    error: 'invalid_scope',
    message:
      "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.",
  },
  90002: { error: 'invalid_request', message: "Tenant '{tenant}' not found." },
  90014: {
    error: 'invalid_request',
    message: "The required field '{param}' is missing from the credential.",
  },
  90023: { error: 'invalid_request', message: 'The PKCE code_challenge_method is not supported.' },
  501481: {
    error: 'invalid_grant',
    message: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
  },
  9002313: { error: 'invalid_grant', message: 'Invalid request. Request is malformed or invalid.' },
  700016: {
    error: 'unauthorized_client',
    message:
      "Application with identifier '{client}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
  },
  700082: {
    error: 'invalid_grant',
    message:
      'The refresh token has expired due to inactivity. The token was issued on {issued} and was inactive for 90.00:00:00.',
    // Captured: Entra sends suberror bad_token here, which msal turns into InteractionRequiredAuthError.
    suberror: 'bad_token',
  },
  900144: {
    error: 'invalid_request',
    message: "The request body must contain the following parameter: '{param}'.",
  },
  1002012: {
    error: 'invalid_scope',
    message:
      'The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
  },
  7000215: {
    error: 'invalid_client',
    message:
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client}'.",
  },
  7000218: {
    error: 'invalid_client',
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  7000222: {
    error: 'invalid_client',
    message:
      "The provided client secret keys for app '{client}' are expired. Visit the Azure portal to create new keys for your app.",
  },
};

export function aadstsText(code: number, vars: Record<string, string> = {}): { error: string; text: string } {
  const entry = AADSTS[code] ?? { error: 'invalid_request', message: 'Injected failure.' };
  const text = entry.message.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`);
  return { error: entry.error, text: `AADSTS${code}: ${text}` };
}

/** The token-endpoint JSON error for an AADSTS code. */
export function aadstsResponse(code: number, now: number, vars: Record<string, string> = {}): SimResponse {
  const { error, text } = aadstsText(code, vars);
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(now)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  const body: Record<string, unknown> = {
    error,
    error_description: `${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
  const suberror = AADSTS[code]?.suberror;
  if (suberror) body.suberror = suberror;
  return {
    status: error === 'invalid_client' ? 401 : 400,
    body,
    headers: { 'Cache-Control': 'no-store, no-cache', 'x-ms-request-id': traceId },
  };
}
