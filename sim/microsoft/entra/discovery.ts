/**
 * OIDC discovery, JWKS and msal's instance discovery, with the field set Entra publishes (graph-api.md §1.5).
 * The sim answers only for its own tenant id (and its domain); `common`/`organizations` get the `{tenantid}`
 * placeholder issuer as Entra does, but tokens are still minted for the one tenant.
 */
import type { Handler, SimContext } from '../context.ts';
import { GraphError } from '../graph-error.ts';
import { aadstsResponse } from './aadsts.ts';

/** Accepts the tenant id, the tenant's domain, `common` and `organizations`; anything else is AADSTS90002. */
export function tenantMatches(ctx: SimContext, tenant: string | undefined): boolean {
  const t = (tenant ?? '').toLowerCase();
  return (
    t === ctx.state.tenant.id.toLowerCase() ||
    t === ctx.state.tenant.domain.toLowerCase() ||
    t === 'common' ||
    t === 'organizations'
  );
}

export const openidConfiguration: Handler = (req, ctx) => {
  const tenant = req.params.tenant ?? '';
  if (!tenantMatches(ctx, tenant)) return aadstsResponse(90002, ctx.clock.now(), { tenant });
  const generic = tenant === 'common' || tenant === 'organizations';
  const tid = generic ? '{tenantid}' : ctx.state.tenant.id;
  const base = `${ctx.urls.base}/${tenant}`;
  return {
    status: 200,
    headers: { 'Cache-Control': 'max-age=86400, private' },
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${ctx.urls.base}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${ctx.urls.base}/${tid}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ctx.urls.graph.replace(/\/v1\.0$/, '')}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: new URL(ctx.urls.graph).host,
      rbac_url: 'https://pas.windows.net',
    },
  };
};

export const jwks: Handler = (_req, ctx) => ({
  status: 200,
  headers: { 'Cache-Control': 'max-age=86400, private' },
  body: { keys: [ctx.keys.publicJwk] },
});

/** msal's cloud instance discovery for an unknown host; answers with the sim host as the only alias. */
export const instanceDiscovery: Handler = (req, ctx) => {
  const host = new URL(ctx.urls.base).host;
  if (req.query['api-version'] === undefined) {
    throw new GraphError(400, 'invalid_request', 'api-version is required.');
  }
  return {
    status: 200,
    body: {
      tenant_discovery_endpoint: `${ctx.urls.base}/${ctx.state.tenant.id}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    },
  };
};

export const logout: Handler = (req) => {
  const target = req.query.post_logout_redirect_uri;
  if (target) return { status: 302, headers: { Location: target } as Record<string, string> };
  return {
    status: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: '<p>You signed out.</p>',
  };
};
