import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEndpoints } from '../../../src/microsoft/clouds.ts';
import {
  graphChangeTrackingAppId,
  ValidationTokenVerifier,
} from '../../../src/microsoft/notifications/validation-tokens.ts';
import { type MsHarness, startMsHarness } from '../harness.ts';

/** validationTokens signed with the sim's Entra key (fetched by the verifier from the sim's JWKS). */
describe('validationTokens of rich notifications', () => {
  let h: MsHarness;
  let verifier: ValidationTokenVerifier;
  beforeAll(async () => {
    h = await startMsHarness('pglite');
    const e = resolveEndpoints(h.microsoft);
    verifier = new ValidationTokenVerifier({
      jwksUrl: e.jwksUrl,
      clientId: h.microsoft.clientId ?? '',
      tenantId: e.tenantId,
      authorityHost: new URL(e.authority).origin,
    });
  });
  afterAll(() => h.close());

  async function token(
    overrides: Record<string, unknown> = {},
    key = h.sim.context.keys.privateKey,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const tid = h.sim.ready.tenantId;
    return new SignJWT({
      aud: h.microsoft.clientId,
      iss: `https://sts.windows.net/${tid}/`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      appid: graphChangeTrackingAppId,
      azp: graphChangeTrackingAppId,
      tid,
      ...overrides,
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: h.sim.context.keys.kid })
      .sign(key);
  }

  it('accepts tokens from Graph change tracking for our app and tenant', async () => {
    expect(await verifier.verifyAll([await token(), await token()])).toBe(true);
  });

  it.each([
    ['another audience', { aud: '00000000-0000-4000-8000-000000000000' }],
    ['another issuer', { iss: 'https://sts.windows.net/00000000-0000-4000-8000-000000000000/' }],
    [
      'another caller app',
      { appid: 'f00d0000-0000-4000-8000-000000000000', azp: 'f00d0000-0000-4000-8000-000000000000' },
    ],
    [
      'an expired token',
      {
        exp: Math.floor(Date.now() / 1000) - 3600,
        iat: Math.floor(Date.now() / 1000) - 7200,
        nbf: Math.floor(Date.now() / 1000) - 7200,
      },
    ],
  ])('refuses %s', async (_what, overrides) => {
    expect(await verifier.verifyAll([await token(), await token(overrides)])).toBe(false);
  });

  it('refuses a token not signed by Entra, and an empty list', async () => {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    expect(await verifier.verifyAll([await token({}, privateKey)])).toBe(false);
    expect(await verifier.verifyAll([])).toBe(false);
  });
});
