import { X509Certificate } from 'node:crypto';
import * as msal from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { encryptResource } from '../../sim/microsoft/subscriptions/encryption.ts';
import { fromMsalError } from '../../src/microsoft/auth/auth-errors.ts';
import { featureScopes, qualifiedScopes } from '../../src/microsoft/auth/scopes.ts';
import { MailboxLimiter } from '../../src/microsoft/graph/mailbox-limiter.ts';
import { backoffMs, retryAfterMs } from '../../src/microsoft/graph/retry-after.ts';
import { routeTemplate } from '../../src/microsoft/graph/route-template.ts';
import { isInertValidationToken } from '../../src/microsoft/inbound/validation-token.ts';
import {
  clientStateMatches,
  hashClientState,
  newClientState,
} from '../../src/microsoft/notifications/client-state.ts';
import { decryptResource } from '../../src/microsoft/notifications/decrypt.ts';
import { generateSelfSignedCertificate } from '../../src/microsoft/notifications/self-signed.ts';

describe('route templates (metric labels)', () => {
  it.each([
    ['/users/a11ce000-0000-4000-8000-000000000001/events', '/users/{id}/events'],
    ['/me/events/AAMkAGI2TQ=/accept', '/me/events/{id}/accept'],
    ['/chats/19:abc_def@unq.gbl.spaces/messages/1612289765949', '/chats/{id}/messages/{id}'],
    ['https://graph.microsoft.com/v1.0/users?$skip=2', '/users'],
    ["/teams('x-1')/channels", '/teams({id})/channels'],
    ['/me/calendarView/delta?$deltatoken=abc', '/me/calendarView/delta'],
    ['/users/alice@contoso.example/mailboxSettings', '/users/{id}/mailboxSettings'],
  ])('%s → %s', (path, label) => expect(routeTemplate(path)).toBe(label));
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and backs off exponentially without one', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('0.5', 0)).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect(backoffMs(0, () => 0)).toBe(500);
    expect(backoffMs(3, () => 1)).toBe(8000);
    expect(backoffMs(20, () => 1)).toBe(30_000);
  });
});

describe('mailbox limiter', () => {
  it('admits 4 per key, queues the fifth until a release, and keeps keys apart', async () => {
    const l = new MailboxLimiter(4);
    const held = await Promise.all([1, 2, 3, 4].map(() => l.acquire('m')));
    let fifth = false;
    const waiting = l.acquire('m').then((r) => {
      fifth = true;
      return r;
    });
    const other = await l.acquire('n');
    await new Promise((r) => setTimeout(r, 10));
    expect(fifth).toBe(false);
    expect(l.inFlight('m')).toBe(4);
    held[0]?.();
    (await waiting)();
    expect(fifth).toBe(true);
    for (const r of held.slice(1)) r();
    other();
    expect(l.inFlight('m')).toBe(0);
  });
});

describe('webhook checks', () => {
  it('echoes only inert validation tokens', () => {
    expect(
      isInertValidationToken(
        'Validation: Testing client application reachability for subscription Request-Id: 1-2',
      ),
    ).toBe(true);
    for (const bad of ['', '<b>x</b>', 'a&b', 'x"y', 'tab\there', 'é', 'x'.repeat(1025)]) {
      expect(isInertValidationToken(bad)).toBe(false);
    }
  });

  it('matches clientState against its stored hash only', () => {
    const secret = newClientState();
    const hash = hashClientState(secret);
    expect(hash).not.toContain(secret);
    expect(clientStateMatches(secret, hash)).toBe(true);
    expect(clientStateMatches(`${secret}x`, hash)).toBe(false);
    expect(clientStateMatches(null, hash)).toBe(false);
    expect(clientStateMatches(secret, null)).toBe(false);
  });
});

describe('rich notification crypto', () => {
  it('generates a certificate Node reads, and decrypts what Graph (the sim) encrypts for it', () => {
    const cert = generateSelfSignedCertificate(
      'test',
      new Date(Date.now() - 1000),
      new Date(Date.now() + 86_400_000),
    );
    const x = new X509Certificate(Buffer.from(cert.certificateDer, 'base64'));
    expect(x.subject).toBe('CN=test');
    expect(x.publicKey.asymmetricKeyType).toBe('rsa');
    const resource = { id: '1', body: { content: 'hello' } };
    const content = encryptResource(cert.certificateDer, 'c1', resource);
    expect(decryptResource(content, cert.privateKeyPem)).toEqual(resource);
    const tampered = { ...content, data: Buffer.from(`x${content.data}`).toString('base64') };
    expect(() => decryptResource(tampered, cert.privateKeyPem)).toThrow(
      expect.objectContaining({ code: 'MM365_NOTIFICATION_DECRYPT_FAILED' }),
    );
  });
});

describe('feature scopes', () => {
  it('keeps calendar and Teams consent apart and qualifies scopes for the cloud', () => {
    expect(featureScopes.calendar).not.toContain('Chat.ReadWrite');
    expect(featureScopes.teams).not.toContain('Calendars.ReadWrite');
    expect(qualifiedScopes('calendar', 'https://graph.microsoft.us')).toContain(
      'https://graph.microsoft.us/Calendars.ReadWrite',
    );
    expect(qualifiedScopes('calendar', 'https://graph.microsoft.us')).toContain('offline_access');
  });
});

describe('msal failures → our codes', () => {
  const server = (code: string, aadsts: number) =>
    new msal.ServerError(code, 'corr', `AADSTS${aadsts}: something. Trace ID: x`, undefined, String(aadsts));
  it.each([
    [server('invalid_grant', 700082), 'MM365_MICROSOFT_RECONNECT_REQUIRED', 'refresh_expired'],
    [server('invalid_grant', 70008), 'MM365_MICROSOFT_RECONNECT_REQUIRED', 'refresh_expired'],
    [server('invalid_grant', 50173), 'MM365_MICROSOFT_RECONNECT_REQUIRED', 'revoked'],
    [server('invalid_grant', 50057), 'MM365_MICROSOFT_RECONNECT_REQUIRED', 'account_disabled'],
    [server('invalid_grant', 65001), 'MM365_MICROSOFT_RECONNECT_REQUIRED', 'consent_withdrawn'],
    [server('invalid_grant', 99999), 'MM365_MICROSOFT_RECONNECT_REQUIRED', 'revoked'],
    [server('invalid_client', 7000222), 'MM365_MICROSOFT_CLIENT_CREDENTIALS_INVALID', undefined],
    [server('temporarily_unavailable', 90033), 'MM365_MICROSOFT_AUTH_UNAVAILABLE', undefined],
    [
      new msal.InteractionRequiredAuthError('consent_required', 'needs consent'),
      'MM365_MICROSOFT_RECONNECT_REQUIRED',
      'consent_withdrawn',
    ],
    [new Error('ECONNRESET'), 'MM365_MICROSOFT_AUTH_UNAVAILABLE', undefined],
  ] as const)('%# → %s %s', (err, code, reason) => {
    const mapped = fromMsalError(err, 'test');
    expect(mapped.code).toBe(code);
    if (reason) expect(mapped.details).toMatchObject({ reason });
  });
});
