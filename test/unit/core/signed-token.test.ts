import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.ts';
import { TokenSigner } from '../../../src/core/signed-token.ts';

const signer = new TokenSigner(randomBytes(32));
const now = Date.UTC(2026, 10, 23, 12);

function code(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
}

describe('TokenSigner', () => {
  it('round-trips data for its purpose until it expires', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ minLength: 1, maxLength: 20 }), (data, purpose) => {
        const token = signer.sign(purpose, data, now + 1000);
        expect(signer.verify(purpose, token, now)).toEqual(JSON.parse(JSON.stringify(data)));
      }),
    );
  });

  it('refuses a token made for another purpose', () => {
    const token = signer.sign('rsvp', { eventId: 'e1' }, now + 1000);
    expect(code(() => signer.verify('signin-link', token, now))).toBe('MM365_SIGNATURE_INVALID');
  });

  it('refuses an expired token, at the exact expiry too', () => {
    const token = signer.sign('rsvp', {}, now);
    expect(code(() => signer.verify('rsvp', token, now))).toBe('MM365_SIGNATURE_EXPIRED');
    expect(code(() => signer.verify('rsvp', token, now - 1))).toBe('accepted');
  });

  it('refuses any change to the body or the signature', () => {
    const token = signer.sign('rsvp', { user: 'alice', response: 'accept' }, now + 60_000);
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom('A', 'b', '0', '-', '.'), (i, c) => {
        if (token[i] === c) return;
        const changed = token.slice(0, i) + c + token.slice(i + 1);
        // Base64url has padding-free slack in its last character; a change that decodes to the same bytes is the same token.
        const same = (s: string) =>
          s
            .split('.')
            .map((p) => Buffer.from(p, 'base64url').toString('hex'))
            .join('.');
        if (same(changed) === same(token)) return;
        expect(code(() => signer.verify('rsvp', changed, now))).toBe('MM365_SIGNATURE_INVALID');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a token with its data swapped for other data', () => {
    const token = signer.sign('rsvp', { user: 'alice' }, now + 60_000);
    const forged = `${Buffer.from(JSON.stringify({ p: 'rsvp', e: now + 60_000, d: { user: 'bob' } })).toString('base64url')}.${token.split('.')[1]}`;
    expect(code(() => signer.verify('rsvp', forged, now))).toBe('MM365_SIGNATURE_INVALID');
  });

  it('refuses tokens from another key, and junk of any shape', () => {
    const other = new TokenSigner(randomBytes(32)).sign('rsvp', {}, now + 1000);
    expect(code(() => signer.verify('rsvp', other, now))).toBe('MM365_SIGNATURE_INVALID');
    for (const junk of [
      undefined,
      null,
      42,
      '',
      '.',
      'abc',
      'a.b',
      `${'x'.repeat(20_000)}.y`,
      { token: 'x' },
    ]) {
      expect(code(() => signer.verify('rsvp', junk, now))).toBe('MM365_SIGNATURE_INVALID');
    }
  });

  it('needs a key of at least 32 bytes', () => {
    expect(() => new TokenSigner(randomBytes(16))).toThrow(/32 bytes/);
  });
});
