import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Logger } from '../../core/log.ts';
import { defineQueue, type JobRunner } from '../../jobs/index.ts';
import { CalendarChannelLinks } from '../../store/calendar-channel-link.ts';
import { CalendarSyncs } from '../../store/calendar-sync.ts';
import type { Database } from '../../store/index.ts';
import type { ChannelPoster } from '../events/ports.ts';
import type { CalendarEvent } from '../ports.ts';
import type { CalendarChange, CalendarRound } from '../sync/calendar-sync.ts';
import { type ResolvedZone, resolveZone } from '../time-zones.ts';
import { meetingKey } from './meeting-key.ts';
import { subjectOf, whenText } from './render.ts';

/** One post to a linked channel about a change; the key makes it once however many attendees saw it. */
export const channelNoticeQueue = defineQueue({
  name: 'calendar.channel-notice',
  schema: z.object({ channelId: z.string(), text: z.string(), key: z.string() }),
  concurrency: 'singleton',
  retry: { limit: 5, delaySeconds: 10, backoff: true, maxDelaySeconds: 300 },
});

/** What a change means for a linked channel, or null when it is not worth a post. */
export interface ChangeNotice {
  kind: 'changed' | 'cancelled' | 'deleted';
  /** The event as it is now (as it was, for a deletion). */
  event: CalendarEvent;
  /** Human lines saying what changed. */
  lines: string[];
  /**
   * Identifies the change itself (the same for every attendee's copy), for the post key. A cancellation and
   * a deletion of the same occurrence share one: the organizer's copy is deleted while the attendees' copies
   * turn cancelled, and the channel hears it once.
   */
  fingerprint: string;
}

function hash(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

/**
 * Decides whether one cache change is news for linked channels (pure). Not news: creations (a new event is
 * not linked yet), partial rows, events already over, attendee copies disappearing (an attendee deleting
 * their copy does not cancel the meeting: only the organizer's copy going away, or any copy turning
 * cancelled, does), and changes other than subject, location, time or cancellation.
 */
export function noticeOf(change: CalendarChange, zone: ResolvedZone, now: Date): ChangeNotice | null {
  const { before, after } = change;
  if (!before) return null;
  if (!after) {
    if (!before.isOrganizer || before.isCancelled || before.end <= now) return null;
    return {
      kind: 'deleted',
      event: before,
      lines: [
        `🗑️ The event **${subjectOf(before)}** (${whenText(before, zone)}) was deleted by its organizer.`,
      ],
      fingerprint: hash(['gone', before.start.toISOString()]),
    };
  }
  if (after.partial || before.partial || after.end <= now) return null;
  if (after.isCancelled && !before.isCancelled) {
    return {
      kind: 'cancelled',
      event: after,
      // Graph prefixes a cancelled copy's subject with "Canceled: "; the subject as it was reads better.
      lines: [`❌ The event **${subjectOf(before)}** (${whenText(after, zone)}) was cancelled.`],
      fingerprint: hash(['gone', after.start.toISOString()]),
    };
  }
  if (after.isCancelled) return null;
  const changes: string[] = [];
  if (after.subject !== before.subject) changes.push(`Subject: was **${subjectOf(before)}**`);
  if (after.start.getTime() !== before.start.getTime() || after.end.getTime() !== before.end.getTime()) {
    changes.push(`When: ${whenText(after, zone)} (was ${whenText(before, zone)})`);
  }
  if (after.location !== before.location) {
    changes.push(`Where: ${after.location ? subjectOf({ subject: after.location }) : '(none)'}`);
  }
  if (changes.length === 0) return null;
  return {
    kind: 'changed',
    event: after,
    lines: [`✏️ The event **${subjectOf(after)}** changed:`, ...changes.map((c) => `- ${c}`)],
    fingerprint: hash([
      'changed',
      before.start.toISOString(),
      after.start.toISOString(),
      after.end.toISOString(),
      after.subject,
      after.location,
    ]),
  };
}

/**
 * Linked channels hear about their events' changes (issue 6 item 8): the listener runs inside each sync
 * round's transaction (CalendarSync.onChanges), so the jobs it enqueues commit with the round, exactly once.
 * A user's first round is the baseline (nothing is news). A series change reaches the cache as the master
 * and each occurrence changing; the master's notice stands for all of them (occurrences of a master changed
 * in the same round are skipped). Each post is keyed by (channel, meeting, change fingerprint): several
 * linked attendees seeing the same change produce one post.
 */
export class ChannelChangeNotices {
  readonly #d: { jobs: Pick<JobRunner, 'register' | 'send'>; poster: ChannelPoster; log: Logger };

  constructor(deps: { jobs: Pick<JobRunner, 'register' | 'send'>; poster: ChannelPoster; log: Logger }) {
    this.#d = deps;
  }

  register(): void {
    this.#d.jobs.register(channelNoticeQueue, async (p) => {
      await this.#d.poster.post(p.channelId, p.text, p.key);
    });
  }

  /** The CalendarChangeListener: quick, no Mattermost or Graph calls; enqueues with `{ tx }`. */
  readonly listener = async (
    tx: Kysely<Database>,
    round: CalendarRound,
    changes: readonly CalendarChange[],
  ): Promise<void> => {
    if (round.first || changes.length === 0) return;
    const sync = await new CalendarSyncs(tx).get(round.user);
    const zone = resolveZone(sync?.timeZone);
    const masters = new Set(
      changes
        .map((c) => c.after ?? c.before)
        .filter((e) => e?.type === 'seriesMaster')
        .map((e) => e?.id),
    );
    const links = new CalendarChannelLinks(tx);
    for (const change of changes) {
      const e = change.after ?? change.before;
      if (!e || (e.seriesMasterId && masters.has(e.seriesMasterId))) continue;
      const notice = noticeOf(change, zone, round.at);
      if (!notice) continue;
      const key = await meetingKey(tx, round.user, e);
      if (!key) continue;
      // A single occurrence of a linked series is also matched by its own iCalUId (linked on its own).
      const keys = [...new Set([key.icalUid, ...(e.iCalUId ? [e.iCalUId] : [])])];
      for (const link of await links.listByKeys(keys)) {
        const postKey = `calendar-channel-change:${link.channelId}:${link.icalUid}:${notice.fingerprint}`;
        await this.#d.jobs.send(
          channelNoticeQueue,
          { channelId: link.channelId, text: notice.lines.join('\n'), key: postKey },
          { tx, singletonKey: postKey },
        );
      }
    }
  };
}
