import type { Clock } from '../../core/clock.ts';
import type { MattermostRest } from '../client/rest.ts';

/**
 * Is a user an admin of the integration: listed in mattermost.adminUserIds, or a Mattermost system admin.
 * Roles are read through the bot and remembered for a minute, so a burst of commands costs one lookup and a
 * revoked admin loses rights within a minute.
 */
export class AdminCheck {
  readonly #rest: MattermostRest;
  readonly #clock: Clock;
  readonly #listed: ReadonlySet<string>;
  readonly #cache = new Map<string, { admin: boolean; until: number }>();

  constructor(rest: MattermostRest, clock: Clock, adminUserIds: readonly string[]) {
    this.#rest = rest;
    this.#clock = clock;
    this.#listed = new Set(adminUserIds.map((id) => id.trim()));
  }

  async isAdmin(userId: string): Promise<boolean> {
    if (this.#listed.has(userId)) return true;
    const now = this.#clock.now();
    const hit = this.#cache.get(userId);
    if (hit && hit.until > now) return hit.admin;
    const user = await this.#rest.getUser(userId);
    const admin = (user.roles ?? '').split(/\s+/).includes('system_admin');
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(userId, { admin, until: now + 60_000 });
    return admin;
  }
}
