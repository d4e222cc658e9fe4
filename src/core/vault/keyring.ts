import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config/index.ts';
import { AppError } from '../errors.ts';
import { Vault, type VaultKey } from './envelope.ts';

/** Parses `<id>:<base64 or base64url of 32 bytes>`. */
export function parseVaultKey(entry: string): VaultKey {
  const at = entry.indexOf(':');
  const id = entry.slice(0, at);
  const encoded = entry.slice(at + 1);
  const key = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (at <= 0 || key.length !== 32) {
    throw new AppError(
      'MM365_VAULT_KEY_INVALID',
      `Encryption key "${at > 0 ? id : '(no id)'}" must be <id>:<base64 of 32 bytes>. Fix: generate one with \`openssl rand -base64 32\`.`,
    );
  }
  return { id, key };
}

/** Makes a new key entry for MM365_ENCRYPTION_KEYS. */
export function generateVaultKeyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export interface VaultFromConfig {
  vault: Vault;
  /** Set when no key was configured and one was generated or read from dataDir/vault.key. */
  keyFile?: string;
}

/**
 * The vault for this process. Configured keys win. Without any, a key file under dataDir is used, created
 * on first start with mode 0600: the zero-set-up default works, and the warning in the log tells an operator
 * to move the key out of the data folder for production (a key next to the data it protects only guards
 * against a leaked database dump, not a leaked disk).
 */
export function vaultFromConfig(config: Pick<Config, 'vault' | 'database'>): VaultFromConfig {
  if (config.vault.keys.length > 0) return { vault: new Vault(config.vault.keys.map(parseVaultKey)) };
  // An in-memory database (tests) gets an in-memory key: both vanish with the process.
  if (config.database.dataDir === 'memory://')
    return { vault: new Vault([parseVaultKey(generateVaultKeyEntry('memory'))]) };
  const keyFile = join(config.database.dataDir, 'vault.key');
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${generateVaultKeyEntry('local1')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(keyFile, 0o600);
  }
  const entries = readFileSync(keyFile, 'utf8')
    .split(/\s+/)
    .filter((l) => l !== '');
  return { vault: new Vault(entries.map(parseVaultKey)), keyFile };
}
