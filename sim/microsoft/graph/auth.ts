/**
 * Graph authorization: the permission matrix check and the `{user}` segment resolution.
 *
 * Assumption (issue 3, graph-api.md §10.1): every missing-permission answer is 403 `Authorization_RequestDenied`
 * "Insufficient privileges to complete the operation.". Real Outlook endpoints say `ErrorAccessDenied` and Teams
 * endpoints `Forbidden` with a "Missing scope permissions" text; clients should branch on the status, not the code.
 */
import type { Permissions, SimContext, SimRequest } from '../context.ts';
import { GraphError } from '../graph-error.ts';
import type { Principal, UserRecord } from '../state.ts';

export const denied = () =>
  new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

export function checkPermissions(principal: Principal, perms: Permissions): void {
  if (principal.kind === 'delegated') {
    if (!perms.delegated?.some((s) => principal.scopes.has(s))) throw denied();
  } else if (!perms.application?.some((r) => principal.roles.has(r))) {
    throw denied();
  }
}

export function principalOf(req: SimRequest): Principal {
  if (!req.principal) throw new Error('route table bug: Graph handler without a principal');
  return req.principal;
}

/** The signed-in user of a delegated call; app-only callers get Graph's /me error. */
export function meOf(req: SimRequest, ctx: SimContext): UserRecord {
  const p = principalOf(req);
  if (p.kind !== 'delegated') {
    throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  }
  const user = ctx.state.users.get(p.userId);
  if (!user) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
  return user;
}

/**
 * Resolves the `{user}` segment of a directory route (`/me` or `/users/{id|upn}`).
 */
export function directoryUser(req: SimRequest, ctx: SimContext): UserRecord {
  const ref = req.params.userId;
  if (ref === undefined) return meOf(req, ctx);
  const user = ctx.state.findUser(ref);
  if (!user || user.key === ref) {
    // Seed keys are a sim convenience, not a Graph identifier.
    if (user && user.id === ref) return user;
    throw new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${ref}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
  return user;
}

/**
 * Resolves the mailbox of an Outlook route. A delegated caller may open only their own mailbox: the sim does
 * not model calendar delegation or sharing, so `/users/{other}/events` is 403 `ErrorAccessDenied` as Exchange
 * answers when no delegate access exists.
 */
export function mailboxUser(req: SimRequest, ctx: SimContext): UserRecord {
  const ref = req.params.userId;
  if (ref === undefined) return meOf(req, ctx);
  const user = ctx.state.findUser(ref);
  if (!user || (user.key === ref && user.id !== ref)) {
    throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${ref}' is invalid.`);
  }
  const p = principalOf(req);
  if (p.kind === 'delegated' && p.userId !== user.id) {
    throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  }
  return user;
}
