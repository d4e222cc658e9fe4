import type { Config } from '../config/index.ts';

/** Admins of the integration: Mattermost system admins plus the ids listed in mattermost.adminUserIds. */
export function isIntegrationAdmin(
  user: { id: string; roles: string },
  config: Pick<Config, 'mattermost'>,
): boolean {
  const roles = user.roles.split(/\s+/);
  return roles.includes('system_admin') || config.mattermost.adminUserIds.includes(user.id.trim());
}
