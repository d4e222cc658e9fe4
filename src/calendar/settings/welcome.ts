import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { defineQueue, type JobRunner } from '../../jobs/index.ts';
import { CalendarWelcomes, type Database } from '../../store/index.ts';
import type { SettingsClick, SettingsPosts, SettingsPostView } from './posts.ts';
import type { CalendarSetting } from './setting.ts';
import { checkedValue, findSetting, labelOf } from './values.ts';

/** Every welcome question's buttons go to this action (data: `{ f: flow id, i: step, s: setting id }`). */
export const welcomeAnswerActionId = 'calendar.welcome.answer';

/** Posts one step of one run of a user's welcome flow (or its closing line); a no-op once it is not current. */
export const welcomeStepQueue = defineQueue({
  name: 'calendar.welcome-step',
  schema: z.object({ user: z.string().min(1), flow: z.string().min(1), step: z.number().int().min(0) }),
  retry: { limit: 5, delaySeconds: 5, backoff: true, maxDelaySeconds: 300 },
});

export const welcomeDoneText = 'You are all set. Change these any time with `/mscalendar settings`.';

export const welcomeStaleText =
  'This question is not open any more (it was answered, or the set-up was restarted). Change your settings any time with `/mscalendar settings`.';

export type WelcomeAnswerResult =
  | { kind: 'answered'; view: SettingsPostView }
  /** Not the current step of the current run: nothing applied. */
  | { kind: 'stale'; message: string };

export interface WelcomeFlowDeps {
  db: Kysely<Database>;
  jobs: Pick<JobRunner, 'send' | 'register'>;
  /** Every calendar feature's settings, read at each use (parts register theirs after this is built). */
  settings: () => readonly CalendarSetting[];
  posts: SettingsPosts;
  clock: Clock;
  log: Logger;
}

/**
 * The welcome flow after connecting the calendar (plugin §3.3): one DM per setting that has a
 * `welcome.question`, posted one at a time; a click on the current question applies the choice through the
 * setting's `apply` (so the panel shows it: #153), turns that post into the answer, and queues the next
 * question; the last is followed by "change these any time with `/mscalendar settings`".
 *
 * State is a row per user (calendar_welcome) and each post is a job sent in the same transaction as the
 * step it belongs to, with a post key per run and step: a restart anywhere neither loses a step nor posts
 * one twice. Decisions: only the current step of the current run advances (an older click is told so and
 * changes nothing); connecting again while a run exists (a reconnect after the token expired) does not ask
 * again, while a disconnect cancels and forgets the run, so the next connect starts a new one.
 */
export class WelcomeFlow {
  readonly #d: WelcomeFlowDeps;

  constructor(deps: WelcomeFlowDeps) {
    this.#d = deps;
  }

  /** Registers the step job; call before jobs start. */
  register(): void {
    this.#d.jobs.register(welcomeStepQueue, (payload) => this.postStep(payload));
  }

  /** The settings that ask a question, in panel order. */
  questions(): CalendarSetting[] {
    return this.#d.settings().filter((s) => s.welcome !== undefined);
  }

  /** After connecting: starts a run unless one exists. True when started (its first step is queued). */
  async start(user: string): Promise<boolean> {
    const flow = randomUUID();
    return this.#d.db.transaction().execute(async (tx) => {
      const started = await new CalendarWelcomes(tx).begin(user, flow, this.#now());
      if (started) await this.#d.jobs.send(welcomeStepQueue, { user, flow, step: 0 }, { tx });
      return started;
    });
  }

  /** The step job: posts step `step` of run `flow` if it is still the current one, or the closing line. */
  async postStep({ user, flow, step }: { user: string; flow: string; step: number }): Promise<void> {
    const welcomes = new CalendarWelcomes(this.#d.db);
    const state = await welcomes.get(user);
    if (!state || state.flowId !== flow || state.step !== step) return;
    const questions = this.questions();
    const question = questions[step];
    if (!question) {
      await this.#d.posts.dm(user, { message: welcomeDoneText, cards: [] }, `calendar-welcome:${flow}:done`);
      // A run without questions (none declared) finishes here; otherwise the last answer finished it.
      if (!state.finishedAt) await welcomes.advance(user, flow, step, true, this.#now());
      return;
    }
    let current: string | undefined;
    try {
      current = await question.current(user);
    } catch (err) {
      this.#d.log.warn({ err, mmUserId: user, setting: question.id }, 'reading a calendar setting failed');
    }
    const postId = await this.#d.posts.dm(
      user,
      {
        message: `#### Set up Microsoft Calendar (${step + 1} of ${questions.length})`,
        cards: [
          {
            title: question.title,
            text: question.welcome?.question ?? question.description,
            control: {
              actionId: welcomeAnswerActionId,
              kind: question.control,
              data: { f: flow, i: step, s: question.id },
              options: question.options.map((o) => ({ ...o, current: o.value === current })),
            },
          },
        ],
      },
      `calendar-welcome:${flow}:${step}`,
    );
    await welcomes.setPost(user, flow, step, postId, this.#now());
  }

  /**
   * A click on a question. Applies the choice first (idempotent; a refusal throws the feature's AppError
   * and the question stays open), then advances the step and queues the next post in one transaction;
   * of two clicks at once only one advances, the other is told the question is closed.
   */
  async answer(click: SettingsClick): Promise<WelcomeAnswerResult> {
    const { user, data } = click;
    const state = await new CalendarWelcomes(this.#d.db).get(user);
    if (!state || state.finishedAt || state.flowId !== data.f || state.step !== data.i) {
      return { kind: 'stale', message: welcomeStaleText };
    }
    const setting = findSetting(this.#d.settings(), data.s);
    const value = checkedValue(setting, click.value);
    await setting.apply(user, value);
    const step = state.step;
    const last = step + 1 >= this.questions().length;
    const advanced = await this.#d.db.transaction().execute(async (tx) => {
      if (!(await new CalendarWelcomes(tx).advance(user, state.flowId, step, last, this.#now())))
        return false;
      await this.#d.jobs.send(welcomeStepQueue, { user, flow: state.flowId, step: step + 1 }, { tx });
      return true;
    });
    if (!advanced) return { kind: 'stale', message: welcomeStaleText };
    this.#d.log.info({ mmUserId: user, setting: setting.id, value, step }, 'welcome question answered');
    return {
      kind: 'answered',
      view: {
        message: `#### Set up Microsoft Calendar (${step + 1} of ${this.questions().length})`,
        cards: [
          {
            title: setting.title,
            text: `${setting.welcome?.question ?? setting.description}\n**Your choice:** ${labelOf(setting, value)}`,
          },
        ],
      },
    };
  }

  /** Disconnect: forgets the run and deletes its open question's post (best effort). */
  async cancel(user: string): Promise<void> {
    const state = await new CalendarWelcomes(this.#d.db).delete(user);
    if (state?.postId && !state.finishedAt) {
      await this.#d.posts.remove(state.postId).catch((err: unknown) => {
        this.#d.log.warn({ err, mmUserId: user }, 'deleting the open welcome question failed');
      });
    }
  }

  #now(): Date {
    return new Date(this.#d.clock.now());
  }
}
