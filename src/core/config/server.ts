import { z } from 'zod';
import { key } from './key-meta.ts';

/** The HTTP listener: where it listens, what it accepts, how long shutdown may take. */
export const serverSection = z.strictObject({
  host: key(z.string().min(1).default('127.0.0.1'), {
    description: 'Interface the HTTP server listens on. 0.0.0.0 to accept connections from other hosts.',
    env: ['HOST'],
    example: '127.0.0.1',
  }),
  port: key(z.coerce.number().int().min(0).max(65535).default(8080), {
    description: 'TCP port of the HTTP server (0 picks a free port).',
    env: ['PORT'],
    example: '8080',
    envKind: 'number',
  }),
  publicUrl: key(z.url({ protocol: /^https?$/ }).optional(), {
    description:
      'URL at which Mattermost, Microsoft Graph and browsers reach this service (slash commands, OAuth redirects, webhooks). Defaults to http://<host>:<port>.',
    example: 'https://mm365.example.com',
  }),
  bodyLimitBytes: key(
    z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    {
      description: 'Largest request body accepted; larger ones get 413.',
      example: '1048576',
      envKind: 'number',
    },
  ),
  shutdownGraceMs: key(z.coerce.number().int().min(0).max(300_000).default(10_000), {
    description: 'On SIGTERM, how long in-flight requests and jobs may run before the process exits anyway.',
    example: '10000',
    envKind: 'number',
  }),
});
