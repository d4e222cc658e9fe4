/**
 * Service principals and delegated permission grants: what an admin's consent leaves in the directory.
 * `GET /servicePrincipals?$filter=appId eq '…'` and `GET /oauth2PermissionGrants?$filter=clientId eq '…'`, as
 * the real Graph answers them (v1.0 servicePrincipal and oauth2PermissionGrant resources), read-only.
 *
 * Model: each app registration has one service principal in the tenant (id derived from the app id); its
 * admin-consented delegated permissions are one grant with consentType "AllPrincipals" on Microsoft Graph's
 * service principal, scopes space-separated. Assumption: no per-user ("Principal") grants are simulated.
 */
import { createHash } from 'node:crypto';
import type { Handler } from '../context.ts';
import { badRequest } from '../graph-error.ts';
import { collection } from './odata.ts';

/** Microsoft Graph's well-known application id. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

function guidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const servicePrincipalIdOf = (appId: string, tenantId: string) => guidFrom(`sp:${tenantId}:${appId}`);

function filterValue(filter: string | undefined, field: string): string {
  const m = new RegExp(`^${field}\\s+eq\\s+'([^']*)'$`, 'i').exec((filter ?? '').trim());
  if (!m) {
    throw badRequest(
      `Invalid filter clause: only ${field} eq '…' is supported here.`,
      'Request_UnsupportedQuery',
    );
  }
  return (m[1] ?? '').toLowerCase();
}

export const listServicePrincipals: Handler = (req, ctx) => {
  const appId = filterValue(req.query.$filter, 'appId');
  const tenantId = ctx.state.tenant.id;
  const found: Record<string, unknown>[] = [];
  if (appId === GRAPH_APP_ID) {
    found.push({
      id: servicePrincipalIdOf(GRAPH_APP_ID, tenantId),
      appId: GRAPH_APP_ID,
      displayName: 'Microsoft Graph',
      servicePrincipalType: 'Application',
    });
  }
  const app = [...ctx.state.apps.values()].find((a) => a.clientId.toLowerCase() === appId);
  if (app) {
    found.push({
      id: servicePrincipalIdOf(app.clientId, tenantId),
      appId: app.clientId,
      displayName: app.displayName,
      servicePrincipalType: 'Application',
    });
  }
  return collection(ctx, req, 'servicePrincipals', found, { defaultSize: 100, maxTop: 999 });
};

export const listOAuth2PermissionGrants: Handler = (req, ctx) => {
  const clientId = filterValue(req.query.$filter, 'clientId');
  const tenantId = ctx.state.tenant.id;
  const app = [...ctx.state.apps.values()].find(
    (a) => servicePrincipalIdOf(a.clientId, tenantId) === clientId,
  );
  const grants =
    app && app.delegatedPermissions.length > 0
      ? [
          {
            id: guidFrom(`grant:${tenantId}:${app.clientId}`),
            clientId,
            consentType: 'AllPrincipals',
            principalId: null,
            resourceId: servicePrincipalIdOf(GRAPH_APP_ID, tenantId),
            scope: app.delegatedPermissions.join(' '),
          },
        ]
      : [];
  return collection(ctx, req, 'oauth2PermissionGrants', grants, { defaultSize: 100, maxTop: 999 });
};
