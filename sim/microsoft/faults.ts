/**
 * Injected faults: "the next N calls matching METHOD + path pattern get status S / latency L / a dropped
 * connection / an AADSTS error". Rules are consumed in the order they were added; a call consumes at most one
 * rule. Patterns are globs over the path without query string: `*` matches any run of characters, `/` included
 * (`/v1.0/me/*`, `*\/oauth2/v2.0/token`).
 */
import { randomUUID } from 'node:crypto';

export interface FaultRule {
  id: string;
  /** HTTP method or '*'. */
  method: string;
  path: string;
  /** Calls left; the rule disappears at 0. */
  remaining: number;
  status: number | null;
  latencyMs: number;
  drop: boolean;
  /** Entra token/authorize only: answer with this AADSTS code (see entra/aadsts.ts). */
  aadsts: number | null;
  /** Overrides the Graph error code/message of a status fault. */
  code: string | null;
  message: string | null;
  /** Extra response headers (e.g. Retry-After for a 429/503). */
  headers: Record<string, string>;
}

export type FaultInput = Partial<Omit<FaultRule, 'id' | 'remaining'>> & { path: string; count?: number };

export class Faults {
  #rules: FaultRule[] = [];

  add(input: FaultInput): FaultRule {
    const rule: FaultRule = {
      id: randomUUID(),
      method: (input.method ?? '*').toUpperCase(),
      path: input.path,
      remaining: input.count ?? 1,
      status: input.status ?? null,
      latencyMs: input.latencyMs ?? 0,
      drop: input.drop ?? false,
      aadsts: input.aadsts ?? null,
      code: input.code ?? null,
      message: input.message ?? null,
      headers: input.headers ?? {},
    };
    this.#rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.#rules = [];
  }

  /** Consumes and returns the first rule that matches this call, if any. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.#rules.find(
      (r) => (r.method === '*' || r.method === method) && globMatch(r.path, path),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    return rule;
  }
}

export function globMatch(pattern: string, path: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRe).join('.*')}$`);
  return re.test(path);
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
