import { randomBytes } from 'node:crypto';
import { Vault } from '../../src/core/vault/index.ts';
import { figure } from './report.ts';

/** Seal and open throughput for a refresh-token-sized value (about 1.5 KB, as Entra issues). */
export async function vaultBench(): Promise<void> {
  const vault = new Vault([{ id: 'k1', key: randomBytes(32) }]);
  const token = randomBytes(1100).toString('base64url');
  const n = 20_000;
  const sealed: string[] = [];
  let t = performance.now();
  for (let i = 0; i < n; i++) sealed.push(vault.seal(token, `oauth_token:${i}`));
  figure('vault seal (1.5 KB token)', n / ((performance.now() - t) / 1000), 'ops/s', `${n} values`);
  t = performance.now();
  for (let i = 0; i < n; i++) vault.open(sealed[i] as string, `oauth_token:${i}`);
  figure('vault open (1.5 KB token)', n / ((performance.now() - t) / 1000), 'ops/s', `${n} values`);
  figure('vault ciphertext overhead', (sealed[0] as string).length - token.length, 'bytes', 'per value');
}
