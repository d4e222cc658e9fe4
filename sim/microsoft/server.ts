/**
 * The HTTPS shell: Fastify with the sim's certificate, the body parsers Graph and Entra need, and one pipeline
 * every route runs through, in this order: request ids → fault injection → (Graph) token check → permissions →
 * query-option check → throttling → handler → headers. Errors become the Graph envelope on Graph routes.
 */
import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TestPki } from '../shared/tls.ts';
import type { RouteSpec, SimContext, SimRequest, SimResponse } from './context.ts';
import { aadstsResponse } from './entra/aadsts.ts';
import { verifyAccessToken } from './entra/access-token.ts';
import { checkPermissions } from './graph/auth.ts';
import { checkQueryOptions } from './graph/odata.ts';
import { GraphError, graphErrorBody } from './graph-error.ts';

const ODATA_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const INVALID_JSON = Symbol('invalid-json');
/** Marks requests that a $batch dispatches in-process (no socket to drop). */
export const BATCH_ITEM_HEADER = 'x-sim-batch-item';

/** Expands the `{user}` marker of a route key into the `/me` and `/users/:userId` forms. */
export function expandPath(path: string): string[] {
  if (!path.includes('{user}')) return [path];
  return [path.replace('{user}', 'me'), path.replace('{user}', 'users/:userId')];
}

export async function buildServer(
  ctx: SimContext,
  pki: TestPki,
  routes: Record<string, RouteSpec>,
): Promise<FastifyInstance> {
  const app = Fastify({
    https: { key: pki.keyPem, cert: pki.certPem },
    logger: false,
    // Closing the simulator cuts every connection, in-flight requests included (see the Mattermost sim).
    forceCloseConnections: true,
    bodyLimit: 64 * 1024 * 1024,
    // Graph matches URL segments case-insensitively (`/Me/Events`); parameter values keep their case.
    routerOptions: { maxParamLength: 1000, ignoreDuplicateSlashes: false, caseSensitive: false },
  });
  await app.register(formbody);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, buf, done) => {
    if ((buf as Buffer).length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse((buf as Buffer).toString('utf8')));
    } catch {
      done(null, INVALID_JSON);
    }
  });
  // Everything that is not JSON or a form (uploads, text/plain file bodies) arrives as raw bytes.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, buf, done) => done(null, buf));

  const known: { method: string; re: RegExp; outlook: boolean }[] = [];
  for (const [key, spec] of Object.entries(routes)) {
    const space = key.indexOf(' ');
    const method = key.slice(0, space);
    for (const url of expandPath(key.slice(space + 1))) {
      known.push({ method, re: patternRegex(url), outlook: spec.workload === 'outlook' });
      app.route({
        method: method as 'GET',
        url,
        handler: (request, reply) => run(ctx, key, spec, request, reply),
      });
    }
  }
  const notFound = notFoundSpec(known);
  app.setNotFoundHandler((request, reply) => run(ctx, 'NOTFOUND', notFound, request, reply));
  return app;
}

