import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';

/**
 * Tamper-proof, expiring tokens for anything we hand out and later get back: interactive-action context
 * (Mattermost signs nothing it sends us), dialog state, OAuth `state`, single-use sign-in links.
 *
 * Token: base64url(JSON {p: purpose, e: expiry ms, d: data}) "." base64url(HMAC-SHA256). The purpose is
 * inside the MAC, so a token minted for one use (an RSVP button) is refused for another (a sign-in link).
 * Verification compares MACs in constant time and checks the expiry against the caller's clock. The data is
 * readable by whoever holds the token: put ids and choices in it, never secrets.
 */
export class TokenSigner {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < 32) throw new Error('a signing key needs at least 32 bytes');
    this.#key = Buffer.from(key);
  }

  sign<T>(purpose: string, data: T, expiresAt: number): string {
    const body = Buffer.from(JSON.stringify({ p: purpose, e: expiresAt, d: data }), 'utf8').toString(
      'base64url',
    );
    return `${body}.${this.#mac(body)}`;
  }

  /**
   * The data, if the token is intact, was made for `purpose` and has not expired at `now`.
   * Throws MM365_SIGNATURE_INVALID or MM365_SIGNATURE_EXPIRED.
   */
  verify<T>(purpose: string, token: unknown, now: number): T {
    if (typeof token !== 'string' || token.length > 16_384) throw invalid();
    const dot = token.indexOf('.');
    if (dot <= 0) throw invalid();
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let parsed: { p?: unknown; e?: unknown; d?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (parsed.p !== purpose) throw invalid();
    if (typeof parsed.e !== 'number' || parsed.e <= now) {
      throw new AppError('MM365_SIGNATURE_EXPIRED', 'This link or button has expired. Please start again.');
    }
    return parsed.d as T;
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}

function invalid(): AppError {
  return new AppError(
    'MM365_SIGNATURE_INVALID',
    'This link or button is not valid for you. Please start again.',
  );
}
