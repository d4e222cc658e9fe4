export { type Opened, Vault, type VaultKey } from './envelope.ts';
export { generateVaultKeyEntry, parseVaultKey, type VaultFromConfig, vaultFromConfig } from './keyring.ts';