/** The route syntax (`:param`, `*`, `::` for a literal colon) as a case-insensitive regex over a path. */
function patternRegex(url: string): RegExp {
  const body = url
    .split('::')
    .map((part) =>
      part
        .split(/(:[A-Za-z]+|\*)/)
        .map((tok) =>
          tok === '*' ? '.*' : tok.startsWith(':') ? '[^/]+' : tok.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join(''),
    )
    .join(':');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * Unknown Graph paths: 405 when the path exists for another method — directory style `Request_BadRequest`
 * "Specified HTTP method is not allowed for the request target.", Outlook style `ErrorInvalidRequest` "The OData
 * request is not supported." (both captured in Graph issues) — else Graph's "Resource not found for the segment".
 */
function notFoundSpec(known: { method: string; re: RegExp; outlook: boolean }[]): RouteSpec {
  return {
    auth: 'public',
    handler: (req) => {
      if (req.path.startsWith('/v1.0') || req.path.startsWith('/beta')) {
        const other = known.find((k) => k.method !== req.method && k.re.test(req.path));
        if (other?.outlook)
          throw new GraphError(405, 'ErrorInvalidRequest', 'The OData request is not supported.');
        if (other) {
          throw new GraphError(
            405,
            'Request_BadRequest',
            'Specified HTTP method is not allowed for the request target.',
          );
        }
        const segment = req.path.split('/').filter(Boolean).pop() ?? '';
        throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
      }
      throw new GraphError(404, 'NotFound', `No route ${req.method} ${req.path}.`);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isGraphPath(path: string): boolean {
  return path.startsWith('/v1.0') || path.startsWith('/beta');
}

async function run(
  ctx: SimContext,
  routeKey: string,
  spec: RouteSpec,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const url = new URL(request.url, ctx.urls.base);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const requestId = randomUUID();
  const req: SimRequest = {
    method: request.method,
    path: url.pathname,
    params: (request.params ?? {}) as Record<string, string>,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: request.body,
    rawBody: Buffer.isBuffer(request.body) ? request.body : null,
    requestId,
    clientRequestId: headers['client-request-id'] ?? requestId,
    principal: null,
    routeKey,
  };
  const graph = isGraphPath(req.path);
  let release: (() => void) | null = null;
  let res: SimResponse;
  try {
    const fault = ctx.faults.take(req.method, req.path);
    // Pure latency is served inside the request (after the token check and throttling slots), so a slow call
    // holds its Outlook concurrency slot like a slow backend does; latency before an error is served up front.
    const pureLatency =
      fault && !fault.drop && fault.status == null && fault.aadsts == null ? fault.latencyMs : 0;
    if (fault) {
      if (fault.latencyMs > 0 && !pureLatency) await sleep(fault.latencyMs);
      if (fault.drop && headers[BATCH_ITEM_HEADER]) {
        // A batch item has no connection of its own: Graph would report the lost backend call as a 504.
        throw new GraphError(504, 'GatewayTimeout', 'The backend request timed out.');
      }
      if (fault.drop) {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
    }
    if (fault?.aadsts != null) {
      res = aadstsResponse(fault.aadsts, ctx.clock.now(), {
        client: String((req.body as { client_id?: string })?.client_id ?? ''),
      });
    } else if (fault?.status != null) {
      const status = fault.status;
      if (graph || spec.auth === 'graph') {
        throw new GraphError(
          status,
          fault.code ?? defaultCode(status),
          fault.message ?? 'Injected fault.',
          fault.headers,
        );
      }
      res = {
        status,
        body: { error: 'temporarily_unavailable', error_description: fault.message ?? 'Injected fault.' },
        headers: fault.headers,
      };
    } else {
      if (req.body === INVALID_JSON) {
        throw new GraphError(
          400,
          'BadRequest',
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        );
      }
      res = await runAuthorized(
        ctx,
        spec,
        req,
        (r) => {
          release = r;
        },
        pureLatency,
      );
    }
  } catch (err) {
    res = errorResponse(ctx, req, err);
  } finally {
    (release as (() => void) | null)?.();
  }
  ctx.counters.countStatus(res.status);
  send(ctx, req, reply, res, graph || spec.auth === 'graph');
}

async function runAuthorized(
  ctx: SimContext,
  spec: RouteSpec,
  req: SimRequest,
  setRelease: (r: () => void) => void,
  latencyMs: number,
): Promise<SimResponse> {
  if (spec.auth !== 'graph' && latencyMs > 0) await sleep(latencyMs);
  if (spec.auth === 'control') {
    const token =
      /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? req.headers['x-sim-control-token'];
    if (token !== ctx.controlToken)
      throw new GraphError(401, 'Unauthorized', 'Control token missing or wrong.');
    return spec.handler(req, ctx);
  }
  if (spec.auth === 'public') {
    // Entra calls name their app in the form (token) or the query (authorize).
    const form =
      req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)
        ? (req.body as Record<string, unknown>)
        : {};
    const clientId = typeof form.client_id === 'string' ? form.client_id : (req.query.client_id ?? null);
    ctx.counters.countCall(req.routeKey, clientId && ctx.state.apps.has(clientId) ? clientId : null, null);
    return spec.handler(req, ctx);
  }
  const principal = await verifyAccessToken(ctx, req.headers.authorization);
  req.principal = principal;
  ctx.counters.countCall(
    req.routeKey,
    principal.appId,
    principal.kind === 'delegated' ? principal.userId : null,
  );
  if (spec.permissions) checkPermissions(principal, spec.permissions);
  checkQueryOptions(req, spec.query ?? []);
  if (spec.workload) {
    // Mailboxes are keyed by user id, so /users/{upn} and /users/{id} share one bucket.
    const addressed = req.params.userId === undefined ? undefined : ctx.state.findUser(req.params.userId)?.id;
    const mailbox =
      addressed ??
      req.params.userId ??
      (principal.kind === 'delegated' ? principal.userId : ctx.state.tenant.id);
    const scopeKey = spec.workload === 'outlook' ? mailbox : ctx.state.tenant.id;
    const teamOrChannel = req.params.channelId ?? req.params.teamId;
    const verdict =
      ctx.throttle.take(principal.appId, spec.workload, scopeKey) ??
      (teamOrChannel && spec.workload.startsWith('teams-')
        ? ctx.throttle.takeTeamOrChannel(principal.appId, teamOrChannel)
        : null);
    if (verdict) {
      throw new GraphError(429, verdict.code, verdict.message, {
        'Retry-After': String(verdict.retryAfterSec),
      });
    }
    if (spec.workload === 'outlook') {
      const release = ctx.throttle.enter(principal.appId, mailbox);
      if (!release) {
        throw new GraphError(
          429,
          'ApplicationThrottled',
          'Application is over its MailboxConcurrency limit.',
          {
            'Retry-After': '1',
          },
        );
      }
      setRelease(release);
    }
  }
  if (latencyMs > 0) await sleep(latencyMs);
  return spec.handler(req, ctx);
}

function defaultCode(status: number): string {
  const codes: Record<number, string> = {
    400: 'BadRequest',
    401: 'InvalidAuthenticationToken',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    429: 'TooManyRequests',
    500: 'InternalServerError',
    502: 'BadGateway',
    503: 'ServiceNotAvailable',
    504: 'GatewayTimeout',
  };
  return codes[status] ?? 'UnknownError';
}

function errorResponse(ctx: SimContext, req: SimRequest, err: unknown): SimResponse {
  if (err instanceof GraphError) {
    return {
      status: err.status,
      body: graphErrorBody(err.code, err.message, req.requestId, req.clientRequestId, ctx.clock.now()),
      headers: err.headers,
    };
  }
  // A sim bug: surface it loudly (stderr) and as Graph's 500.
  console.error('[microsoft-sim] handler crashed', req.method, req.path, err);
  return {
    status: 500,
    body: graphErrorBody(
      'InternalServerError',
      String(err),
      req.requestId,
      req.clientRequestId,
      ctx.clock.now(),
    ),
  };
}

function send(ctx: SimContext, req: SimRequest, reply: FastifyReply, res: SimResponse, graph: boolean): void {
  reply.status(res.status);
  reply.header('request-id', req.requestId);
  reply.header('client-request-id', req.clientRequestId);
  reply.header('Date', new Date(ctx.clock.now()).toUTCString());
  if (graph) {
    reply.header(
      'x-ms-ags-diagnostic',
      '{"ServerInfo":{"DataCenter":"Sim","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"SIM"}}',
    );
    reply.header('Cache-Control', 'no-store');
    reply.header('OData-Version', '4.0');
  }
  for (const [k, v] of Object.entries(res.headers ?? {})) reply.header(k, v);
  const body = res.body;
  if (body === undefined || res.status === 204) {
    reply.send();
  } else if (Buffer.isBuffer(body) || typeof body === 'string') {
    reply.send(body);
  } else {
    if (!res.headers?.['Content-Type'])
      reply.header('Content-Type', graph ? ODATA_JSON : 'application/json; charset=utf-8');
    reply.send(JSON.stringify(body));
  }
}
