import { z } from 'zod';
import type { AccountService, InactiveReason } from '../core/accounts/index.ts';
import { type MmUserId, parseMmUserId } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import { defineQueue, type JobRunner } from '../jobs/index.ts';
import type { ConnectLinks, MicrosoftSessions, UserMessenger } from './ports.ts';

/**
 * Keeps connected users' refresh tokens alive, and finds the dead ones before a feature trips over them.
 * Once a day a sweep pages through active accounts and enqueues one check per user (a singleton per user,
 * so a slow check is never run twice at once). A check refreshes the session; a dead session marks the
 * account inactive and DMs the user once with a reconnect link. One user's failure never stops the others.
 */
export const keepAliveSweep = defineQueue({
  name: 'accounts.keep-alive-sweep',
  schema: z.object({}),
  concurrency: 'singleton',
  retry: { limit: 2, delaySeconds: 60, backoff: true },
});

export const keepAliveCheck = defineQueue({
  name: 'accounts.keep-alive-check',
  schema: z.object({ mmUserId: z.string().regex(/^[a-z0-9]{26}$/) }),
  concurrency: 'singleton',
  retry: { limit: 6, delaySeconds: 5, backoff: true, maxDelaySeconds: 3600 },
});

const reasonText: Record<InactiveReason, string> = {
  refresh_expired: 'it was not used for too long',
  revoked: 'it was signed out or its password changed',
  consent_withdrawn: 'the permissions it had were withdrawn',
  account_disabled: 'the Microsoft account was disabled',
};

export interface KeepAliveDeps {
  accounts: AccountService;
  sessions: MicrosoftSessions;
  messenger: UserMessenger;
  links: ConnectLinks;
  jobs: JobRunner;
  log: Logger;
}

/** Registers both queues and the daily schedule (03:17 UTC: off the hour, when few meetings start). */
export function registerKeepAlive(deps: KeepAliveDeps): { schedule(): Promise<void> } {
  deps.jobs.register(keepAliveSweep, async () => {
    for (const feature of ['calendar', 'teams'] as const) {
      let after: MmUserId | null = null;
      for (;;) {
        const page = await deps.accounts.listActive(feature, after, 200);
        for (const a of page)
          await deps.jobs.send(keepAliveCheck, { mmUserId: a.mmUserId }, { singletonKey: a.mmUserId });
        if (page.length < 200) break;
        after = page.at(-1)?.mmUserId ?? null;
      }
    }
  });
  deps.jobs.register(
    keepAliveCheck,
    async ({ mmUserId }, ctx) => {
      await checkSession(deps, parseMmUserId(mmUserId), ctx.log);
    },
    { localConcurrency: 2 },
  );
  return { schedule: () => deps.jobs.schedule(keepAliveSweep, '17 3 * * *', {}) };
}

/**
 * Refreshes one user's session; on a dead one, marks the account inactive and, the first time only,
 * DMs the user. Exported for the features: any Graph call that finds the session dead calls this too.
 */
export async function checkSession(
  deps: Pick<KeepAliveDeps, 'accounts' | 'sessions' | 'messenger' | 'links'>,
  mmUserId: MmUserId,
  log: Logger,
): Promise<'ok' | 'inactive' | 'not-connected'> {
  const account = await deps.accounts.get(mmUserId);
  if (account?.status !== 'active') return 'not-connected';
  const result = await deps.sessions.refresh(mmUserId);
  if (result.ok) return 'ok';
  return reportDead(deps, mmUserId, result.reason, log);
}

/** Marks the account inactive and DMs the user once per outage. */
export async function reportDead(
  deps: Pick<KeepAliveDeps, 'accounts' | 'messenger' | 'links'>,
  mmUserId: MmUserId,
  reason: InactiveReason,
  log: Logger,
): Promise<'inactive'> {
  const first = await deps.accounts.markInactive(mmUserId, reason);
  log.info({ mmUserId, reason, notify: first }, 'Microsoft connection is no longer usable');
  if (first) {
    const url = await deps.links.reconnectUrl(mmUserId);
    await deps.messenger.dm(
      mmUserId,
      `Your Microsoft 365 connection stopped working because ${reasonText[reason]}. Calendar and Teams features are paused for you until you [reconnect your account](${url}).`,
    );
  }
  return 'inactive';
}
