/**
 * Where msal's serialized token cache lives, one entry per partition (one connected user). The edge only
 * sees plaintext JSON; the implementation (src/store/microsoft-token-cache.ts) seals it with the vault,
 * bound to the partition key, so a row copied to another user does not open.
 *
 * Contract: `load` of an unknown partition is undefined; `save` replaces the entry (last writer wins: two
 * replicas refreshing at once both hold valid refresh tokens, Entra does not revoke the older one);
 * `delete` of an unknown partition is not an error.
 */
export interface TokenCacheStore {
  load(partition: string): Promise<string | undefined>;
  save(partition: string, serialized: string): Promise<void>;
  delete(partition: string): Promise<void>;
}
