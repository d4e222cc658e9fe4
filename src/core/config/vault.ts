import { z } from 'zod';
import { key } from './key-meta.ts';

/**
 * Encryption keys for secrets at rest. Each entry is `<id>:<base64 of 32 random bytes>`; the first is the
 * active key (new ciphertexts use it), the rest only decrypt and are replaced lazily as values are read.
 * Rotation: put a new key first, keep the old one after it until `mm365 doctor` reports no value uses it.
 */
export const vaultSection = z.strictObject({
  keys: key(
    z
      .array(
        z.string().regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{40,}$/, 'must look like <id>:<base64 key>'),
      )
      .default([]),
    {
      description:
        'Encryption keys as <id>:<base64 32-byte key>, active key first, comma-separated in the environment. When empty, a key is generated once into dataDir/vault.key (fine for a trial, not for production).',
      env: ['MM365_ENCRYPTION_KEYS'],
      example: 'k2026:8mP1m0r2b5m1kYtY0mC3xQ0e8mTqvGd7X0v4e1rN2aE=',
      secret: true,
      envKind: 'list',
    },
  ),
});
