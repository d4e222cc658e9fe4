import { defineErrorCodes } from '../core/errors.ts';

/**
 * The Microsoft edge's coded errors (house style rule 12). The HTTP status is what our own API answers when
 * such an error reaches a route; the Graph status and error code, when there is one, travel in `details`.
 */
export const microsoftErrors = defineErrorCodes('microsoft', {
  MM365_MICROSOFT_NOT_CONFIGURED: {
    status: 503,
    doc: 'microsoft.tenantId, clientId or clientSecret is missing, so nothing can talk to Microsoft 365.',
  },
  MM365_MICROSOFT_CA_FILE_INVALID: {
    status: 500,
    doc: 'microsoft.caFile cannot be read or holds no PEM certificate.',
  },
  MM365_MICROSOFT_RECONNECT_REQUIRED: {
    status: 401,
    doc: "The user's Microsoft sign-in can no longer be refreshed (expired through inactivity, revoked, consent withdrawn, account disabled, or never made): the user must connect again. details.reason says which.",
  },
  MM365_MICROSOFT_SIGN_IN_FAILED: {
    status: 400,
    doc: 'Redeeming the authorization code failed (expired, already used, wrong PKCE verifier, or refused by Entra ID).',
  },
  MM365_MICROSOFT_CLIENT_CREDENTIALS_INVALID: {
    status: 503,
    doc: "Entra ID refused the app's own credentials (wrong or expired client secret, unknown app or tenant): an admin must fix the app registration.",
  },
  MM365_MICROSOFT_AUTH_UNAVAILABLE: {
    status: 503,
    doc: 'Entra ID could not be reached or failed on its side; retry later.',
  },
  MM365_GRAPH_BAD_REQUEST: { status: 502, doc: 'Graph refused a request as malformed (400).' },
  MM365_GRAPH_UNAUTHORIZED: { status: 502, doc: 'Graph refused the access token (401).' },
  MM365_GRAPH_FORBIDDEN: {
    status: 502,
    doc: 'Graph refused the call for missing permissions or consent (403).',
  },
  MM365_GRAPH_NOT_FOUND: { status: 404, doc: 'The Graph resource does not exist (404).' },
  MM365_GRAPH_CONFLICT: { status: 409, doc: 'Graph reported a conflict or a stale etag (409, 412).' },
  MM365_GRAPH_DELTA_EXPIRED: {
    status: 409,
    doc: 'A delta cursor is no longer valid (410 / SyncStateNotFound / SyncStateInvalid): resynchronise from scratch.',
  },
  MM365_GRAPH_THROTTLED: {
    status: 503,
    doc: 'Graph kept throttling (429) past our retry budget; details.retryAfterMs says when to try again.',
  },
  MM365_GRAPH_UNAVAILABLE: { status: 502, doc: 'Graph failed on its side (5xx) after our retries.' },
  MM365_GRAPH_TIMEOUT: { status: 504, doc: 'A Graph call did not answer within its timeout.' },
  MM365_GRAPH_NETWORK: { status: 502, doc: 'Graph could not be reached (DNS, TLS, connection reset).' },
  MM365_GRAPH_REQUEST_FAILED: { status: 502, doc: 'Graph answered with an error status we do not classify.' },
  MM365_GRAPH_RESPONSE_INVALID: {
    status: 502,
    doc: 'Graph answered with a body that is not what the call expects.',
  },
  MM365_WEBHOOK_VALIDATION_TOKEN_INVALID: {
    status: 400,
    doc: 'A subscription validation request carried a validationToken that is not inert text (markup, control characters, too long).',
  },
  MM365_WEBHOOK_UNVERIFIED: {
    status: 403,
    doc: 'A change-notification POST had no notification whose clientState matched one of our subscriptions.',
  },
  MM365_WEBHOOK_PAYLOAD_INVALID: {
    status: 400,
    doc: 'A change-notification POST is not a Graph notification envelope.',
  },
  MM365_NOTIFICATION_DECRYPT_FAILED: {
    status: 500,
    doc: 'A rich notification could not be decrypted or its signature did not match (unknown certificate, tampered data).',
  },
  MM365_SUBSCRIPTION_FAILED: {
    status: 502,
    doc: 'Creating or renewing a Graph subscription failed; details carry the Graph error.',
  },
});
