export {
  defineQueue,
  type PayloadOf,
  type QueueConcurrency,
  type QueueDefinition,
  type RetryPolicy,
} from './queue.ts';
export {
  type JobContext,
  type JobHandler,
  JobRunner,
  type SendJobOptions,
  type WorkOptions,
} from './runner.ts';
