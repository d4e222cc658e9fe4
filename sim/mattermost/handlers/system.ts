import { ok, type RequestContext, type Result, sessionOf } from '../http/context.ts';
import { requireSystemPermission } from '../permissions.ts';

/** Health and the client config subset a product reads to check the server's switches. */
export function ping(ctx: RequestContext): Result {
  return ok({ status: 'OK', ActiveSearchBackend: 'database', server_time: ctx.world.state.now() });
}

export function clientConfig(ctx: RequestContext): Result {
  const c = ctx.world.state.config;
  const b = (v: boolean): string => (v ? 'true' : 'false');
  return ok({
    Version: ctx.world.version,
    SiteURL: c.ServiceSettings.SiteURL,
    SiteName: 'Mattermost (simulator)',
    EnableBotAccountCreation: b(c.ServiceSettings.EnableBotAccountCreation),
    EnableUserAccessTokens: b(c.ServiceSettings.EnableUserAccessTokens),
    EnableOAuthServiceProvider: b(c.ServiceSettings.EnableOAuthServiceProvider),
    EnablePostUsernameOverride: b(c.ServiceSettings.EnablePostUsernameOverride),
    EnablePostIconOverride: b(c.ServiceSettings.EnablePostIconOverride),
    EnableCommands: b(c.ServiceSettings.EnableCommands),
    EnableCustomUserStatuses: b(c.TeamSettings.EnableCustomUserStatuses),
    ShowEmailAddress: b(c.PrivacySettings.ShowEmailAddress),
    MaxFileSize: String(c.FileSettings.MaxFileSize),
  });
}

/**
 * `GET /api/v4/config` (system console read, admins only): the sections the sim models, under the server's names,
 * so a product's "doctor" can check the switches it needs. Sim-only `SimSettings` are left out.
 */
export function getConfig(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  requireSystemPermission(ctx.world.state, session, 'sysconsole_read_environment');
  const { SimSettings: _sim, ...config } = ctx.world.state.config;
  return ok(structuredClone(config));
}

/** `GET /api/v4/license/client`: the sim is an unlicensed (Team Edition) server. */
export function clientLicense(_ctx: RequestContext): Result {
  return ok({ IsLicensed: 'false' });
}
