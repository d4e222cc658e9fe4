/**
 * Coded errors (house style rule 12). Every error the product raises on purpose carries a stable `MM365_*`
 * code, the HTTP status it maps to, and a message written for the person who will read it. Tests assert on
 * the code. A retired code is never reused for a different meaning.
 */
export interface ErrorCodeSpec {
  readonly status: number;
  /** One line for docs/reference/errors.md: when this code is raised. */
  readonly doc: string;
}

export const errorCodes = {
  MM365_CONFIG_INVALID: { status: 500, doc: 'The configuration failed validation; start-up stops.' },
  MM365_CONFIG_UNKNOWN_KEY: {
    status: 500,
    doc: 'A config file or MM365_* variable names a key that does not exist.',
  },
  MM365_CONFIG_FILE_UNREADABLE: {
    status: 500,
    doc: 'The config file could not be read or is not valid JSON.',
  },
  MM365_VAULT_KEY_INVALID: {
    status: 500,
    doc: 'An encryption key is not 32 bytes of base64, or ids repeat.',
  },
  MM365_VAULT_UNKNOWN_KEY: { status: 500, doc: 'A ciphertext names a key id that is not configured.' },
  MM365_VAULT_TAMPERED: {
    status: 500,
    doc: 'A ciphertext failed authentication: tampered, truncated or wrong key.',
  },
  MM365_VAULT_MALFORMED: { status: 500, doc: 'A stored value is not in the vault ciphertext format.' },
  MM365_DB_UNREACHABLE: { status: 503, doc: 'The database did not answer.' },
  MM365_DB_IN_USE: { status: 503, doc: 'The embedded database folder is open in another mm365 process.' },
  MM365_MIGRATION_FAILED: {
    status: 500,
    doc: 'A schema migration failed; the database is left at the last good version.',
  },
  MM365_JOB_PAYLOAD_INVALID: { status: 400, doc: 'A job was sent with a payload its queue schema refuses.' },
  MM365_JOB_QUEUE_UNKNOWN: { status: 500, doc: 'A job was sent to a queue that was never defined.' },
  MM365_HTTP_BAD_REQUEST: { status: 400, doc: 'The request body, query or parameters are malformed.' },
  MM365_HTTP_NOT_FOUND: { status: 404, doc: 'No route matches the method and path.' },
  MM365_HTTP_PAYLOAD_TOO_LARGE: { status: 413, doc: 'The request body is over the size limit.' },
  MM365_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    doc: 'The request body has a content type the route does not take.',
  },
  MM365_HTTP_SHUTTING_DOWN: {
    status: 503,
    doc: 'The service is draining for shutdown; retry on another replica.',
  },
  MM365_ID_INVALID: {
    status: 400,
    doc: 'An identifier does not have the shape of its family (Mattermost id, GUID, Teams thread id…).',
  },
  MM365_SIGNATURE_INVALID: {
    status: 403,
    doc: 'A signed token (button context, link, OAuth state) was altered, forged or made for another purpose.',
  },
  MM365_SIGNATURE_EXPIRED: {
    status: 403,
    doc: 'A signed token is past its expiry; the user should start over.',
  },
  MM365_ACCOUNT_EMAIL_MISMATCH: {
    status: 403,
    doc: "The Microsoft account's e-mail differs from the Mattermost e-mail and the policy requires them to match.",
  },
  MM365_ACCOUNT_NOT_ALLOWED: { status: 403, doc: 'The user is not on the allow-list of who may connect.' },
  MM365_ACCOUNT_TAKEN: {
    status: 409,
    doc: 'The Microsoft account is already connected to another Mattermost user.',
  },
  MM365_ACCOUNT_OTHER_CONNECTED: {
    status: 409,
    doc: 'The Mattermost user is connected to a different Microsoft account; disconnect first.',
  },
  MM365_INTERNAL: {
    status: 500,
    doc: 'An unexpected failure; the log line with the same request id has details.',
  },
} as const satisfies Record<string, ErrorCodeSpec>;

/** Every code is MM365_*: core's here, each other folder's in its own errors.ts via defineErrorCodes(). */
export type ErrorCode = `MM365_${string}`;

const registry = new Map<string, ErrorCodeSpec & { owner: string }>();

/**
 * Registers a folder's codes (src/<folder>/errors.ts) so AppError knows their status and docs list them.
 * Codes are global and never reused: one registered by two folders is a programming error.
 */
export function defineErrorCodes<const T extends Record<ErrorCode, ErrorCodeSpec>>(
  owner: string,
  codes: T,
): { [K in keyof T]: K } {
  const names: Record<string, string> = {};
  for (const [code, spec] of Object.entries(codes) as [string, ErrorCodeSpec][]) {
    const existing = registry.get(code);
    if (existing && existing.owner !== owner) {
      throw new Error(`error code ${code} is defined by both ${existing.owner} and ${owner}`);
    }
    registry.set(code, { ...spec, owner });
    names[code] = code;
  }
  return names as { [K in keyof T]: K };
}

/** Every registered code with its spec and owning folder, for docs/reference/errors.md. */
export function registeredErrorCodes(): [ErrorCode, ErrorCodeSpec & { owner: string }][] {
  return [...registry.entries()] as [ErrorCode, ErrorCodeSpec & { owner: string }][];
}

defineErrorCodes('core', errorCodes);

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra structured facts for logs (never secrets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    // An unregistered code is our bug; it still maps to a status rather than breaking the error path.
    this.status = registry.get(code)?.status ?? 500;
    this.details = options?.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
