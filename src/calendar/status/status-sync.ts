import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { defineQueue, type JobRunner } from '../../jobs/index.ts';
import { CalendarEvents } from '../../store/calendar-event.ts';
import { CalendarStatuses, type StatusBlockState, type StatusRow } from '../../store/calendar-status.ts';
import { CalendarSyncs } from '../../store/calendar-sync.ts';
import type { Database } from '../../store/index.ts';
import { cellText } from '../agenda/render.ts';
import type { CalendarEvent } from '../ports.ts';
import type { CalendarChange, CalendarChangeListener } from '../sync/calendar-sync.ts';
import { fromRow } from '../sync/event-codec.ts';
import { resolveZone } from '../time-zones.ts';
import { type BusyBlock, blockAt, busyBlocks, isBusy, nextBlock, remainingPart } from './busy-blocks.ts';
import { createStatusMetrics, type StatusMetrics, type StatusResult } from './metrics.ts';
import type { CustomStatus, PromptButton, PromptDms, StatusPresence } from './ports.ts';

/** One user's status re-evaluated now; singleton per user, so one user's changes never overlap. */
export const statusEvaluateQueue = defineQueue({
  name: 'calendar.status',
  schema: z.object({ user: z.string() }),
  concurrency: 'singleton',
  retry: { limit: 3, delaySeconds: 5, backoff: true, maxDelaySeconds: 60 },
});

/** Once a minute: one query finds every user whose status needs a look (missed jobs, offline, failures). */
export const statusCheckQueue = defineQueue({
  name: 'calendar.status-check',
  schema: z.object({}),
  concurrency: 'singleton',
  retry: { limit: 0, delaySeconds: 0, backoff: false },
});

/** The action id of the "set my status?" buttons. */
export const statusConfirmAction = 'calendar.status.confirm';

/** What the confirmation buttons carry. `merged`: the question sits in a reminder DM (leave the post). */
export interface ConfirmData {
  start: string;
  answer: 'yes' | 'no';
  merged?: boolean;
  text?: string;
}

/** Our custom status: recognised by emoji and text, never anything the user wrote. */
export const meetingCustomStatus = { emoji: 'calendar', text: 'In a meeting' } as const;

const horizonMs = 7 * 86_400_000;
/** A transition job later than this is considered lost, and the minute check runs the user instead. */
const overdueMs = 30_000;
/** A restore that keeps failing is given up this long after the block ended (a deleted user, say). */
const giveUpMs = 3_600_000;

const presenceLabel = { dnd: 'Do Not Disturb', away: 'Away' } as const;

export interface StatusSyncDeps {
  db: Kysely<Database>;
  jobs: Pick<JobRunner, 'send' | 'register' | 'schedule'>;
  presence: StatusPresence;
  prompts: PromptDms;
  clock: Clock;
  log: Logger;
  metrics?: StatusMetrics;
}

function isOurs(c: CustomStatus | null): boolean {
  return c !== null && c.emoji === meetingCustomStatus.emoji && c.text === meetingCustomStatus.text;
}

function describe(err: unknown): string {
  const status = isAppError(err) ? err.details?.httpStatus : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return `${typeof status === 'number' ? `${status} ` : ''}${message}`.slice(0, 300);
}

/**
 * Status sync (issue 6 item 2): Mattermost presence (DND or Away) and the "In a meeting" custom status
 * follow the user's busy blocks, applied within seconds of a block's start and restored at its end.
 *
 * Event-driven: every evaluation plans the user's next transition (the current block's end, or the next
 * block's start) as a job at that exact time; a cache change re-evaluates the user (enqueued inside the
 * sync round's transaction); a minute check (one query for everyone) catches lost jobs, offline users
 * who came back, failures, and cancelled blocks. All state is in `calendar_status`, so a restart resumes.
 *
 * Rules: an offline user is left alone; a user already in the target status (set by hand) is left alone
 * and not restored later; the prior manual status is restored, only if the status is still the one we
 * set; a custom status the user set is never overwritten, ours is removed when the block ends early.
 * Each user's work is isolated: one failing is logged and counted, never stops another.
 */
export class StatusSync {
  readonly #d: StatusSyncDeps;
  readonly metrics: StatusMetrics;

  constructor(deps: StatusSyncDeps) {
    this.#d = deps;
    this.metrics = deps.metrics ?? createStatusMetrics();
  }

