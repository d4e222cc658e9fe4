import type { UserProfile } from '@mattermost/types/users';
import { type CreateFormData, EventCreation } from '../../calendar/events/create-event.ts';
import { createEventFormId } from '../../calendar/events/form.ts';
import type { ChannelAccess, ChannelPoster, Forms, People } from '../../calendar/events/ports.ts';
import { parseMmUserId } from '../../core/ids.ts';
import { MattermostError } from '../../mattermost/index.ts';
import { createEventCreator } from '../../microsoft/calendar/index.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/** The Mattermost side of the events and channels ports (src/calendar/events/ports.ts). Composition only. */
export function mattermostPorts(deps: CalendarWiringDeps): {
  people: People;
  channels: ChannelAccess;
  poster: ChannelPoster;
  forms: Forms;
} {
  const rest = deps.mattermost.rest;
  return {
    people: {
      byUsernames: async (usernames) =>
        usernames.length === 0
          ? []
          : (
              await rest.http.json<UserProfile[]>({
                method: 'POST',
                path: '/api/v4/users/usernames',
                json: usernames,
                idempotent: true,
              })
            )
              .filter((u) => u.delete_at === 0)
              .map((u) => ({ userId: u.id, username: u.username, email: u.email ?? '' })),
      username: async (userId) => {
        try {
          return (await rest.getUser(userId)).username;
        } catch {
          return userId;
        }
      },
      connectedMail: async (userId) => {
        try {
          const account = await deps.accountService.get(parseMmUserId(userId));
          return account?.status === 'active' && account.features.includes('calendar')
            ? account.microsoft.mail
            : null;
        } catch {
          return null;
        }
      },
    },
    channels: {
      async postable(user, channelId) {
        try {
          const channel = await rest.getChannel(channelId);
          if (channel.delete_at > 0) return { ok: false, reason: 'That channel is archived.' };
          if (channel.type !== 'O' && channel.type !== 'P') {
            return {
              ok: false,
              reason: 'Events can be linked to public and private channels, not to direct or group messages.',
            };
          }
          await rest.getChannelMember(channelId, user);
          return { ok: true, channel: { id: channel.id, displayName: channel.display_name || channel.name } };
        } catch (err) {
          if (err instanceof MattermostError && (err.httpStatus === 404 || err.httpStatus === 403)) {
            return { ok: false, reason: 'You can only link events to channels you are a member of.' };
          }
          throw err;
        }
      },
    },
    poster: {
      post: async (channelId, text, key) => {
        await deps.mattermost.messenger.post({ channel_id: channelId, message: text }, key);
      },
      dm: async (user, text, key) => {
        await deps.mattermost.messenger.dm(user, text, { key });
      },
    },
    forms: {
      open: (triggerId, user, form, data) => deps.mattermost.openDialog(triggerId, user, form, data),
    },
  };
}

/** `/mscalendar event create`: the create-event dialog, Graph POST /me/events, the channel link. */
export function eventsPart(
  deps: CalendarWiringDeps,
  shared: CalendarShared,
): CalendarPart & { events: EventCreation } {
  const ports = mattermostPorts(deps);
  const events = new EventCreation({
    db: deps.store.db,
    cache: shared.cache,
    creator: createEventCreator({ asUser: (p, f) => deps.microsoft.asUser(p, f) }),
    ...ports,
    clock: deps.clock,
    log: deps.log.child({ part: 'calendar.events' }),
  });
  deps.mattermost.registerDialog({
    id: createEventFormId,
    run: (ctx) =>
      events.submit({
        user: ctx.userId,
        channelId: ctx.channelId,
        submission: ctx.submission,
        cancelled: ctx.cancelled,
        data: ctx.data as CreateFormData,
      }),
  });
  return {
    name: 'events',
    events,
    subcommands: [events.subcommand()],
    welcome: [
      '- `/mscalendar event create` opens a form to create a meeting (with a Teams link) and link it to a channel.',
    ],
  };
}
