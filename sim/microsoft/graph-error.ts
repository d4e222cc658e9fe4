/**
 * Graph's error envelope and the error type handlers throw to produce it.
 *
 * Contract: every Graph-side failure is a `GraphError`; the server turns it into
 * `{error:{code,message,innerError:{date,"request-id","client-request-id"}}}` (key spelled `innerError`, as the
 * JS SDK reads it) with the same `request-id` as the response header. Entra (login) errors are not Graph errors:
 * they have their own OAuth shape (see entra/aadsts.ts).
 */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** `date` in innerError is UTC without fraction or zone, as captured from Graph ("2019-11-12T00:49:46"). */
export function graphErrorBody(
  code: string,
  message: string,
  requestId: string,
  clientRequestId: string,
  now: number,
): { error: { code: string; message: string; innerError: Record<string, string> } } {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date(now).toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': clientRequestId,
      },
    },
  };
}

export const notFound = (what = 'The specified object was not found in the store.') =>
  new GraphError(404, 'ErrorItemNotFound', what);

export const badRequest = (message: string, code = 'BadRequest') => new GraphError(400, code, message);

/** Graph's answer to a query option a resource does not support. */
export const queryOptionNotAllowed = (option: string) =>
  badRequest(
    `The query specified in the URI is not valid. Query option '${option.replace(/^\$/, '').replace(/^./, (c) => c.toUpperCase())}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`,
  );
