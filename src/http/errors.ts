import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { type ErrorCode, isAppError } from '../core/errors.ts';

/** The JSON body of every error this service answers: a stable code, a readable message, the request id. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string };
}

/** Fastify's own client-error codes mapped to ours; anything else with a 4xx status is a bad request. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'MM365_HTTP_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'MM365_HTTP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MM365_HTTP_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MM365_HTTP_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MM365_HTTP_BAD_REQUEST',
};

/**
 * Turns any thrown error into the error body. Contract: input the client got wrong is a 4xx with a message
 * that says what was wrong; only our own failures are 500, logged with the stack, and their message stays
 * generic (no internals leak to the caller).
 */
export function errorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const requestId = String(request.id);
  if (isAppError(error)) {
    if (error.status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(error.status).send(body(error.code, error.message, requestId));
    return;
  }
  if (error instanceof ZodError) {
    const message = error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    void reply.status(400).send(body('MM365_HTTP_BAD_REQUEST', message, requestId));
    return;
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    void reply.status(400).send(body('MM365_HTTP_BAD_REQUEST', fe.message, requestId));
    return;
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code =
      (fe.code && fastifyCodes[fe.code]) ||
      (status === 413 ? 'MM365_HTTP_PAYLOAD_TOO_LARGE' : 'MM365_HTTP_BAD_REQUEST');
    void reply.status(status).send(body(code, fe.message, requestId));
    return;
  }
  if (status === 503 && fe.code === 'FST_ERR_SERVER_CLOSING') {
    void reply
      .status(503)
      .send(body('MM365_HTTP_SHUTTING_DOWN', 'The service is shutting down; retry shortly.', requestId));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply
    .status(500)
    .send(
      body('MM365_INTERNAL', `Internal error. Quote request id ${requestId} when reporting it.`, requestId),
    );
}

export function body(code: ErrorCode, message: string, requestId: string): ErrorBody {
  return { error: { code, message, requestId } };
}
