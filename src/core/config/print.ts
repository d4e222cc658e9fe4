import { configKeys } from './keys.ts';
import type { Config } from './schema.ts';

const mask = '********';

/**
 * The effective config with every secret key masked, for `mm365 config print` and start-up logs.
 * A secret that is set shows as ******** (and a URL keeps its scheme and host so the operator can still tell
 * which database is used); an unset one shows as null, so "is it set?" stays answerable.
 */
export function maskedConfig(config: Config): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const k of configKeys) {
    const value = (config as unknown as Record<string, Record<string, unknown>>)[k.section]?.[k.name];
    out[k.section] ??= {};
    (out[k.section] as Record<string, unknown>)[k.name] = k.meta.secret ? maskValue(value) : (value ?? null);
  }
  return out;
}

function maskValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'string' && v.includes(':') ? `${v.split(':')[0]}:${mask}` : mask));
  if (typeof value === 'string' && /^[a-z]+:\/\//.test(value)) {
    try {
      const u = new URL(value);
      return `${u.protocol}//${mask}@${u.host}${u.pathname}`;
    } catch {
      return mask;
    }
  }
  return mask;
}
