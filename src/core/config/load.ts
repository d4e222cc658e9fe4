import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { type ConfigKey, configKeys } from './keys.ts';
import { type Config, configSchema } from './schema.ts';

/** Variables read by the loader itself rather than mapped to a key. */
const loaderVariables = new Set(['MM365_CONFIG']);

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file; defaults to $MM365_CONFIG. Optional: without it only env and defaults apply. */
  file?: string;
}

/**
 * Builds the effective config: defaults, then the optional JSON file, then environment variables.
 * Contract: returns a fully validated Config or throws an AppError whose message names every bad key,
 * where its value came from, and how to fix it. Unknown file keys and unknown MM365_* variables are errors,
 * because a typo that silently falls back to a default is worse than a refusal to start.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.MM365_CONFIG;
  const fromFile = file ? readConfigFile(file) : {};
  const { values: fromEnv, sources } = readEnv(env);
  const merged = mergeSections(fromFile, fromEnv);

  const parsed = configSchema.safeParse(merged);
  if (parsed.success) return parsed.data;

  const lines = parsed.error.issues.map((issue) => describeIssue(issue, sources, file));
  const unknown = parsed.error.issues.some((i) => i.code === 'unrecognized_keys');
  throw new AppError(
    unknown ? 'MM365_CONFIG_UNKNOWN_KEY' : 'MM365_CONFIG_INVALID',
    `Invalid configuration:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
  );
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError(
      'MM365_CONFIG_FILE_UNREADABLE',
      `Cannot read config file ${path}: ${(cause as Error).message}. Fix: point MM365_CONFIG (or --config) at a readable JSON file, or unset it.`,
      { cause },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AppError(
      'MM365_CONFIG_FILE_UNREADABLE',
      `Config file ${path} is not valid JSON: ${(cause as Error).message}.`,
      { cause },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(
      'MM365_CONFIG_FILE_UNREADABLE',
      `Config file ${path} must hold a JSON object with sections such as {"server": {"port": 8080}}.`,
    );
  }
  return value as Record<string, unknown>;
}

function readEnv(env: NodeJS.ProcessEnv): {
  values: Record<string, Record<string, unknown>>;
  sources: Map<string, string>;
} {
  const values: Record<string, Record<string, unknown>> = {};
  const sources = new Map<string, string>();
  const byName = new Map<string, ConfigKey>();
  for (const k of configKeys) for (const name of k.env) byName.set(name, k);

  const unknown: string[] = [];
  for (const name of Object.keys(env)) {
    if (name.startsWith('MM365_') && !byName.has(name) && !loaderVariables.has(name)) unknown.push(name);
  }
  if (unknown.length > 0) {
    const lines = unknown.map((name) => {
      const hint = nearest(
        name,
        [...byName.keys()].filter((n) => n.startsWith('MM365_')),
      );
      return `${name} is not a setting${hint ? `; did you mean ${hint}?` : ''} Fix: rename or unset it.`;
    });
    throw new AppError(
      'MM365_CONFIG_UNKNOWN_KEY',
      `Invalid configuration:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    );
  }

  // Generated MM365_* names win over conventional aliases (PORT, HOST…) when both are set.
  for (const k of configKeys) {
    const name = k.env.find((n) => env[n] !== undefined && env[n] !== '');
    if (name === undefined) continue;
    const raw = env[name] as string;
    values[k.section] ??= {};
    (values[k.section] as Record<string, unknown>)[k.name] = fromEnvString(raw, k);
    sources.set(k.path, `environment variable ${name}`);
  }
  return { values, sources };
}

function fromEnvString(raw: string, k: ConfigKey): unknown {
  switch (k.meta.envKind ?? 'string') {
    case 'number':
      // Left as the string when not numeric, so the schema reports it with the key's name.
      return /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      return raw;
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    default:
      return raw;
  }
}

function mergeSections(
  file: Record<string, unknown>,
  env: Record<string, Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...file };
  for (const [section, values] of Object.entries(env)) {
    const base = out[section];
    out[section] =
      typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...base, ...values } : values;
  }
  return out;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  sources: Map<string, string>,
  file: string | undefined,
): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((name) => {
        const full = path ? `${path}.${name}` : name;
        const candidates = path
          ? configKeys.filter((k) => k.section === path).map((k) => k.path)
          : [...new Set(configKeys.map((k) => k.section))];
        const hint = nearest(full, candidates);
        return `${full} (in ${file ?? 'the config file'}) is not a setting${hint ? `; did you mean ${hint}?` : ''} Fix: rename or remove it.`;
      })
      .join('\n  - ');
  }
  const k = configKeys.find((c) => c.path === path || path.startsWith(`${c.path}.`));
  const source = sources.get(k?.path ?? path) ?? (file ? `config file ${file}` : 'the defaults');
  const fix = k
    ? ` Fix: set ${k.env[0]} (or "${k.name}" in the "${k.section}" section) to a value like ${k.meta.example}.`
    : '';
  return `${path || '(root)'} from ${source}: ${issue.message}.${fix}`;
}

/** The closest candidate by edit distance, when it is close enough to be a plausible typo. */
function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

export type { Config } from './schema.ts';
