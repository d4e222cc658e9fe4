import { describe, expect, it } from 'vitest';
import { aadstsResponse } from '../../../../sim/microsoft/entra/aadsts.ts';
import { redirectUriRegistered } from '../../../../sim/microsoft/entra/authorize.ts';
import { parseScopes } from '../../../../sim/microsoft/entra/scopes.ts';
import type { AppRecord } from '../../../../sim/microsoft/state.ts';

const app = (redirectUris: string[]): AppRecord => ({
  clientId: 'c',
  displayName: 'app',
  secrets: [],
  redirectUris,
  delegatedPermissions: [],
  applicationPermissions: [],
  autoApprove: true,
  isPublicClient: false,
});

describe('parseScopes', () => {
  it('splits OIDC, Graph (short, URI and app-id forms), .default and foreign resources', () => {
    const s = parseScopes(
      'openid Profile offline_access User.Read https://graph.microsoft.com/Calendars.ReadWrite 00000003-0000-0000-c000-000000000000/Chat.Read',
    );
    expect(s.oidc).toEqual(['openid', 'profile', 'offline_access']);
    expect(s.graph).toEqual(['User.Read', 'Calendars.ReadWrite', 'Chat.Read']);
    expect(s.hasDefault).toBe(false);
    expect(s.foreign).toBeNull();
    expect(parseScopes('https://graph.microsoft.com/.default').hasDefault).toBe(true);
    expect(parseScopes('api://other-app/read').foreign).toBe('api://other-app/read');
  });
});

describe('redirectUriRegistered', () => {
  it('matches exactly, except that http loopback ports are ignored (RFC 8252)', () => {
    const a = app(['http://localhost/oauth2/callback', 'https://app.example/cb', 'http://127.0.0.1/cb']);
    expect(redirectUriRegistered(a, 'https://app.example/cb')).toBe(true);
    expect(redirectUriRegistered(a, 'https://app.example/cb/')).toBe(false);
    expect(redirectUriRegistered(a, 'https://app.example:8443/cb')).toBe(false);
    expect(redirectUriRegistered(a, 'http://localhost:53000/oauth2/callback')).toBe(true);
    expect(redirectUriRegistered(a, 'http://127.0.0.1:9/cb')).toBe(true);
    expect(redirectUriRegistered(a, 'http://localhost:53000/other')).toBe(false);
    expect(redirectUriRegistered(a, 'https://localhost/oauth2/callback')).toBe(false);
    expect(redirectUriRegistered(a, 'not a url')).toBe(false);
  });
});

describe('aadstsResponse', () => {
  it('builds Entra error bodies with 401 for invalid_client and suberrors where Entra sends them', () => {
    const r = aadstsResponse(7000215, Date.UTC(2026, 10, 23, 10, 0, 0), { client: 'abc' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
      timestamp: '2026-11-23 10:00:00Z',
    });
    expect((r.body as { error_description: string }).error_description).toMatch(
      /^AADSTS7000215: Invalid client secret provided\..*'abc'\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: /s,
    );
    const inactive = aadstsResponse(700082, 0, { issued: 'X' });
    expect(inactive.status).toBe(400);
    expect(inactive.body).toMatchObject({ error: 'invalid_grant', suberror: 'bad_token' });
  });
});
