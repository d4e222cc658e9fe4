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
  adminLevel: key(z.enum(['none', 'debug', 'info', 'warn', 'error']).default('none'), {
    description:
      'Copy log lines at or above this level to every integration admin as a bot DM, prefixed "(log LEVEL)" (the Calendar plugin\'s AdminLogLevel). At most 10 DMs a minute; the rest are counted and reported.',
    example: 'warn',
  }),
  adminVerbose: key(z.boolean().default(false), {
    description: "Append the log line's context (ids, error) as a JSON block to those DMs (AdminLogVerbose).",
    example: 'false',
    envKind: 'boolean',
  }),
});
