import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRecord } from '../state.ts';
import type { World } from '../world.ts';

/**
 * What a route handler receives. Handlers are plain functions of this context: they validate, check permissions
 * (throwing SimError), mutate `world.state`, publish WebSocket events and return a `Result`. They never write to
 * the Fastify reply themselves except for redirects and HTML pages (`html`, `redirect`).
 */
export interface RequestContext {
  world: World;
  /** The caller's session, when the route allows or requires one and the token resolved. */
  session: SessionRecord | undefined;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  requestId: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface Result {
  status?: number;
  /** Serialised as JSON with `Content-Type: application/json` exactly (Client4 compares the header verbatim). */
  json?: unknown;
  /** Raw bytes or text with an explicit content type (files, HTML, plain text). */
  raw?: { body: Buffer | string; contentType: string };
  headers?: Record<string, string>;
  /** 302 to this location. */
  redirect?: string;
}

/** How a route authenticates: `session` refuses without a valid token, `optional` resolves one if present. */
export type AuthMode = 'session' | 'optional' | 'none';

export interface Route {
  auth: AuthMode;
  handler: (ctx: RequestContext) => Result | Promise<Result>;
}

export function ok(json: unknown, status = 200): Result {
  return { status, json };
}

export const STATUS_OK: Result = { status: 200, json: { status: 'OK' } };

/** The session of a `session`-auth route (the router guarantees it). */
export function sessionOf(ctx: RequestContext): SessionRecord {
  if (!ctx.session) throw new Error('route declared auth "session" but ran without one');
  return ctx.session;
}
