import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { CalendarChannelLinks } from '../../store/calendar-channel-link.ts';
import type { Database } from '../../store/index.ts';
import type { CalendarCache } from '../cache.ts';
import { detailLines, subjectOf } from '../channels/render.ts';
import type { CalendarEvent } from '../ports.ts';
import './errors.ts'; // registers this folder's MM365_* codes
import { createEventForm, createEventFormId } from './form.ts';
import type {
  ChannelAccess,
  ChannelPoster,
  EventCreator,
  EventDraft,
  FormReply,
  FormSubmission,
  Forms,
  People,
} from './ports.ts';
import { validateSubmission } from './validate.ts';

/** What the create form carries back, signed: the Graph transactionId of this form, the command's channel. */
export interface CreateFormData {
  txn: string;
  channelId: string;
}

export interface EventCreationDeps {
  db: Kysely<Database>;
  cache: CalendarCache;
  creator: EventCreator;
  people: People;
  channels: ChannelAccess;
  poster: ChannelPoster;
  forms: Forms;
  clock: Clock;
  log: Logger;
}

const eventHelp = [
  '`/mscalendar event create` — open a form to create an event (subject, date and time or all day, Teams',
  'meeting, guests, description, and a channel to link it to).',
  'Linked channels: `/mscalendar link`, `/mscalendar unlink`, `/mscalendar links`.',
].join('\n');

/**
 * Creating events through a form (issue 6 item 7). `/mscalendar event create` opens the form prefilled in
 * the mailbox zone; the submission is checked field by field (validate.ts), guests are resolved (Mattermost
 * users to their connected Microsoft address, else their Mattermost address; e-mails as typed), the event is
 * created through Graph with the form's transactionId (a retried submission returns the same event), then
 * linked to the chosen channel (announced there) or confirmed by DM, each post once per form.
 */
export class EventCreation {
  readonly #d: EventCreationDeps;
  readonly #links: CalendarChannelLinks;

  constructor(deps: EventCreationDeps) {
    this.#d = deps;
    this.#links = new CalendarChannelLinks(deps.db);
  }

  /** `/mscalendar event [create]`. Without an argument: this command's help (not the summary's, a plugin quirk). */
  subcommand(): Subcommand {
    return {
      name: 'event',
      usage: 'create',
      summary: 'Create an event in your calendar through a form',
      needsAccount: true,
      run: async (ctx) => {
        const arg = ctx.args[0]?.toLowerCase();
        if (arg === undefined || arg === 'help') return { text: eventHelp };
        if (arg !== 'create') return { text: `Unknown option \`${ctx.args[0]}\`.\n\n${eventHelp}` };
        if (!ctx.triggerId) {
          return { text: 'This command opens a form, which only works when typed in a Mattermost client.' };
        }
        const zone = await this.#d.cache.zone(ctx.userId);
        const here = await this.#d.channels.postable(ctx.userId, ctx.channelId);
        const form = createEventForm({
          now: this.#d.clock.now(),
          iana: zone.iana,
          zoneLabel: zone.fallback ? `UTC: your Outlook zone "${zone.source ?? ''}" is not known` : zone.iana,
          channelId: here.ok ? ctx.channelId : null,
        });
        const data: CreateFormData = { txn: randomUUID(), channelId: ctx.channelId };
        await this.#d.forms.open(ctx.triggerId, ctx.userId, form, data);
        return { text: '' };
      },
    };
  }

  /** Handles a submitted create form (see the class contract). Never throws for the user's mistakes. */
  async submit(s: FormSubmission<CreateFormData>): Promise<FormReply> {
    if (s.cancelled) return {};
    const zone = await this.#d.cache.zone(s.user);
    const checked = validateSubmission(s.submission, { now: this.#d.clock.now(), iana: zone.iana });
    if (!checked.ok) return { errors: checked.errors };
    const v = checked.event;
    const errors: Record<string, string> = {};

    const people = await this.#d.people.byUsernames(v.usernames);
    const unknown = v.usernames.filter((u) => !people.some((p) => p.username.toLowerCase() === u));
    const attendees: EventDraft['attendees'] = [];
    for (const p of people) {
      const mail = (await this.#d.people.connectedMail(p.userId)) ?? (p.email || null);
      if (!mail) unknown.push(p.username);
      else if (!attendees.some((a) => a.email === mail.toLowerCase()))
        attendees.push({ email: mail.toLowerCase(), name: p.username });
    }
    for (const email of v.emails) {
      if (!attendees.some((a) => a.email === email)) attendees.push({ email, name: email });
    }
    if (unknown.length > 0) {
      errors.attendees = `No Mattermost user with an e-mail address: ${unknown.map((u) => `@${u}`).join(', ')}.`;
    }
    let channelName: string | null = null;
    if (v.channelId) {
      const access = await this.#d.channels.postable(s.user, v.channelId);
      if (access.ok) channelName = access.channel.displayName;
      else errors.channel = access.reason;
    }
    if (Object.keys(errors).length > 0) return { errors };

    let event: CalendarEvent;
    try {
      event = await this.#d.creator.create(s.user, {
        subject: v.subject,
        body: v.description,
        location: v.location,
        isAllDay: v.isAllDay,
        start: v.start,
        end: v.end,
        timeZone: zone.iana,
        attendees,
        online: v.online,
        transactionId: s.data.txn,
      });
    } catch (err) {
      if (isAppError(err) && err.code === 'MM365_CALENDAR_SESSION_LOST') {
        return {
          error: 'Your Microsoft connection stopped working. Run `/mscalendar connect` and try again.',
        };
      }
      if (isAppError(err) && err.status < 500) return { error: err.message };
      throw err;
    }
    this.#d.log.info(
      { user: s.user, eventId: event.id, linked: v.channelId !== null },
      'calendar event created',
    );
    const lines = detailLines(event, zone);
    if (v.channelId && channelName !== null) {
      const linked = await this.linkCreated(s.user, v.channelId, event);
      if (!linked) channelName = null;
      else {
        const who = await this.#d.people.username(s.user);
        await this.#d.poster.post(
          v.channelId,
          [`📅 The event **${subjectOf(event)}** was linked to this channel by @${who}.`, ...lines].join(
            '\n',
          ),
          `calendar-event-created:${s.data.txn}:channel`,
        );
      }
    }
    await this.#d.poster.dm(
      s.user,
      [
        `✅ Your event **${event.webLink ? `[${subjectOf(event)}](${event.webLink})` : subjectOf(event)}** was created${channelName ? ` and linked to ~${channelName}` : ''}.`,
        ...lines,
        ...(attendees.length > 0 ? [`Invited: ${attendees.map((a) => a.email).join(', ')}`] : []),
      ].join('\n'),
      `calendar-event-created:${s.data.txn}:dm`,
    );
    return {};
  }

  /** Links a just-created event (a single event: its own iCalUId). False when Graph gave it no iCalUId. */
  async linkCreated(user: string, channelId: string, event: CalendarEvent): Promise<boolean> {
    if (!event.iCalUId) return false;
    await this.#links.add({
      channelId,
      icalUid: event.iCalUId,
      scope: 'single',
      subject: event.subject,
      linkedBy: user,
      createdAt: new Date(this.#d.clock.now()),
    });
    return true;
  }
}

export { createEventFormId };
