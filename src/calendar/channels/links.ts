import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import type { Logger } from '../../core/log.ts';
import { CalendarChannelLinks } from '../../store/calendar-channel-link.ts';
import { CalendarEvents } from '../../store/calendar-event.ts';
import type { Database } from '../../store/index.ts';
import type { CalendarCache } from '../cache.ts';
import type {
  ChannelAccess,
  ChannelPoster,
  FormReply,
  FormSpec,
  FormSubmission,
  Forms,
  People,
} from '../events/ports.ts';
import type { CalendarEvent } from '../ports.ts';
import { fromRow } from '../sync/event-codec.ts';
import { resolveZone } from '../time-zones.ts';
import { meetingKey } from './meeting-key.ts';
import { detailLines, subjectOf } from './render.ts';

export const linkFormId = 'calendar.channel-link';
export const unlinkFormId = 'calendar.channel-unlink';

/** How far ahead `/mscalendar link` offers events, and how many (a select stays usable). */
const linkHorizonDays = 14;
const maxOptions = 100;

/** What the link and unlink forms carry back, signed: the channel the command was typed in. */
export interface LinkFormData {
  channelId: string;
}

export interface ChannelLinkingDeps {
  db: Kysely<Database>;
  cache: CalendarCache;
  channels: ChannelAccess;
  people: People;
  poster: ChannelPoster;
  forms: Forms;
  clock: Clock;
  log: Logger;
}

/** Option text: "Mon Jan 5, 9:30 AM · Subject (recurring)", kept short for the select. */
function optionText(e: CalendarEvent, iana: string, recurring: boolean): string {
  const when = e.isAllDay
    ? `${DateTime.fromISO(e.startDate ?? '', { zone: 'UTC' }).toFormat('ccc LLL d')}, all day`
    : DateTime.fromJSDate(e.start, { zone: iana }).toFormat('ccc LLL d, h:mm a');
  const subject = e.subject.trim() === '' ? '(No subject)' : e.subject.trim();
  const tail = recurring ? ' (recurring)' : '';
  const room = 70 - when.length - tail.length;
  return `${when} · ${subject.length > room ? `${subject.slice(0, room - 1)}…` : subject}${tail}`;
}

/**
 * Linking existing events to channels (issue 6 item 8, the plugin's #329): `/mscalendar link` offers the
 * caller's upcoming events (next 14 days from the cache, soonest first, a recurring meeting once) in a form
 * and links the chosen one to the channel the command was typed in; `unlink` offers the channel's links;
 * `links` lists them. Only members who may post in a public or private channel link or unlink there. A link
 * is keyed by the meeting's iCalUId (the series master's for a recurring meeting, covering every occurrence),
 * so any connected attendee's cache serves its reminders and changes. Each channel post is made once.
 */
export class ChannelLinking {
  readonly #d: ChannelLinkingDeps;
  readonly #links: CalendarChannelLinks;

  constructor(deps: ChannelLinkingDeps) {
    this.#d = deps;
    this.#links = new CalendarChannelLinks(deps.db);
  }

