import { z } from 'zod';

/**
 * What each config key declares besides its type: the doc line, the environment variables that set it, an
 * example value for error messages, and whether it is a secret (masked by `config print`, never logged).
 * Sections attach it with `key(schema, meta)`; the loader, the printer and the docs generator read it back.
 */
export interface KeyMeta {
  description: string;
  /** Extra variable names besides the generated MM365_<SECTION>_<KEY> (e.g. PORT, DATABASE_URL). */
  env?: readonly string[];
  example: string;
  secret?: boolean;
  /** How an environment string becomes a value: a number, a boolean, a comma-separated list, or as is. */
  envKind?: 'string' | 'number' | 'boolean' | 'list';
}

export const keyMeta = z.registry<KeyMeta>();

export function key<T extends z.ZodType>(schema: T, meta: KeyMeta): T {
  keyMeta.add(schema, meta);
  return schema;
}
