import type { z } from 'zod';
import { type KeyMeta, keyMeta } from './key-meta.ts';
import { configSchema } from './schema.ts';

/** One leaf of the config tree with everything needed to load, print and document it. */
export interface ConfigKey {
  section: string;
  name: string;
  /** Dotted path, e.g. `server.port`. */
  path: string;
  /** Every variable that sets it, the generated MM365_<SECTION>_<KEY> first. */
  env: string[];
  meta: KeyMeta;
}

function unwrap(schema: z.ZodType): z.ZodType {
  // prefault/default/optional wrap the object; the registry entry sits on the schema passed to key().
  let s: z.ZodType = schema;
  for (;;) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if (def.innerType && (def.type === 'default' || def.type === 'prefault' || def.type === 'optional')) {
      s = def.innerType;
    } else if (def.type === 'pipe' && (def as unknown as { in: z.ZodType }).in) {
      // superRefine wraps the object; its shape is on the inner schema.
      s = (def as unknown as { in: z.ZodType }).in;
    } else return s;
  }
}

function envName(section: string, name: string): string {
  return `MM365_${section}_${name}`.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** All config keys, in schema order. */
export const configKeys: readonly ConfigKey[] = Object.entries(configSchema.shape).flatMap(([section, s]) => {
  const shape = (unwrap(s) as unknown as { shape: Record<string, z.ZodType> }).shape;
  return Object.entries(shape).map(([name, leaf]) => {
    const meta = keyMeta.get(leaf);
    if (!meta) throw new Error(`config key ${section}.${name} has no metadata: wrap it in key()`);
    return {
      section,
      name,
      path: `${section}.${name}`,
      env: [...new Set([envName(section, name), ...(meta.env ?? [])])],
      meta,
    };
  });
});
