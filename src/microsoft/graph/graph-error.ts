import { AppError, type ErrorCode } from '../../core/errors.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

/** What Graph said about a failed call, kept on the AppError's details for logs and callers. */
export interface GraphFailure {
  status: number;
  /** Graph's `error.code` (e.g. ErrorItemNotFound, ApplicationThrottled), when the body had one. */
  graphCode: string | undefined;
  message: string;
  requestId: string | undefined;
  route: string;
  retryAfterMs?: number;
}

const byStatus: Record<number, ErrorCode> = {
  400: 'MM365_GRAPH_BAD_REQUEST',
  401: 'MM365_GRAPH_UNAUTHORIZED',
  403: 'MM365_GRAPH_FORBIDDEN',
  404: 'MM365_GRAPH_NOT_FOUND',
  409: 'MM365_GRAPH_CONFLICT',
  410: 'MM365_GRAPH_DELTA_EXPIRED',
  412: 'MM365_GRAPH_CONFLICT',
  429: 'MM365_GRAPH_THROTTLED',
};

const deltaCodes = new Set(['syncstatenotfound', 'syncstateinvalid', 'resyncrequired']);

/** Reads Graph's error envelope `{error:{code,message,innerError:{request-id}}}`; tolerant of any body. */
export function parseGraphErrorBody(text: string): { code?: string; message?: string; requestId?: string } {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; innerError?: Record<string, unknown> };
    };
    const e = body.error;
    if (!e || typeof e !== 'object') return {};
    return {
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.message === 'string' ? { message: e.message } : {}),
      ...(typeof e.innerError?.['request-id'] === 'string' ? { requestId: e.innerError['request-id'] } : {}),
    };
  } catch {
    return {};
  }
}

/** The coded error for a Graph failure; Graph's own code and request id travel in details. */
export function graphError(f: GraphFailure): AppError {
  let code: ErrorCode =
    byStatus[f.status] ?? (f.status >= 500 ? 'MM365_GRAPH_UNAVAILABLE' : 'MM365_GRAPH_REQUEST_FAILED');
  if (f.graphCode && deltaCodes.has(f.graphCode.toLowerCase())) code = 'MM365_GRAPH_DELTA_EXPIRED';
  return new AppError(
    code,
    `Graph ${f.route} answered ${f.status}${f.graphCode ? ` ${f.graphCode}` : ''}: ${f.message}`,
    { details: { ...f } },
  );
}
