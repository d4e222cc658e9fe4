import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isSessionLive, sessionForToken, tokenFromRequest } from '../auth.ts';
import { envelope, SimError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { World } from '../world.ts';
import type { RequestContext, Result, Route } from './context.ts';
import type { FaultInjector } from './faults.ts';
import type { RateLimiter } from './rate-limit.ts';

/**
 * Builds the Fastify app: body parsers, the per-request pipeline and every route of the table.
 *
 * Pipeline per request: request id (`X-Request-Id`, also in error bodies) → rate limit (API routes only, when
 * `RateLimitSettings.Enable`) → injected faults → token resolution per the route's auth mode → handler →
 * result. Errors become the Mattermost envelope; anything that is not a SimError is a 500 with
 * `api.context.unknown.app_error` so a simulator bug looks like a server bug, not like a refusal.
 */
export async function buildServer(
  world: World,
  routes: Record<string, Route>,
  faults: FaultInjector,
  limiter: RateLimiter,
): Promise<FastifyInstance> {
  // Closing the simulator cuts every connection, in-flight requests included: a test or the sandbox that
  // shuts down must not wait on a request the product made (or left open) a moment before.
  const app = Fastify({
    logger: false,
    bodyLimit: 110 * 1024 * 1024,
    genReqId: () => newId(),
    forceCloseConnections: true,
  });

  // An empty JSON body is legal for many Mattermost routes (Client4 sends none on DELETE/regen_token).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        new SimError(400, 'api.context.invalid_body_param.app_error', 'Invalid JSON in request body.'),
        undefined,
      );
    }
  });
  await app.register(formbody);
  await app.register(multipart, {
    limits: { fileSize: world.state.config.FileSettings.MaxFileSize, files: 10 },
  });
  // Raw uploads (`POST /files?channel_id=&filename=`) and anything else arrive as bytes.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    reply.header('X-Version-Id', world.version);
    const url = request.url;
    if (url.startsWith('/_sim')) return;
    const limited = limiter.check(request);
    if (limited) {
      for (const [k, v] of Object.entries(limited.headers)) reply.header(k, v);
      if (limited.refused) {
        reply.code(429).header('Content-Type', 'text/plain; charset=utf-8').send('limit exceeded\n');
        return reply;
      }
    }
    const fault = await faults.match(request.method, url.split('?')[0] ?? url);
    if (fault) {
      const err = new SimError(fault.status, fault.id, fault.message);
      sendJson(reply, fault.status, envelope(err, request.id));
      return reply;
    }
    return;
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    sendError(reply, request, error);
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(
      reply,
      request,
      new SimError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.'),
    );
  });

  for (const [key, route] of Object.entries(routes)) {
    const [method, url] = key.split(' ') as [string, string];
    app.route({
      method: method as 'GET',
      url,
      handler: async (request, reply) => {
        world.state.count(world.state.requestCounts, key);
        const ctx: RequestContext = {
          world,
          session: undefined,
          params: (request.params ?? {}) as Record<string, string>,
          query: (request.query ?? {}) as Record<string, string | undefined>,
          body: lenientJsonBody(url, request.body),
          requestId: request.id,
          request,
          reply,
        };
        if (route.auth !== 'none') {
          const found = tokenFromRequest(request);
          // A stale cookie on a page route (the browser OAuth flow) means "not logged in", not an API error.
          if (
            found &&
            route.auth === 'optional' &&
            found.via === 'cookie' &&
            !isSessionLive(world.state, found.token)
          ) {
            ctx.session = undefined;
          } else if (found) ctx.session = sessionForToken(world.state, found.token);
          else if (route.auth === 'session') {
            throw new SimError(
              401,
              'api.context.session_expired.app_error',
              'Invalid or expired session, please login again.',
              'token not provided',
            );
          }
        }
        const result = await route.handler(ctx);
        if (reply.sent) return reply;
        return sendResult(reply, result);
      },
    });
  }
  return app;
}

function sendResult(reply: FastifyReply, result: Result): FastifyReply {
  for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
  if (result.redirect !== undefined) return reply.redirect(result.redirect, result.status ?? 302);
  if (result.raw)
    return reply
      .code(result.status ?? 200)
      .header('Content-Type', result.raw.contentType)
      .send(result.raw.body);
  return sendJson(reply, result.status ?? 200, result.json ?? {});
}

/** Client4 parses a body only when Content-Type is exactly `application/json`, so no charset suffix. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  // A Buffer keeps Fastify from appending "; charset=utf-8" as it does for strings.
  return reply
    .code(status)
    .header('Content-Type', 'application/json')
    .send(Buffer.from(JSON.stringify(body)));
}

function sendError(reply: FastifyReply, request: FastifyRequest, error: unknown): void {
  let err: SimError;
  if (error instanceof SimError) err = error;
  else if (isFastifyClientError(error)) {
    err =
      error.statusCode === 413
        ? new SimError(
            413,
            'api.file.upload_file.too_large_detailed.app_error',
            'Unable to upload file. File is too large.',
          )
        : new SimError(
            400,
            'api.context.invalid_body_param.app_error',
            'Invalid or missing body in request.',
            error.message,
          );
  } else
    err = new SimError(500, 'api.context.unknown.app_error', 'An unknown error has occurred.', String(error));
  sendJson(reply, err.status, envelope(err, request.id));
}

function isFastifyClientError(e: unknown): e is { statusCode: number; message: string } {
  const code = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' && code >= 400 && code < 500;
}

/**
 * The server decodes API bodies as JSON whatever their Content-Type, so a product that sends JSON as text/plain
 * (or with no type) works against a real server; the sim does the same for `/api/v4` routes, except raw file
 * uploads. `/hooks/*` keep their text: a command response_url treats non-JSON types as plain text.
 */
function lenientJsonBody(url: string, body: unknown): unknown {
  if (!url.startsWith('/api/v4/') || url === '/api/v4/files') return body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  if (text === undefined) return body;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return body;
  }
}
