import { z } from 'zod';
import type { Feature } from '../core/accounts/index.ts';
import type { Config } from '../core/config/index.ts';
import type { MmUserId } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import type { Metrics } from '../core/metrics/registry.ts';
import type { TokenSigner } from '../core/signed-token.ts';
import type { Vault } from '../core/vault/index.ts';
import { defineQueue, type JobRunner } from '../jobs/index.ts';
import { COMMAND_RECHECK_JOB, createMattermostEdge, type MattermostEdge } from '../mattermost/index.ts';
import type { Store } from '../store/index.ts';
import { MattermostChannelCursors } from '../store/mattermost-channel-cursor.ts';
import { MattermostCommands } from '../store/mattermost-command.ts';
import { MattermostLinkUses } from '../store/mattermost-link-use.ts';
import { MattermostOAuthFlows } from '../store/mattermost-oauth-flow.ts';
import { MattermostPostIntents } from '../store/mattermost-post-intent.ts';
import { MattermostUserTokens } from '../store/mattermost-user-token.ts';
import { MattermostWebSessions } from '../store/mattermost-web-session.ts';

/** Which feature a slash command belongs to, for "is the caller connected?". */
export const featureOfTrigger: Record<string, Feature> = { mscalendar: 'calendar', msteams: 'teams' };

export interface WiredMattermost {
  edge: MattermostEdge;
  /** After jobs start: the periodic command re-check. */
  schedule(): Promise<void>;
}

/** The Mattermost edge over our tables and jobs (composition only). */
export function wireMattermost(deps: {
  config: Config;
  store: Store;
  vault: Vault;
  jobs: JobRunner;
  metrics: Metrics;
  log: Logger;
  signer: () => Promise<TokenSigner>;
  publicUrl: () => string;
  isConnected: (userId: MmUserId, feature: Feature) => Promise<boolean>;
  isInactive: (userId: MmUserId, feature: Feature) => Promise<boolean>;
}): WiredMattermost {
  const { store, vault } = deps;
  const edge = createMattermostEdge({
    config: deps.config.mattermost,
    publicUrl: deps.publicUrl,
    stores: {
      commands: new MattermostCommands(store.db, vault),
      postIntents: new MattermostPostIntents(store.db),
      userTokens: new MattermostUserTokens(store.db, vault),
      oauthFlows: new MattermostOAuthFlows(store.db, vault),
      webSessions: new MattermostWebSessions(store.db),
      linkUses: new MattermostLinkUses(store.db),
      channelCursors: new MattermostChannelCursors(store.db),
    },
    accounts: {
      isConnected: async (userId, trigger) => {
        const feature = featureOfTrigger[trigger];
        return feature ? deps.isConnected(userId, feature) : false;
      },
      isInactive: async (userId, trigger) => {
        const feature = featureOfTrigger[trigger];
        return feature ? deps.isInactive(userId, feature) : false;
      },
    },
    signer: deps.signer,
    log: deps.log,
    registry: deps.metrics.registry,
  });
  const recheck = defineQueue({
    name: COMMAND_RECHECK_JOB.name,
    schema: z.object({}),
    concurrency: 'singleton',
    retry: { limit: 1, delaySeconds: 60, backoff: false },
  });
  deps.jobs.register(recheck, async () => {
    await edge.recheckCommands();
  });
  return { edge, schedule: () => deps.jobs.schedule(recheck, COMMAND_RECHECK_JOB.cron, {}) };
}
