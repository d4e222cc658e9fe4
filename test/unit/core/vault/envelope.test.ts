import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/core/config/index.ts';
import { AppError } from '../../../../src/core/errors.ts';
import {
  generateVaultKeyEntry,
  parseVaultKey,
  Vault,
  vaultFromConfig,
} from '../../../../src/core/vault/index.ts';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'no error';
}

/** Flips one bit of the base64url segment `part` (1 = key id, 2 = wrapped key, 3 = data). */
function flip(ciphertext: string, part: number, byte: number): string {
  const parts = ciphertext.split('.');
  const raw = Buffer.from(parts[part] as string, 'base64url');
  raw[byte % raw.length] = (raw[byte % raw.length] as number) ^ 0x01;
  parts[part] = raw.toString('base64url');
  return parts.join('.');
}

describe('Vault', () => {
  it('round-trips any text, with the key id in the clear and the text not', () => {
    const vault = new Vault([k1]);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        (text, context) => {
          const sealed = vault.seal(text, context);
          expect(sealed.startsWith('mm365v1.k1.')).toBe(true);
          if (text.length > 3) expect(sealed).not.toContain(text);
          expect(vault.openText(sealed, context)).toEqual({ text, stale: false });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never produces the same ciphertext twice for the same value', () => {
    const vault = new Vault([k1]);
    expect(vault.seal('token', 'c')).not.toBe(vault.seal('token', 'c'));
  });

  it('detects any flipped bit in the wrapped key or the data', () => {
    const vault = new Vault([k1]);
    const sealed = vault.seal('refresh-token-value', 'oauth:1');
    fc.assert(
      fc.property(fc.constantFrom(2, 3), fc.nat(200), (part, byte) => {
        expect(codeOf(() => vault.open(flip(sealed, part, byte), 'oauth:1'))).toBe('MM365_VAULT_TAMPERED');
      }),
      { numRuns: 100 },
    );
  });

  it('detects truncation and a value moved to another record', () => {
    const vault = new Vault([k1]);
    const sealed = vault.seal('secret', 'user:1');
    expect(codeOf(() => vault.open(sealed.slice(0, sealed.length - 4), 'user:1'))).toBe(
      'MM365_VAULT_TAMPERED',
    );
    expect(codeOf(() => vault.open(sealed.replace(/\.[^.]+$/, '.AAAA'), 'user:1'))).toBe(
      'MM365_VAULT_TAMPERED',
    );
    expect(codeOf(() => vault.open(sealed, 'user:2'))).toBe('MM365_VAULT_TAMPERED');
  });

  it('detects a wrong key behind the same id', () => {
    const sealed = new Vault([k1]).seal('secret', 'c');
    const impostor = new Vault([{ id: 'k1', key: randomBytes(32) }]);
    expect(codeOf(() => impostor.open(sealed, 'c'))).toBe('MM365_VAULT_TAMPERED');
  });

  it('names a key id that is not configured', () => {
    const sealed = new Vault([k2]).seal('secret', 'c');
    const err = (() => {
      try {
        new Vault([k1]).open(sealed, 'c');
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(err?.code).toBe('MM365_VAULT_UNKNOWN_KEY');
    expect(err?.message).toContain('"k2"');
  });

  it('refuses what is not a vault ciphertext', () => {
    const vault = new Vault([k1]);
    expect(codeOf(() => vault.open('plain-text-token', 'c'))).toBe('MM365_VAULT_MALFORMED');
    expect(codeOf(() => vault.open('mm365v2.k1.a.b', 'c'))).toBe('MM365_VAULT_MALFORMED');
  });

  it('rotates lazily: old ciphertexts open and report stale, new ones use the new key', () => {
    const before = new Vault([k1]);
    const old = before.seal('secret', 'c');
    const after = new Vault([k2, k1]);
    expect(after.open(old, 'c')).toMatchObject({ keyId: 'k1', stale: true });
    const resealed = after.seal('secret', 'c');
    expect(resealed.split('.')[1]).toBe('k2');
    expect(after.openText(resealed, 'c')).toEqual({ text: 'secret', stale: false });
  });

  it('refuses bad keys', () => {
    expect(codeOf(() => new Vault([]))).toBe('MM365_VAULT_KEY_INVALID');
    expect(codeOf(() => new Vault([{ id: 'k', key: randomBytes(16) }]))).toBe('MM365_VAULT_KEY_INVALID');
    expect(codeOf(() => new Vault([{ id: 'a.b', key: randomBytes(32) }]))).toBe('MM365_VAULT_KEY_INVALID');
    expect(codeOf(() => new Vault([k1, { id: 'k1', key: randomBytes(32) }]))).toBe('MM365_VAULT_KEY_INVALID');
    expect(codeOf(() => parseVaultKey('k1:c2hvcnQ='))).toBe('MM365_VAULT_KEY_INVALID');
  });

  it('parses generated key entries, base64 or base64url', () => {
    const entry = generateVaultKeyEntry('prod1');
    expect(parseVaultKey(entry).key).toHaveLength(32);
    const url = `x:${randomBytes(32).toString('base64url')}`;
    expect(parseVaultKey(url).key).toHaveLength(32);
  });
});

describe('vaultFromConfig', () => {
  it('generates a key file readable only by its owner when no key is configured, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm365-vault-'));
    const config = loadConfig({ env: { MM365_DATA_DIR: dir } });
    const first = vaultFromConfig(config);
    expect(first.keyFile).toBe(join(dir, 'vault.key'));
    expect(statSync(first.keyFile as string).mode & 0o777).toBe(0o600);
    const sealed = first.vault.seal('x', 'c');
    const second = vaultFromConfig(config);
    expect(second.vault.openText(sealed, 'c').text).toBe('x');
    expect(readFileSync(first.keyFile as string, 'utf8')).toMatch(/^local1:/);
  });

  it('keeps the key in memory, writing no file, when the database is in memory', () => {
    const before = existsSync('memory:');
    const { keyFile, vault } = vaultFromConfig(loadConfig({ env: { MM365_DATA_DIR: 'memory://' } }));
    expect(keyFile).toBeUndefined();
    expect(vault.activeKeyId).toBe('memory');
    expect(existsSync('memory:')).toBe(before);
  });

  it('uses configured keys, active first, and no key file', () => {
    const a = generateVaultKeyEntry('a');
    const b = generateVaultKeyEntry('b');
    const { vault, keyFile } = vaultFromConfig(loadConfig({ env: { MM365_ENCRYPTION_KEYS: `${a},${b}` } }));
    expect(keyFile).toBeUndefined();
    expect(vault.activeKeyId).toBe('a');
    expect(vault.keyIds).toEqual(['a', 'b']);
  });
});
