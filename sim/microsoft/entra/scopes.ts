/**
 * Scope strings as Entra reads them: OIDC scopes, Graph scopes in short (`Calendars.Read`), URI
 * (`https://graph.microsoft.com/Calendars.Read`) or app-id (`00000003-…/Calendars.Read`) form, and `.default`.
 * Only Graph is a resource here; any other resource is refused.
 */
import { GRAPH_APP_ID, GRAPH_AUDIENCE } from './access-token.ts';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export interface ParsedScopes {
  oidc: string[];
  /** Graph permission short names; `.default` expanded by the caller. */
  graph: string[];
  hasDefault: boolean;
  /** Requested strings of resource scopes, as the client wrote them (echoed in the token response). */
  resourceForms: string[];
  /** A scope for a resource the sim does not host. */
  foreign: string | null;
}

export function parseScopes(raw: string | undefined): ParsedScopes {
  const out: ParsedScopes = { oidc: [], graph: [], hasDefault: false, resourceForms: [], foreign: null };
  for (const s of (raw ?? '').split(/\s+/).filter(Boolean)) {
    const lower = s.toLowerCase();
    if ((OIDC_SCOPES as readonly string[]).includes(lower)) {
      if (!out.oidc.includes(lower)) out.oidc.push(lower);
      continue;
    }
    let name: string;
    if (lower.startsWith(`${GRAPH_AUDIENCE}/`)) name = s.slice(GRAPH_AUDIENCE.length + 1);
    else if (lower.startsWith(`${GRAPH_APP_ID}/`)) name = s.slice(GRAPH_APP_ID.length + 1);
    else if (s.includes('/') || s.includes(':')) {
      out.foreign ??= s;
      continue;
    } else name = s;
    out.resourceForms.push(s);
    if (name === '.default') out.hasDefault = true;
    else out.graph.push(name);
  }
  return out;
}

/** Case-insensitive lookup of a requested name among the consented permissions (returns the canonical name). */
export function canonical(consented: readonly string[], name: string): string | undefined {
  return consented.find((c) => c.toLowerCase() === name.toLowerCase());
}