  subcommands(): Subcommand[] {
    return [
      {
        name: 'link',
        summary: 'Link one of your upcoming events to this channel (reminders and changes are posted here)',
        needsAccount: true,
        run: async (ctx) => {
          if (!ctx.triggerId)
            return { text: 'This command opens a form, which only works in a Mattermost client.' };
          const access = await this.#d.channels.postable(ctx.userId, ctx.channelId);
          if (!access.ok) return { text: access.reason };
          const form = await this.linkForm(ctx.userId);
          if (!form)
            return { text: `You have no upcoming events in the next ${linkHorizonDays} days to link.` };
          const data: LinkFormData = { channelId: ctx.channelId };
          await this.#d.forms.open(ctx.triggerId, ctx.userId, form, data);
          return { text: '' };
        },
      },
      {
        name: 'unlink',
        summary: 'Unlink an event from this channel',
        run: async (ctx) => {
          if (!ctx.triggerId)
            return { text: 'This command opens a form, which only works in a Mattermost client.' };
          const access = await this.#d.channels.postable(ctx.userId, ctx.channelId);
          if (!access.ok) return { text: access.reason };
          const links = await this.#links.listChannel(ctx.channelId);
          if (links.length === 0) return { text: 'No events are linked to this channel.' };
          const data: LinkFormData = { channelId: ctx.channelId };
          await this.#d.forms.open(
            ctx.triggerId,
            ctx.userId,
            {
              callbackId: unlinkFormId,
              title: 'Unlink an event',
              submitLabel: 'Unlink',
              elements: [
                {
                  display_name: 'Event',
                  name: 'link',
                  type: 'select',
                  options: links.slice(0, maxOptions).map((l) => ({
                    text: `${l.subject.trim() || '(No subject)'}${l.scope === 'series' ? ' (recurring)' : ''}`.slice(
                      0,
                      70,
                    ),
                    value: l.icalUid,
                  })),
                },
              ],
            },
            data,
          );
          return { text: '' };
        },
      },
      {
        name: 'links',
        summary: 'List the events linked to this channel',
        run: async (ctx) => {
          const links = await this.#links.listChannel(ctx.channelId);
          if (links.length === 0) {
            return { text: 'No events are linked to this channel. Link one with `/mscalendar link`.' };
          }
          const next = await this.#links.nextStarts(ctx.channelId, new Date(this.#d.clock.now()));
          const zone = await this.#d.cache.zone(ctx.userId).catch(() => resolveZone('UTC'));
          const lines: string[] = [];
          for (const l of links) {
            const who = await this.#d.people.username(l.linkedBy);
            const at = next.get(l.icalUid);
            const when = at
              ? `next ${DateTime.fromJSDate(at, { zone: zone.iana }).toFormat('ccc, LLL d, h:mm a')} (${zone.iana})`
              : 'no upcoming occurrence known (no connected attendee has it in the next 30 days)';
            lines.push(
              `- **${subjectOf(l)}**${l.scope === 'series' ? ' (every occurrence)' : ''}, linked by @${who}: ${when}`,
            );
          }
          return { text: [`Events linked to this channel (${links.length}):`, ...lines].join('\n') };
        },
      },
    ];
  }

  /** The link form over the user's upcoming events, or null when there are none. */
  async linkForm(user: string): Promise<FormSpec | null> {
    const zone = await this.#d.cache.zone(user);
    const now = this.#d.clock.now();
    const events = await this.#d.cache.between(
      user,
      new Date(now),
      new Date(now + linkHorizonDays * 86_400_000),
      { iana: zone.iana },
    );
    const seen = new Set<string>();
    const options: { text: string; value: string }[] = [];
    for (const e of events) {
      if (e.isCancelled || e.partial) continue;
      const series = e.seriesMasterId ?? null;
      if (series) {
        if (seen.has(series)) continue;
        seen.add(series);
      }
      options.push({ text: optionText(e, zone.iana, series !== null), value: e.id });
      if (options.length === maxOptions) break;
    }
    if (options.length === 0) return null;
    return {
      callbackId: linkFormId,
      title: 'Link an event',
      introductionText:
        'The channel gets a reminder 10 minutes before the event and a post when it changes. A recurring meeting is linked with all its occurrences.',
      submitLabel: 'Link',
      elements: [{ display_name: 'Event', name: 'event', type: 'select', options }],
    };
  }

  /** The link form's submission: links the chosen event to the command's channel and announces it once. */
  async submitLink(s: FormSubmission<LinkFormData>): Promise<FormReply> {
    if (s.cancelled) return {};
    const access = await this.#d.channels.postable(s.user, s.data.channelId);
    if (!access.ok) return { error: access.reason };
    const eventId = typeof s.submission.event === 'string' ? s.submission.event : '';
    const row = eventId ? await new CalendarEvents(this.#d.db).get(s.user, eventId) : undefined;
    if (!row) return { errors: { event: 'Choose one of your events from the list.' } };
    const event = fromRow(row);
    const key = await meetingKey(this.#d.db, s.user, event);
    if (!key)
      return { errors: { event: 'This event has no meeting id in Microsoft 365, so it cannot be linked.' } };
    const added = await this.#links.add({
      channelId: s.data.channelId,
      icalUid: key.icalUid,
      scope: key.scope,
      subject: key.subject,
      linkedBy: s.user,
      createdAt: new Date(this.#d.clock.now()),
    });
    const link = await this.#links.get(s.data.channelId, key.icalUid);
    if (!link) return { error: 'The link was removed meanwhile. Please try again.' };
    if (!added && link.linkedBy !== s.user) {
      return { errors: { event: 'This event is already linked to this channel.' } };
    }
    // A retry of the same submission finds its own link: the post below is keyed by it, so it is made once.
    const zone = await this.#d.cache.zone(s.user);
    const who = await this.#d.people.username(s.user);
    const what = key.scope === 'series' ? 'The recurring event' : 'The event';
    await this.#d.poster.post(
      s.data.channelId,
      [
        `📅 ${what} **${subjectOf({ subject: key.subject })}** was linked to this channel by @${who}.`,
        ...detailLines(event, zone).map((l, i) =>
          i === 0 && key.scope === 'series' ? l.replace('When:', 'Next:') : l,
        ),
      ].join('\n'),
      `calendar-link:${link.channelId}:${link.icalUid}:${link.createdAt.getTime()}`,
    );
    this.#d.log.info(
      { user: s.user, channel: s.data.channelId, scope: key.scope },
      'calendar event linked to a channel',
    );
    return {};
  }

  /** The unlink form's submission: removes the link and says so in the channel (once). */
  async submitUnlink(s: FormSubmission<LinkFormData>): Promise<FormReply> {
    if (s.cancelled) return {};
    const access = await this.#d.channels.postable(s.user, s.data.channelId);
    if (!access.ok) return { error: access.reason };
    const icalUid = typeof s.submission.link === 'string' ? s.submission.link : '';
    const link = icalUid ? await this.#links.get(s.data.channelId, icalUid) : undefined;
    if (!link) return {};
    await this.#links.remove(link.channelId, link.icalUid);
    const who = await this.#d.people.username(s.user);
    await this.#d.poster.post(
      link.channelId,
      `The event **${subjectOf(link)}** was unlinked from this channel by @${who}.`,
      `calendar-unlink:${link.channelId}:${link.icalUid}:${link.createdAt.getTime()}`,
    );
    return {};
  }
}
