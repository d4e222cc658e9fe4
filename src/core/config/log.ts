import { z } from 'zod';
import { key } from './key-meta.ts';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Logging: pino, JSON by default, pretty when a person is watching. */
export const logSection = z.strictObject({
  level: key(z.enum(logLevels).default('info'), {
    description: 'Lowest level written.',
    env: ['LOG_LEVEL'],
    example: 'info',
  }),
  format: key(z.enum(['auto', 'json', 'pretty']).default('auto'), {
    description: 'json for log collectors, pretty for a terminal; auto picks pretty when stdout is a TTY.',
    example: 'auto',
  }),
});
