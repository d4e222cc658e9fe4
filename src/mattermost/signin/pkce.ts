import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair (RFC 7636, S256 only: the one method Mattermost accepts). The verifier is 43 base64url chars. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
