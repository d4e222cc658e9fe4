import type { z } from 'zod';

/**
 * A queue's definition: name, payload schema, retry policy and concurrency rule. Domains declare their
 * queues with defineQueue next to the handler; the runner creates them in the database at start.
 *
 * Concurrency rules (pg-boss policies underneath):
 * - `standard`: any number of jobs of this queue run at once, on any replica.
 * - `singleton`: at most one job per singletonKey is active across every replica (others wait queued);
 *   for work that must never overlap for the same subject, e.g. renewing one user's subscription.
 * - `ordered`: jobs with the same singletonKey run one at a time in creation order (FIFO per key), keys
 *   in parallel; for events of one conversation (house style rule 8). Every send must carry a key.
 * - `once`: like `singleton`, and a send is refused (null) while a job with the same singletonKey is still
 *   waiting (pg-boss `stately`: one waiting, one retrying and one active per key); for work planned by
 *   overlapping windows, e.g. a reminder at its exact time, so planning it twice queues it once.
 */
export type QueueConcurrency = 'standard' | 'singleton' | 'ordered' | 'once';

export interface RetryPolicy {
  /** Attempts after the first. */
  limit: number;
  /** Seconds before the first retry; with backoff, doubled (with jitter) for each later one. */
  delaySeconds: number;
  backoff: boolean;
  maxDelaySeconds?: number;
}

export interface QueueDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly retry: RetryPolicy;
  readonly concurrency: QueueConcurrency;
  /** Seconds a job may stay active before it counts as failed (and is retried). */
  readonly expireInSeconds: number;
}

export type PayloadOf<Q extends QueueDefinition> = z.output<Q['schema']>;

export function defineQueue<S extends z.ZodType>(
  def: Pick<QueueDefinition<S>, 'name' | 'schema'> & Partial<Omit<QueueDefinition<S>, 'name' | 'schema'>>,
): QueueDefinition<S> {
  if (!/^[a-z][a-z0-9.-]{0,62}$/.test(def.name)) {
    throw new Error(`queue name "${def.name}" must be lowercase letters, digits, dots and dashes`);
  }
  return {
    name: def.name,
    schema: def.schema,
    retry: def.retry ?? { limit: 5, delaySeconds: 5, backoff: true, maxDelaySeconds: 600 },
    concurrency: def.concurrency ?? 'standard',
    expireInSeconds: def.expireInSeconds ?? 300,
  };
}
