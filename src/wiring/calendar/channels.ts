import { ChannelChangeNotices } from '../../calendar/channels/change-notices.ts';
import { ChannelReminders } from '../../calendar/channels/channel-reminders.ts';
import {
  ChannelLinking,
  type LinkFormData,
  linkFormId,
  unlinkFormId,
} from '../../calendar/channels/links.ts';
import { mattermostPorts } from './events.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/**
 * Events linked to channels: `/mscalendar link|unlink|links` (dialogs), a reminder in each linked channel
 * (minute cron + exact-time job), and a post when a linked event changes (sync.onChanges, in the round's
 * transaction). Composition only.
 */
export function channelsPart(
  deps: CalendarWiringDeps,
  shared: CalendarShared,
): CalendarPart & { linking: ChannelLinking; channelReminders: ChannelReminders } {
  const ports = mattermostPorts(deps);
  const log = deps.log.child({ part: 'calendar.channels' });
  const linking = new ChannelLinking({
    db: deps.store.db,
    cache: shared.cache,
    ...ports,
    clock: deps.clock,
    log,
  });
  for (const [id, run] of [
    [linkFormId, linking.submitLink.bind(linking)],
    [unlinkFormId, linking.submitUnlink.bind(linking)],
  ] as const) {
    deps.mattermost.registerDialog({
      id,
      run: (ctx) =>
        run({
          user: ctx.userId,
          channelId: ctx.channelId,
          submission: ctx.submission,
          cancelled: ctx.cancelled,
          data: ctx.data as LinkFormData,
        }),
    });
  }
  const channelReminders = new ChannelReminders({
    db: deps.store.db,
    jobs: deps.jobs,
    poster: ports.poster,
    clock: deps.clock,
    log,
  });
  channelReminders.register();
  const notices = new ChannelChangeNotices({ jobs: deps.jobs, poster: ports.poster, log });
  notices.register();
  shared.sync.sync.onChanges(notices.listener);
  return {
    name: 'channels',
    linking,
    channelReminders,
    subcommands: linking.subcommands(),
    welcome: [
      '- `/mscalendar link` links a meeting to a channel: the channel gets its reminder and its changes.',
    ],
    schedule: () => channelReminders.schedule(),
  };
}
