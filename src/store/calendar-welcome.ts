import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface CalendarWelcomeTable {
  mm_user_id: string;
  /** A fresh id per run of the flow: buttons carry it, so a click from an earlier run is recognised. */
  flow_id: string;
  /** Index of the current step among the welcome questions; = their count once finished. */
  step: number;
  /** The current step's post, once posted (null while its job has not run). */
  post_id: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface WelcomeState {
  user: string;
  flowId: string;
  step: number;
  postId: string | null;
  finishedAt: Date | null;
}

/**
 * The welcome flow's state per user. Every change is conditional on the run and step it expects, so two
 * clicks (or two replicas) never advance the same step twice. Pass a transaction's Kysely to write with it.
 */
export class CalendarWelcomes {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Starts a run at step 0 unless the user already has one (running or finished). True when started. */
  async begin(user: string, flowId: string, at: Date): Promise<boolean> {
    const res = await this.#db
      .insertInto('calendar_welcome')
      .values({ mm_user_id: user, flow_id: flowId, step: 0, started_at: at, updated_at: at })
      .onConflict((oc) => oc.column('mm_user_id').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(user: string): Promise<WelcomeState | undefined> {
    const row = await this.#db
      .selectFrom('calendar_welcome')
      .selectAll()
      .where('mm_user_id', '=', user)
      .executeTakeFirst();
    return (
      row && {
        user: row.mm_user_id,
        flowId: row.flow_id,
        step: row.step,
        postId: row.post_id,
        finishedAt: row.finished_at,
      }
    );
  }

  /**
   * Moves run `flowId` from step `from` to the next one (finished when `finished`). False when the run or
   * step is not current any more: someone else advanced it, or the flow was cancelled or restarted.
   */
  async advance(user: string, flowId: string, from: number, finished: boolean, at: Date): Promise<boolean> {
    const res = await this.#db
      .updateTable('calendar_welcome')
      .set({ step: from + 1, post_id: null, updated_at: at, finished_at: finished ? at : null })
      .where('mm_user_id', '=', user)
      .where('flow_id', '=', flowId)
      .where('step', '=', from)
      .where('finished_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Records the post of step `step` of run `flowId`; nothing when that step is not current any more. */
  async setPost(user: string, flowId: string, step: number, postId: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('calendar_welcome')
      .set({ post_id: postId, updated_at: at })
      .where('mm_user_id', '=', user)
      .where('flow_id', '=', flowId)
      .where('step', '=', step)
      .execute();
  }

  /** Forgets the user's flow; returns what it was, so the caller can clean up its open post. */
  async delete(user: string): Promise<WelcomeState | undefined> {
    const row = await this.#db
      .deleteFrom('calendar_welcome')
      .where('mm_user_id', '=', user)
      .returningAll()
      .executeTakeFirst();
    return (
      row && {
        user: row.mm_user_id,
        flowId: row.flow_id,
        step: row.step,
        postId: row.post_id,
        finishedAt: row.finished_at,
      }
    );
  }
}
