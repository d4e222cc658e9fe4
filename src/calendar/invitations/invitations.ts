import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { defineQueue, type JobRunner } from '../../jobs/index.ts';
import { CalendarInvitations } from '../../store/calendar-invitation.ts';
import { CalendarSyncs } from '../../store/calendar-sync.ts';
import type { Database } from '../../store/index.ts';
import '../settings/errors.ts'; // registers MM365_CALENDAR_SETTING_CHOICE_INVALID
import type { CalendarSetting } from '../settings/setting.ts';
import type { CalendarChange, CalendarChangeListener, CalendarRound } from '../sync/calendar-sync.ts';
import { resolveZone } from '../time-zones.ts';
import { decideNotices, type InvitationNotice } from './detect.ts';
import './errors.ts'; // registers this folder's MM365_* codes
import type { CalendarResponder, InvitationDm, InvitationMessenger, RsvpChoice } from './ports.ts';
import { answeredLine, renderNotice, responseLine } from './render.ts';

/** One invitation DM to post; ordered per user so "new" comes before "updated". */
export const invitationQueue = defineQueue({
  name: 'calendar.invitation',
  schema: z.object({
    user: z.string(),
    message: z.string(),
    rsvp: z.object({ eventId: z.string(), status: z.string() }).nullable(),
    key: z.string(),
  }),
  concurrency: 'ordered',
  retry: { limit: 5, delaySeconds: 10, backoff: true, maxDelaySeconds: 600 },
});

/** Longest RSVP comment taken (Outlook shows it in the reply mail; a DM dialog is no place for essays). */
export const maxCommentLength = 2000;

/** What became of an answer given from a DM. */
export interface RsvpOutcome {
  /** The new line above the buttons. */
  status: string;
  /** Keep the buttons (the user may change their mind), or remove them (nothing left to answer). */
  buttons: 'keep' | 'remove';
  /** Told to the user alone when something went wrong. */
  ephemeral?: string;
}

export interface CalendarInvitationsDeps {
  db: Kysely<Database>;
  jobs: JobRunner;
  messenger: InvitationMessenger;
  responder: CalendarResponder;
  clock: Clock;
  log: Logger;
}

/** The DM's idempotency key: (user, what it is about, what happened, a digest of exactly what changed). */
function keyOf(user: string, n: InvitationNotice): string {
  const e = n.event;
  const facts = {
    changed: n.changed,
    start: e.start.toISOString(),
    end: e.end.toISOString(),
    subject: e.subject,
    location: e.location,
    join: e.joinUrl,
    attendees: e.attendees.map((a) => a.email || a.name),
    lastModified: e.lastModified?.toISOString() ?? null,
    instances: n.series?.instances ?? 0,
  };
  const digest = createHash('sha256').update(JSON.stringify(facts)).digest('hex').slice(0, 16);
  return `calendar-invitation:${user}:${n.about}:${n.kind}:${digest}`;
}

/**
 * Invitation DMs and RSVP (issue 6 item 4). A listener on the calendar sync decides, inside each round's
 * transaction, which changes deserve a DM (detect.ts) and enqueues one job per DM in that transaction, so
 * a change is announced exactly when its round commits; the DM carries a key derived from the change, so a
 * retried job or a replayed round never posts twice. Answers go to Graph through CalendarResponder.
 */
export class InvitationNotices {
  readonly #d: CalendarInvitationsDeps;
  readonly #settings: CalendarInvitations;

  constructor(deps: CalendarInvitationsDeps) {
    this.#d = deps;
    this.#settings = new CalendarInvitations(deps.db);
  }