  register(): void {
    this.#d.jobs.register(statusEvaluateQueue, async ({ user }) => {
      await this.evaluate(user);
    });
    this.#d.jobs.register(statusCheckQueue, async () => {
      await this.check();
    });
  }

  /** After jobs start: the minute check. */
  schedule(): Promise<void> {
    return this.#d.jobs.schedule(statusCheckQueue, '* * * * *', {});
  }

  #now(): Date {
    return new Date(this.#d.clock.now());
  }

  #count(result: StatusResult): void {
    this.metrics.changes.inc({ result });
  }

  /** Queues an evaluation of the user now (or at `at`), inside `tx` when given. */
  async request(user: string, options: { tx?: Kysely<Database>; at?: Date } = {}): Promise<void> {
    await this.#d.jobs.send(
      statusEvaluateQueue,
      { user },
      {
        singletonKey: user,
        ...(options.tx ? { tx: options.tx } : {}),
        ...(options.at ? { startAfter: options.at } : {}),
      },
    );
  }

  /**
   * The sync's change listener (runs inside the round's transaction): when a round touched a busy event
   * of a user with status sync on (or with a block being handled) near now, their status is re-evaluated
   * right after the commit. No Mattermost call here.
   */
  listener(): CalendarChangeListener {
    return async (tx, round, changes) => {
      const row = await new CalendarStatuses(tx).get(round.user);
      if (row.mode === 'off' && !row.custom && row.blockStart === null) return;
      const now = this.#d.clock.now();
      const relevant = (e: CalendarEvent | null) =>
        e !== null && isBusy(e) && e.end.getTime() > now && e.start.getTime() < now + horizonMs;
      if (changes.some((c: CalendarChange) => relevant(c.before) || relevant(c.after))) {
        await this.request(round.user, { tx });
      }
    };
  }

  /** The minute check: queues an evaluation for every user the one query finds. Returns how many. */
  async check(): Promise<number> {
    const users = await new CalendarStatuses(this.#d.db).due(this.#now(), overdueMs);
    for (const user of users) {
      try {
        await this.request(user);
      } catch (err) {
        this.#d.log.warn({ err, user }, 'status check could not queue a user');
      }
    }
    return users.length;
  }

  /** The user's busy blocks near now, or null when their calendar is not synced (unknown, not "free"). */
  async #blocks(user: string, now: number): Promise<BusyBlock[] | null> {
    const sync = await new CalendarSyncs(this.#d.db).get(user);
    if (sync?.status !== 'active') return null;
    const rows = await new CalendarEvents(this.#d.db).listWindow(
      user,
      new Date(now - 86_400_000),
      new Date(now + horizonMs),
    );
    return busyBlocks(rows.map(fromRow));
  }

  /**
   * Brings one user's status in line with their calendar at this moment, then plans the next transition.
   * Idempotent: running it twice changes nothing the first did not. Mattermost failures are recorded on
   * the row (outcome `failed`, retried by the minute check while the block lasts), never thrown.
   */
  async evaluate(user: string): Promise<void> {
    const statuses = new CalendarStatuses(this.#d.db);
    const row = await statuses.get(user);
    const now = this.#d.clock.now();
    const enabled = row.mode !== 'off' || row.custom;
    const blocks = enabled ? await this.#blocks(user, now) : [];
    let state: StatusBlockState = { ...row };
    const found = blocks ? blockAt(blocks, now) : undefined;
    let current = found ? remainingPart(found, now) : undefined;
    const handled = (b: BusyBlock | undefined) =>
      b !== undefined &&
      row.blockStart !== null &&
      row.blockEnd !== null &&
      b.start.getTime() < row.blockEnd.getTime() &&
      b.end.getTime() > row.blockStart.getTime();
    let upcoming: Date | undefined;
    if (current && current.start.getTime() > now + 2_000 && !handled(current)) {
      // Between meetings of a block we are not in yet: it begins with its next meeting.
      upcoming = current.start;
      current = undefined;
    }
    if (blocks === null && row.blockStart && row.blockEnd && row.blockEnd.getTime() > now) {
      // Calendar unavailable (sync restarting, session lost): keep the block we know until its end.
      current = { start: row.blockStart, end: row.blockEnd, events: [] };
    }
    if (row.blockStart && row.blockEnd) {
      if (current && handled(current)) {
        state = await this.#continue(user, row, state, current, now);
      } else {
        state = await this.#end(user, row, state, now);
        if (state.blockStart === null && current) state = await this.#start(user, row, state, current, now);
      }
    } else if (current) {
      state = await this.#start(user, row, state, current, now);
    }
    const next = current ? current.end : (upcoming ?? (blocks ? nextBlock(blocks, now)?.start : undefined));
    if (next && (state.nextAt?.getTime() !== next.getTime() || state.nextAt.getTime() <= now)) {
      await this.request(user, { at: next });
      state = { ...state, nextAt: next };
    } else if (!next) {
      state = { ...state, nextAt: null };
    }
    // Only what this run changed is written: an answer recorded meanwhile by a click is not overwritten.
    const change: Partial<StatusBlockState> = {};
    for (const k of Object.keys(state) as (keyof StatusBlockState)[]) {
      const a = state[k];
      const b = row[k];
      const same = a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
      if (!same) (change as Record<string, unknown>)[k] = a;
    }
    if (Object.keys(change).length === 0) return;
    await statuses.setSettings(user, {}, this.#now()); // make sure the row exists
    await statuses.update(user, change, this.#now());
  }

  /** A block begins (or is seen for the first time): ask, or apply. */
  async #start(
    user: string,
    row: StatusRow,
    state: StatusBlockState,
    block: BusyBlock,
    now: number,
  ): Promise<StatusBlockState> {
    const base: StatusBlockState = {
      ...CalendarStatuses.cleared,
      askedStart: state.askedStart,
      answer: state.answer,
      nextAt: state.nextAt,
      blockStart: block.start,
      blockEnd: block.end,
    };
    if (row.mode !== 'off' && row.confirm) {
      const asked = state.askedStart?.getTime() === block.start.getTime();
      if (asked && state.answer === 'yes') return this.#apply(user, row, base, block, now, true);
      // The custom status needs no question; the presence waits for the answer.
      const custom = row.custom ? await this.#applyCustom(user, base, block) : base;
      if (asked && state.answer === 'no') {
        this.#count('declined');
        return { ...custom, outcome: 'declined' };
      }
      if (!asked) {
        try {
          await this.#ask(user, row, block, now);
        } catch (err) {
          this.#count('failed');
          this.#d.log.warn({ user, err: describe(err) }, 'status question could not be sent');
          return { ...custom, outcome: 'failed', lastError: describe(err) };
        }
        this.#count('asked');
      }
      return { ...custom, outcome: 'asked', askedStart: block.start, answer: asked ? state.answer : null };
    }
    return this.#apply(user, row, base, block, now, true);
  }

  /** The same block as before: follow a moved end, retry what failed, act on an answer. */
  async #continue(
    user: string,
    row: StatusRow,
    state: StatusBlockState,
    block: BusyBlock,
    now: number,
  ): Promise<StatusBlockState> {
    if (row.mode === 'off' && !row.custom) return this.#end(user, row, state, now);
    const moved = state.blockEnd?.getTime() !== block.end.getTime();
    // The block keeps the start it was handled with (questions and answers refer to it); its end follows.
    let next: StatusBlockState = { ...state, blockEnd: block.end };
    if (state.outcome === 'offline' || state.outcome === 'failed') {
      const same = { ...block, start: state.blockStart ?? block.start };
      return this.#start(user, row, { ...next, outcome: null }, same, now);
    }
    if (state.outcome === 'asked' && state.answer !== null) {
      if (state.answer === 'yes') return this.#apply(user, row, next, block, now, false);
      this.#count('declined');
      return { ...next, outcome: 'declined' };
    }
    if (!moved) return next;
    try {
      if (state.appliedStatus === 'dnd') {
        const p = await this.#d.presence.get(user);
        if (p.status === 'dnd') await this.#d.presence.set(user, 'dnd', block.end);
      }
      if (state.customApplied && isOurs(await this.#d.presence.getCustom(user))) {
        await this.#d.presence.setCustom(user, { ...meetingCustomStatus, expiresAt: block.end });
      }
      this.#count('adjusted');
    } catch (err) {
      this.#count('failed');
      this.#d.log.warn({ user, err: describe(err) }, 'status could not follow a moved meeting end');
      next = { ...next, lastError: describe(err) };
    }
    return next;
  }

  /** Sets the presence (unless offline or already there) and the custom status. */
  async #apply(
    user: string,
    row: StatusRow,
    base: StatusBlockState,
    block: BusyBlock,
    now: number,
    atStart: boolean,
  ): Promise<StatusBlockState> {
    let state: StatusBlockState = {
      ...base,
      blockStart: base.blockStart ?? block.start,
      blockEnd: block.end,
    };
    const target = row.mode === 'off' ? null : row.mode;
    let presence: Awaited<ReturnType<StatusPresence['get']>>;
    try {
      presence = await this.#d.presence.get(user);
    } catch (err) {
      this.#count('failed');
      this.#d.log.warn({ user, err: describe(err) }, 'status could not be read');
      return { ...state, outcome: 'failed', lastError: describe(err) };
    }
    if (presence.status === 'offline') {
      // Plugin #125: an offline user is left alone (the minute check looks again while the block lasts).
      if (base.outcome !== 'offline') this.#count('offline');
      return { ...state, outcome: 'offline' };
    }
    if (target) {
      // Already there by hand (or out of office): theirs. An automatic away (idle) is not a choice: it
      // would turn online with the next click, so it is set manually like any other status.
      if ((presence.status === target && presence.manual) || presence.status === 'ooo') {
        this.#count('already');
        state = { ...state, outcome: 'already', appliedStatus: null };
      } else {
        try {
          await this.#d.presence.set(user, target, target === 'dnd' ? block.end : undefined);
        } catch (err) {
          this.#count('failed');
          this.#d.log.warn({ user, err: describe(err) }, 'status could not be set');
          return { ...state, outcome: 'failed', lastError: describe(err) };
        }
        this.#count('applied');
        if (atStart)
          this.metrics.lag.observe({ transition: 'start' }, Math.max(0, now - block.start.getTime()) / 1000);
        state = {
          ...state,
          outcome: 'applied',
          appliedStatus: target,
          priorStatus: presence.manual && presence.status !== 'online' ? presence.status : null,
          lastError: null,
        };
      }
    } else {
      state = { ...state, outcome: 'applied' };
    }
    return row.custom ? this.#applyCustom(user, state, block) : state;
  }

  /** Our custom status until the block's end, unless the user has one of their own. */
  async #applyCustom(user: string, state: StatusBlockState, block: BusyBlock): Promise<StatusBlockState> {
    if (state.customApplied) return state;
    try {
      const current = await this.#d.presence.getCustom(user);
      if (current !== null && !isOurs(current)) return state; // theirs: never overwritten
      await this.#d.presence.setCustom(user, { ...meetingCustomStatus, expiresAt: block.end });
      this.#count('custom_set');
      return { ...state, customApplied: true };
    } catch (err) {
      // 501: custom statuses disabled on the server. Logged and counted; the presence part stands.
      this.#count('failed');
      this.#d.log.warn({ user, err: describe(err) }, 'custom status could not be set');
      return { ...state, lastError: describe(err) };
    }
  }

  /**
   * The handled block is over (ended, cancelled, shortened to nothing, or status sync turned off):
   * restore what we changed, if it is still ours. A failure keeps the state for the minute check, until
   * an hour after the block's end.
   */
  async #end(user: string, row: StatusRow, state: StatusBlockState, now: number): Promise<StatusBlockState> {
    const endedAt = state.blockEnd?.getTime() ?? now;
    const natural = endedAt <= now;
    try {
      if (state.appliedStatus) {
        const p = await this.#d.presence.get(user);
        if (p.status === state.appliedStatus) {
          const back = (state.priorStatus ?? 'online') as 'online' | 'away' | 'dnd';
          await this.#d.presence.set(user, back);
          this.#count('restored');
          if (natural) this.metrics.lag.observe({ transition: 'end' }, Math.max(0, now - endedAt) / 1000);
        } else if (!(state.appliedStatus === 'dnd' && p.status === (state.priorStatus ?? 'online'))) {
          // Changed during the meeting by the user: theirs wins. (DND reverted by Mattermost itself at
          // dnd_end_time is not a user change.)
          this.#count('changed_by_user');
        } else {
          this.#count('restored');
          if (natural) this.metrics.lag.observe({ transition: 'end' }, Math.max(0, now - endedAt) / 1000);
        }
      }
      if (state.customApplied) {
        const c = await this.#d.presence.getCustom(user);
        if (isOurs(c)) {
          await this.#d.presence.clearCustom(user);
          this.#count('custom_cleared');
        }
      }
    } catch (err) {
      this.#count('failed');
      this.#d.log.warn({ user, err: describe(err) }, 'status could not be restored');
      if (now - endedAt < giveUpMs) return { ...state, lastError: describe(err) };
      this.#d.log.error({ user }, 'status restore given up an hour after the meeting');
    }
    return {
      ...CalendarStatuses.cleared,
      askedStart: state.askedStart,
      answer: state.answer,
      nextAt: state.nextAt,
      lastError: row.lastError,
    };
  }

  async #zone(user: string) {
    return resolveZone((await new CalendarSyncs(this.#d.db).get(user))?.timeZone ?? null);
  }

  #time(at: Date, iana: string): string {
    return DateTime.fromJSDate(at, { zone: iana }).toFormat('h:mm a');
  }

  #question(mode: 'dnd' | 'away', end: string): string {
    return `Set your status to ${presenceLabel[mode]} until ${end}?`;
  }

  #buttons(mode: 'dnd' | 'away', start: Date, merged: boolean, text?: string): PromptButton[] {
    const data = (answer: 'yes' | 'no'): ConfirmData => ({
      start: start.toISOString(),
      answer,
      ...(merged ? { merged } : {}),
      ...(text ? { text } : {}),
    });
    return [
      {
        actionId: statusConfirmAction,
        name: `Set ${presenceLabel[mode]}`,
        style: 'primary',
        data: data('yes'),
      },
      { actionId: statusConfirmAction, name: 'Leave my status', data: data('no') },
    ];
  }

  /** The confirmation DM at a block's start (no reminder carried the question). */
  async #ask(user: string, row: StatusRow, block: BusyBlock, now: number): Promise<void> {
    if (row.mode === 'off') return;
    const zone = await this.#zone(user);
    const first = block.events[0];
    const title = first
      ? cellText(first.subject.trim() === '' ? '(No subject)' : first.subject)
      : 'Your meeting';
    const starts =
      block.start.getTime() <= now + 60_000
        ? 'starts now'
        : `starts at ${this.#time(block.start, zone.iana)}`;
    const text = `📅 **${title}** ${starts}. ${this.#question(row.mode, this.#time(block.end, zone.iana))}`;
    await this.#d.prompts.dm(
      user,
      text,
      this.#buttons(row.mode, block.start, false, text),
      `calendar-status-ask:${user}:${block.start.toISOString()}`,
    );
  }

  /**
   * For a reminder about to be sent (gcal #54: one message, not two): when the user wants to be asked and
   * this meeting starts a busy block, records that the question is asked in the reminder and returns the
   * line and buttons to add; null otherwise. Idempotent (a retried reminder gets the same question).
   */
  async questionForReminder(
    user: string,
    event: { id: string; start: Date },
  ): Promise<{ line: string; buttons: PromptButton[] } | null> {
    const row = await new CalendarStatuses(this.#d.db).get(user);
    if (row.mode === 'off' || !row.confirm) return null;
    const blocks = await this.#blocks(user, event.start.getTime() - 1);
    const block = blocks?.find((b) => b.start.getTime() === event.start.getTime());
    if (!block?.events.some((e) => e.id === event.id)) return null;
    if (row.askedStart?.getTime() === block.start.getTime() && row.answer !== null) return null;
    await this.#d.db.transaction().execute(async (tx) => {
      const statuses = new CalendarStatuses(tx);
      await statuses.lock(user, this.#now());
      await statuses.update(user, { askedStart: block.start, answer: null }, this.#now());
    });
    const zone = await this.#zone(user);
    return {
      line: this.#question(row.mode, this.#time(block.end, zone.iana)).replace(
        'Set your status',
        'When it starts, set your status',
      ),
      buttons: this.#buttons(row.mode, block.start, true),
    };
  }

  /**
   * A click on a confirmation button: records the answer for that block and queues an evaluation (the
   * change itself happens in the user's job, serialized with the transitions). Returns the reply text.
   */
  async answer(user: string, data: ConfirmData): Promise<{ text: string; stale: boolean }> {
    const start = new Date(data.start);
    const row = await new CalendarStatuses(this.#d.db).get(user);
    const askedFor = row.askedStart?.getTime() === start.getTime();
    // Once the meeting started, the question is live only while its block is the one being handled.
    const now = this.#d.clock.now();
    const over =
      start.getTime() <= now &&
      (row.blockStart?.getTime() !== start.getTime() || (row.blockEnd?.getTime() ?? 0) <= now);
    if (!askedFor || over || row.mode === 'off') {
      return {
        text: 'That question is about a meeting that has moved or is over; nothing was changed.',
        stale: true,
      };
    }
    await this.#d.db.transaction().execute(async (tx) => {
      const statuses = new CalendarStatuses(tx);
      await statuses.lock(user, this.#now());
      await statuses.update(user, { answer: data.answer }, this.#now());
      await this.request(user, { tx });
    });
    const label = presenceLabel[row.mode];
    if (data.answer === 'no')
      return { text: 'OK, your status stays as it is for this meeting.', stale: false };
    return {
      text:
        row.blockStart?.getTime() === start.getTime()
          ? `OK, your status is set to ${label} until the meeting ends.`
          : `OK, your status will be set to ${label} when the meeting starts, and back afterwards.`,
      stale: false,
    };
  }

  /** Disconnect: what we set is restored (if still ours) and the row deleted. Failures are logged. */
  async remove(user: string): Promise<void> {
    const statuses = new CalendarStatuses(this.#d.db);
    const row = await statuses.get(user);
    if (row.blockStart) {
      await this.#end(user, row, row, this.#d.clock.now());
    }
    await statuses.delete(user);
  }
}
