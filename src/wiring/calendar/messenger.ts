import type { SummaryMessenger } from '../../calendar/index.ts';
import type { MattermostEdge } from '../../mattermost/index.ts';

/** Plain bot DMs with an idempotency key, as the summary and reminders send them. */
export function botDms(mattermost: MattermostEdge): SummaryMessenger {
  return {
    dm: async (user, text, key) => {
      await mattermost.messenger.dm(user, text, { key });
    },
  };
}
