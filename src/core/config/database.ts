import { z } from 'zod';
import { key } from './key-meta.ts';

/** Storage: PostgreSQL when a URL is given, embedded PGlite under dataDir otherwise (same SQL dialect). */
export const databaseSection = z.strictObject({
  url: key(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    {
      description:
        'PostgreSQL connection URL. When unset, the embedded PGlite database under dataDir is used.',
      env: ['DATABASE_URL'],
      example: 'postgres://mm365@127.0.0.1:5432/mm365',
      secret: true,
    },
  ),
  dataDir: key(z.string().min(1).default('./data'), {
    description:
      'Folder for local state: the embedded database (dataDir/pglite) and the generated vault key when none is configured.',
    env: ['MM365_DATA_DIR'],
    example: './data',
  }),
  poolMax: key(z.coerce.number().int().min(1).max(200).default(10), {
    description: 'Most PostgreSQL connections the service opens (ignored for PGlite, which has one).',
    example: '10',
    envKind: 'number',
  }),
});
