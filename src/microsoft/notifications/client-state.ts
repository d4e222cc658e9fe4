import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh clientState for a new subscription: 32 random bytes, base64url (Graph allows up to 128 chars). */
export function newClientState(): string {
  return randomBytes(32).toString('base64url');
}

/** What we store: only the SHA-256, so the database never holds a secret that forges notifications. */
export function hashClientState(clientState: string): string {
  return createHash('sha256').update(clientState, 'utf8').digest('hex');
}

/** Compares a received clientState with the stored hash in constant time (both are 32-byte digests). */
export function clientStateMatches(received: unknown, storedHash: string | null): boolean {
  if (typeof received !== 'string' || !storedHash) return false;
  const a = Buffer.from(hashClientState(received), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
