/**
 * The Mattermost error envelope and the refusals the simulator reproduces.
 *
 * Contract: every refusal the real server makes through `model.NewAppError` reaches the client as
 * `{id, message, detailed_error, request_id, status_code, is_oauth}` with the same HTTP status; clients branch on
 * `id`, so the ids here are copied from the server's i18n keys and must never be invented casually. Where an id is
 * our assumption (not read in the server source) the constant says so.
 */
export class SimError extends Error {
  readonly id: string;
  readonly status: number;
  readonly detailed: string;

  constructor(status: number, id: string, message: string, detailed = '') {
    super(message);
    this.id = id;
    this.status = status;
    this.detailed = detailed;
  }
}

export interface ErrorEnvelope {
  id: string;
  message: string;
  detailed_error: string;
  request_id: string;
  status_code: number;
  is_oauth: boolean;
}

export function envelope(err: SimError, requestId: string): ErrorEnvelope {
  return {
    id: err.id,
    message: err.message,
    detailed_error: err.detailed,
    request_id: requestId,
    status_code: err.status,
    is_oauth: false,
  };
}

/** 401 for a missing, unknown, revoked or expired token (server: `api.context.session_expired.app_error`). */
export function sessionExpired(detailed = ''): SimError {
  return new SimError(
    401,
    'api.context.session_expired.app_error',
    'Invalid or expired session, please login again.',
    detailed,
  );
}

/** 403 for a missing permission (server: `c.SetPermissionError`). */
export function permissionDenied(permission: string): SimError {
  return new SimError(
    403,
    'api.context.permissions.app_error',
    'You do not have the appropriate permissions.',
    `userId=…, permission=${permission}`,
  );
}

/** 400 for a missing or malformed URL/body parameter (server: `c.SetInvalidParam`). */
export function invalidParam(name: string): SimError {
  return new SimError(
    400,
    'api.context.invalid_body_param.app_error',
    `Invalid or missing ${name} in request body.`,
  );
}

/** 400 for a malformed URL parameter (server: `c.SetInvalidURLParam`). */
export function invalidUrlParam(name: string): SimError {
  return new SimError(
    400,
    'api.context.invalid_url_param.app_error',
    `Invalid or missing ${name} parameter in request URL.`,
  );
}

/** 404 for an unknown object; `id` is the store's i18n key for that object kind. */
export function notFound(id: string, what: string): SimError {
  return new SimError(404, id, `Unable to find the existing ${what}.`);
}

/** 501 for a feature switched off in the server config. */
export function disabled(id: string, message: string): SimError {
  return new SimError(501, id, message);
}
