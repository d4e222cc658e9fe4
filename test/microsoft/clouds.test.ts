import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPki } from '../../sim/shared/tls.ts';
import type { Config } from '../../src/core/config/index.ts';
import { resolveEndpoints, trustExtraCa } from '../../src/microsoft/clouds.ts';

const base: Config['microsoft'] = {
  cloud: 'public',
  forceConsent: false,
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: 'c',
  clientSecret: 's',
};

describe('cloud endpoints', () => {
  it.each([
    ['public', 'https://login.microsoftonline.com', 'https://graph.microsoft.com'],
    ['usgov', 'https://login.microsoftonline.us', 'https://graph.microsoft.us'],
    ['usgov-dod', 'https://login.microsoftonline.us', 'https://dod-graph.microsoft.us'],
    ['china', 'https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn'],
  ] as const)('%s uses its own Entra and Graph hosts', (cloud, login, graph) => {
    const e = resolveEndpoints({ ...base, cloud });
    expect(e.authority).toBe(`${login}/${base.tenantId}`);
    expect(e.graphBaseUrl).toBe(`${graph}/v1.0`);
    expect(e.graphResource).toBe(graph);
    expect(e.knownAuthorities).toEqual([]);
    expect(e.jwksUrl).toBe(`${login}/${base.tenantId}/discovery/v2.0/keys`);
  });

  it('lets authorityHost and graphUrl override the preset; msal must then trust host:port', () => {
    const e = resolveEndpoints({
      ...base,
      cloud: 'usgov',
      authorityHost: 'https://login.corp.example:8443/',
      graphUrl: 'https://graph-proxy.corp.example/v1.0/',
    });
    expect(e.authority).toBe(`https://login.corp.example:8443/${base.tenantId}`);
    expect(e.knownAuthorities).toEqual(['login.corp.example:8443']);
    expect(e.graphBaseUrl).toBe('https://graph-proxy.corp.example/v1.0');
    // Tokens are still for the cloud's Graph, whatever host relays them.
    expect(e.graphResource).toBe('https://graph.microsoft.us');
  });

  it('refuses to resolve without an app registration', () => {
    expect(() => resolveEndpoints({ cloud: 'public', forceConsent: false })).toThrow(
      expect.objectContaining({ code: 'MM365_MICROSOFT_NOT_CONFIGURED' }),
    );
  });
});

describe('extra CA file', () => {
  const previous = tls.getCACertificates('default');
  afterEach(() => tls.setDefaultCACertificates(previous));

  it('adds the CA to the process-wide set, keeping the existing ones, once', async () => {
    const pki = await createTestPki('clouds-test');
    const dir = mkdtempSync(join(tmpdir(), 'mm365-ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, pki.caPem);
    const bare = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
    const before = new Set(tls.getCACertificates('default').map(bare));
    trustExtraCa(file);
    trustExtraCa(file);
    const after = tls.getCACertificates('default').map(bare);
    expect(after.filter((c) => c === bare(pki.caPem))).toHaveLength(1);
    expect([...before].every((c) => after.includes(c))).toBe(true);
  });

  it('fails with a coded error on a missing file or one without a certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm365-ca-'));
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate');
    expect(() => trustExtraCa(join(dir, 'nope.pem'))).toThrow(
      expect.objectContaining({ code: 'MM365_MICROSOFT_CA_FILE_INVALID' }),
    );
    expect(() => trustExtraCa(empty)).toThrow(
      expect.objectContaining({ code: 'MM365_MICROSOFT_CA_FILE_INVALID' }),
    );
  });
});
