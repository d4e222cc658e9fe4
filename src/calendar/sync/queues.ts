import { z } from 'zod';
import { defineQueue } from '../../jobs/index.ts';

/** What a `calendar.sync` job does for its user. */
export type SyncMode = 'start' | 'catch-up' | 'full';

/**
 * Per-user calendar work, FIFO per user (singletonKey = the user): start (subscription + first full round),
 * catch-up (delta from the cursor) and full (reconcile). Different users run in parallel; a failing user is
 * retried alone with backoff.
 */
export const calendarSyncQueue = defineQueue({
  name: 'calendar.sync',
  schema: z.object({ user: z.string().min(1), mode: z.enum(['start', 'catch-up', 'full']) }),
  concurrency: 'ordered',
  retry: { limit: 6, delaySeconds: 10, backoff: true, maxDelaySeconds: 1800 },
  expireInSeconds: 600,
});

/** The slow periodic reconcile (cron, one at a time across replicas): queues full rounds for stale users. */
export const calendarReconcileQueue = defineQueue({
  name: 'calendar.reconcile',
  /** catchUpAll: also a catch-up for every user not due a full round (sent once at service start). */
  schema: z.object({ catchUpAll: z.boolean().optional() }),
  concurrency: 'singleton',
  retry: { limit: 2, delaySeconds: 60, backoff: true },
});
