import * as msal from '@azure/msal-node';
import type { InactiveReason } from '../../core/accounts/account.ts';
import { AppError } from '../../core/errors.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

/** Why a user must connect again; `not_connected` when there was never a sign-in in this partition. */
export type ReconnectReason = InactiveReason | 'not_connected';

const refreshExpired = new Set([70008, 700082, 700084]);
const revoked = new Set([50173, 50132, 50133, 50089, 50078]);
const disabled = new Set([50057, 50034]);
const consent = new Set([65001, 65004, 65005]);
const clientBroken = new Set([7000215, 7000222, 700016, 90002, 700027, 7000218, 900144]);

function aadsts(err: msal.AuthError): number | undefined {
  const fromNo = (err as { errorNo?: string }).errorNo;
  const found = fromNo ?? /AADSTS(\d+)/.exec(err.errorMessage ?? err.message)?.[1];
  return found === undefined ? undefined : Number(found);
}

/**
 * Turns an msal failure into one of our codes. The accounts layer acts on exactly one of them:
 * MM365_MICROSOFT_RECONNECT_REQUIRED (details.reason: refresh_expired | revoked | consent_withdrawn |
 * account_disabled | not_connected) means this user's tokens are dead and only a new sign-in helps; it must
 * never be retried. MM365_MICROSOFT_CLIENT_CREDENTIALS_INVALID is the admin's to fix, and
 * MM365_MICROSOFT_AUTH_UNAVAILABLE is transient.
 *
 * msal-node reports a dead refresh token (AADSTS700082, 50173…) as a ServerError with errorCode
 * invalid_grant, not as InteractionRequiredAuthError (verified against the simulator and msal-node 7.2).
 */
export function fromMsalError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  if (!(err instanceof msal.AuthError)) {
    return new AppError('MM365_MICROSOFT_AUTH_UNAVAILABLE', `${what}: Entra ID could not be reached.`, {
      cause: err,
    });
  }
  const code = aadsts(err);
  const details = { msalCode: err.errorCode, aadsts: code };
  const reconnect = (reason: ReconnectReason) =>
    new AppError(
      'MM365_MICROSOFT_RECONNECT_REQUIRED',
      `${what}: the Microsoft sign-in can no longer be used (${reason}); connect again.`,
      { cause: err, details: { ...details, reason } },
    );
  if (code !== undefined && clientBroken.has(code)) {
    return new AppError(
      'MM365_MICROSOFT_CLIENT_CREDENTIALS_INVALID',
      `${what}: Entra ID refused the app registration's credentials (AADSTS${code}). Check microsoft.clientId, clientSecret and tenantId.`,
      { cause: err, details },
    );
  }
  if (code !== undefined && refreshExpired.has(code)) return reconnect('refresh_expired');
  if (code !== undefined && revoked.has(code)) return reconnect('revoked');
  if (code !== undefined && disabled.has(code)) return reconnect('account_disabled');
  if (code !== undefined && consent.has(code)) return reconnect('consent_withdrawn');
  if (err.errorCode === 'invalid_client' || err.errorCode === 'unauthorized_client') {
    return new AppError(
      'MM365_MICROSOFT_CLIENT_CREDENTIALS_INVALID',
      `${what}: Entra ID refused the app registration (${err.errorCode}).`,
      { cause: err, details },
    );
  }
  if (err instanceof msal.InteractionRequiredAuthError) {
    return reconnect(err.errorCode === 'consent_required' ? 'consent_withdrawn' : 'refresh_expired');
  }
  if (err.errorCode === 'invalid_grant') return reconnect('revoked');
  if (err.errorCode === 'no_tokens_found' || err.errorCode === 'no_account_found')
    return reconnect('not_connected');
  return new AppError('MM365_MICROSOFT_AUTH_UNAVAILABLE', `${what}: ${err.errorCode} ${err.errorMessage}`, {
    cause: err,
    details,
  });
}
