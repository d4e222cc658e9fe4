import { z } from 'zod';
import { key } from './key-meta.ts';

/** Background jobs (pg-boss in the same database). */
export const jobsSection = z.strictObject({
  schema: key(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default('pgboss'),
    {
      description: 'PostgreSQL schema that holds the job tables.',
      example: 'pgboss',
    },
  ),
  enabled: key(z.boolean().default(true), {
    description: 'Run job workers in this process. Turn off for a replica that only serves HTTP.',
    example: 'true',
    envKind: 'boolean',
  }),
});
