import { ok, type RequestContext, type Result } from '../http/context.ts';

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
