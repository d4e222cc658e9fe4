import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

/**
 * Envelope encryption for secrets at rest (tokens, client secrets, private keys).
 *
 * Each value gets a fresh 256-bit data key; the value is sealed with it (AES-256-GCM), and the data key is
 * wrapped with a key-encryption key from the keyring (AES-256-GCM too). The ciphertext names the wrapping key's
 * id, so the keyring can hold several keys and rotation is lazy: open() reports `stale` when the value was
 * wrapped with a key that is no longer the active one, and the caller writes back seal(plaintext).
 *
 * `context` is bound into the authenticated data: a value sealed for one row/column ("oauth_token:42:refresh")
 * does not open under another, so ciphertexts cannot be swapped between rows by someone with database access.
 *
 * Format (ASCII, safe in a text column): mm365v1.<keyId>.<b64url(iv|wrappedKey|tag)>.<b64url(iv|data|tag)>
 */
const version = 'mm365v1';
const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;

export interface VaultKey {
  /** Short id stored in every ciphertext: [A-Za-z0-9_-]{1,32}. */
  id: string;
  key: Buffer;
}

export interface Opened {
  plaintext: Buffer;
  keyId: string;
  /** True when the value was wrapped with a key other than the active one: re-seal and store it. */
  stale: boolean;
}

export class Vault {
  readonly #keys: Map<string, Buffer>;
  readonly activeKeyId: string;

  /** @param keys active key first; at least one. */
  constructor(keys: readonly VaultKey[]) {
    const first = keys[0];
    if (!first) throw new AppError('MM365_VAULT_KEY_INVALID', 'The vault needs at least one encryption key.');
    this.#keys = new Map();
    for (const k of keys) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(k.id)) {
        throw new AppError(
          'MM365_VAULT_KEY_INVALID',
          `Encryption key id "${k.id}" must be 1–32 of A-Z a-z 0-9 _ -.`,
        );
      }
      if (k.key.length !== keyBytes) {
        throw new AppError(
          'MM365_VAULT_KEY_INVALID',
          `Encryption key "${k.id}" must be 32 bytes, got ${k.key.length}.`,
        );
      }
      if (this.#keys.has(k.id))
        throw new AppError('MM365_VAULT_KEY_INVALID', `Encryption key id "${k.id}" is listed twice.`);
      this.#keys.set(k.id, Buffer.from(k.key));
    }
    this.activeKeyId = first.id;
  }

  /** The ids of every configured key, active first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  /** Encrypts `plaintext` for storage under `context` with the active key. */
  seal(plaintext: string | Buffer, context: string): string {
    const kek = this.#keys.get(this.activeKeyId) as Buffer;
    const dataKey = randomBytes(keyBytes);
    try {
      const wrapped = gcmSeal(kek, dataKey, Buffer.from(`${version}|dek|${this.activeKeyId}`));
      const data = gcmSeal(
        dataKey,
        Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8'),
        aad(this.activeKeyId, context),
      );
      return `${version}.${this.activeKeyId}.${wrapped.toString('base64url')}.${data.toString('base64url')}`;
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Decrypts a value sealed under the same `context`.
   * Throws MM365_VAULT_MALFORMED (not our format), MM365_VAULT_UNKNOWN_KEY (its key is not configured) or
   * MM365_VAULT_TAMPERED (any bit changed, wrong context, or a different key under the same id).
   */
  open(ciphertext: string, context: string): Opened {
    const parts = ciphertext.split('.');
    if (parts.length !== 4 || parts[0] !== version) {
      throw new AppError(
        'MM365_VAULT_MALFORMED',
        'The stored value is not a vault ciphertext (mm365v1.<key>.<key>.<data>).',
      );
    }
    const [, keyId, wrappedText, dataText] = parts as [string, string, string, string];
    const kek = this.#keys.get(keyId);
    if (!kek) {
      throw new AppError(
        'MM365_VAULT_UNKNOWN_KEY',
        `The stored value was encrypted with key "${keyId}", which is not in the configured keys (${this.keyIds.join(', ')}). Fix: add that key back to MM365_ENCRYPTION_KEYS after the active one.`,
        { details: { keyId } },
      );
    }
    const dataKey = gcmOpen(
      kek,
      Buffer.from(wrappedText, 'base64url'),
      Buffer.from(`${version}|dek|${keyId}`),
    );
    try {
      const plaintext = gcmOpen(dataKey, Buffer.from(dataText, 'base64url'), aad(keyId, context));
      return { plaintext, keyId, stale: keyId !== this.activeKeyId };
    } finally {
      dataKey.fill(0);
    }
  }

  /** open() for UTF-8 text values. */
  openText(ciphertext: string, context: string): { text: string; stale: boolean } {
    const { plaintext, stale } = this.open(ciphertext, context);
    return { text: plaintext.toString('utf8'), stale };
  }
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${version}|data|${keyId}|${context}`, 'utf8');
}

function gcmSeal(key: Buffer, plaintext: Buffer, additional: Buffer): Buffer {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(additional);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function gcmOpen(key: Buffer, sealed: Buffer, additional: Buffer): Buffer {
  if (sealed.length < ivBytes + tagBytes) {
    throw new AppError('MM365_VAULT_TAMPERED', 'The stored value is truncated and cannot be decrypted.');
  }
  const iv = sealed.subarray(0, ivBytes);
  const tag = sealed.subarray(sealed.length - tagBytes);
  const body = sealed.subarray(ivBytes, sealed.length - tagBytes);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(additional);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new AppError(
      'MM365_VAULT_TAMPERED',
      'The stored value failed authentication: it was changed, belongs to another record, or the key with its id is not the one that sealed it.',
      { cause },
    );
  }
}