  /** Registers the DM queue's handler (before jobs start). */
  register(): void {
    this.#d.jobs.register(
      invitationQueue,
      async (p) => {
        await this.deliver(p);
      },
      { localConcurrency: 4 },
    );
  }

  /**
   * The sync listener (CalendarSync.onChanges). Runs inside the round's transaction: reads the user's
   * setting and zone through `tx`, decides, renders and enqueues with `{ tx }`. No Graph or Mattermost calls.
   */
  listener(): CalendarChangeListener {
    return async (tx, round, changes) => {
      await this.onRound(tx, round, changes);
    };
  }

  async onRound(
    tx: Kysely<Database>,
    round: CalendarRound,
    changes: readonly CalendarChange[],
  ): Promise<InvitationDm[]> {
    if (round.first) return [];
    const notices = decideNotices(round, changes);
    if (notices.length === 0) return [];
    if (!(await new CalendarInvitations(tx).notify(round.user))) return [];
    const zone = resolveZone((await new CalendarSyncs(tx).get(round.user))?.timeZone);
    const dms: InvitationDm[] = notices.map((n) => {
      const e = n.event;
      const asks = (n.kind === 'new' || n.kind === 'updated') && e.responseRequested && !e.isOrganizer;
      return {
        user: round.user,
        message: renderNotice(n, zone),
        rsvp: asks ? { eventId: n.series?.masterId ?? e.id, status: responseLine(e.response) } : null,
        key: keyOf(round.user, n),
      };
    });
    for (const dm of dms) {
      await this.#d.jobs.send(invitationQueue, dm, { tx, singletonKey: round.user });
    }
    this.#d.log.debug({ user: round.user, dms: dms.length }, 'invitation DMs queued');
    return dms;
  }

  /**
   * Posts one DM (the job). Skipped when the user disconnected since it was queued (no sync row); the key
   * makes a retry return the post made the first time.
   */
  async deliver(dm: InvitationDm): Promise<'sent' | 'skipped'> {
    const sync = await new CalendarSyncs(this.#d.db).get(dm.user);
    if (!sync || sync.status === 'inactive') return 'skipped';
    if (!(await this.#settings.notify(dm.user))) return 'skipped'; // turned off since it was queued
    await this.#d.messenger.send(dm);
    return 'sent';
  }

  /**
   * Answers an invitation from a DM. Success and the "nothing left to answer" cases come back as an
   * outcome for the post; a user who is not connected gets an AppError with a connect hint (the buttons stay
   * valid, so they can use them after connecting); anything else passing is rethrown.
   */
  async respond(
    user: string,
    eventId: string,
    choice: RsvpChoice,
    options: { comment?: string; sendResponse?: boolean } = {},
  ): Promise<RsvpOutcome> {
    const comment = (options.comment ?? '').trim();
    const sendResponse = options.sendResponse ?? true;
    if (!['accept', 'tentativelyAccept', 'decline'].includes(choice)) {
      throw new AppError('MM365_CALENDAR_RSVP_INVALID', `"${choice}" is not a response.`);
    }
    if (comment.length > maxCommentLength) {
      throw new AppError(
        'MM365_CALENDAR_RSVP_INVALID',
        `The comment is ${comment.length} characters long; keep it under ${maxCommentLength}.`,
      );
    }
    try {
      await this.#d.responder.respond(user, eventId, choice, { comment, sendResponse });
    } catch (err) {
      if (!isAppError(err)) throw err;
      switch (err.code) {
        case 'MM365_CALENDAR_EVENT_GONE':
          return {
            status: 'This meeting is no longer on your calendar.',
            buttons: 'remove',
            ephemeral:
              'This meeting was changed or deleted since this message was sent, so it cannot be answered here. Check your calendar in Outlook.',
          };
        case 'MM365_CALENDAR_EVENT_CANCELLED':
          return {
            status: 'The organizer cancelled this meeting.',
            buttons: 'remove',
            ephemeral: 'The organizer cancelled this meeting, so there is nothing to answer.',
          };
        case 'MM365_CALENDAR_SESSION_LOST':
          throw new AppError(
            'MM365_CALENDAR_SESSION_LOST',
            'Your Microsoft calendar is not connected, so I cannot answer for you. Connect it with `/mscalendar connect`, then use the buttons again.',
            { cause: err, details: err.details },
          );
        case 'MM365_CALENDAR_RSVP_REFUSED':
          return { status: responseLine('none'), buttons: 'keep', ephemeral: err.message };
        default:
          throw err;
      }
    }
    return { status: answeredLine(choice, { comment, sendResponse }), buttons: 'keep' };
  }

  /** The "Receive notifications of new events" setting, read from what the listener acts on (#153). */
  setting(): CalendarSetting {
    return {
      id: 'invitations.notify',
      title: 'Invitations',
      description:
        'A DM when you are invited to a meeting, or one you are invited to changes, is cancelled or removed, with Accept / Tentative / Decline.',
      options: [
        { value: 'on', label: 'Yes, DM me' },
        { value: 'off', label: 'No' },
      ],
      control: 'buttons',
      current: async (user) => ((await this.#settings.notify(user)) ? 'on' : 'off'),
      apply: async (user, value) => {
        if (value !== 'on' && value !== 'off') {
          throw new AppError(
            'MM365_CALENDAR_SETTING_CHOICE_INVALID',
            `"${value}" is not a choice: use on or off.`,
          );
        }
        await this.#settings.setNotify(user, value === 'on', new Date(this.#d.clock.now()));
      },
      welcome: {
        question: 'Do you want a DM when you are invited to a meeting or one of your meetings changes?',
      },
    };
  }

  /** `/mscalendar notifications [on|off]`. */
  subcommand(): Subcommand {
    return {
      name: 'notifications',
      usage: '[on | off]',
      summary: 'Turn the DMs about invitations and changed, cancelled or removed meetings on or off',
      needsAccount: true,
      run: async (ctx) => {
        const choice = ctx.args[0]?.toLowerCase();
        if (choice !== undefined) {
          if (choice !== 'on' && choice !== 'off') {
            return {
              text: `"${ctx.args[0]}" is not a choice. Use \`/mscalendar notifications on\` or \`off\`.`,
            };
          }
          await this.#settings.setNotify(ctx.userId, choice === 'on', new Date(this.#d.clock.now()));
        }
        return {
          text: (await this.#settings.notify(ctx.userId))
            ? 'You get a DM when you are invited to a meeting, or one you are invited to changes, is cancelled or removed. Turn it off with `/mscalendar notifications off`.'
            : 'Invitation DMs are off. Turn them on with `/mscalendar notifications on`.',
        };
      },
    };
  }

  /** On disconnect: the setting goes with the connection. */
  remove(user: string): Promise<void> {
    return this.#settings.delete(user);
  }
}
