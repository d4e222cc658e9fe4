/**
 * The sim's RS256 signing key: signs id_tokens, Graph access tokens and the `validationTokens` of rich
 * notifications, and is published in the JWKS. One key per sim instance, generated at start.
 */
import { randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function createSigningKeys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(20).toString('base64url');
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicKey, publicJwk: { ...jwk, kid, kty: 'RSA', use: 'sig', alg: 'RS256' } };
}
