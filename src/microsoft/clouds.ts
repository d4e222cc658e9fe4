import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Config } from '../core/config/index.ts';
import { AppError } from '../core/errors.ts';
import './errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

export type MicrosoftConfig = Config['microsoft'];
export type CloudName = MicrosoftConfig['cloud'];

/**
 * Entra ID and Graph hosts of each national cloud (learn.microsoft.com/graph/deployments, checked
 * 2026-11-23). US Government L4 (GCC High) and L5 (DoD) share the Entra host; only Graph differs.
 * `graphResource` is what the `.default` scope and the token audience name: it stays the cloud's even when
 * graphUrl is overridden (a proxy or the simulator still issues tokens for the cloud's Graph).
 */
export const clouds: Record<CloudName, { authorityHost: string; graphResource: string }> = {
  public: {
    authorityHost: 'https://login.microsoftonline.com',
    graphResource: 'https://graph.microsoft.com',
  },
  usgov: { authorityHost: 'https://login.microsoftonline.us', graphResource: 'https://graph.microsoft.us' },
  'usgov-dod': {
    authorityHost: 'https://login.microsoftonline.us',
    graphResource: 'https://dod-graph.microsoft.us',
  },
  china: {
    authorityHost: 'https://login.chinacloudapi.cn',
    graphResource: 'https://microsoftgraph.chinacloudapi.cn',
  },
};

export interface MicrosoftEndpoints {
  cloud: CloudName;
  tenantId: string;
  /** `https://host[:port]/<tenantId>`: msal's authority. */
  authority: string;
  /**
   * Hosts msal must trust without instance discovery: empty for the cloud presets (msal knows them), the
   * overriding host WITH its port otherwise (msal compares host:port).
   */
  knownAuthorities: string[];
  /** Graph base with version and no trailing slash, e.g. `https://graph.microsoft.com/v1.0`. */
  graphBaseUrl: string;
  /** Audience of Graph tokens; `${graphResource}/.default` is the app-only scope. */
  graphResource: string;
  /** JWKS Entra signs tokens (and Graph's validationTokens) with. */
  jwksUrl: string;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/**
 * The endpoints for the configured cloud, with authorityHost/graphUrl overriding the preset. Pure: no I/O.
 * Throws MM365_MICROSOFT_NOT_CONFIGURED when the app registration (tenant, client id, secret) is missing.
 */
export function resolveEndpoints(config: MicrosoftConfig): MicrosoftEndpoints {
  if (!config.tenantId || !config.clientId || !config.clientSecret) {
    throw new AppError(
      'MM365_MICROSOFT_NOT_CONFIGURED',
      'Microsoft 365 is not configured: set microsoft.tenantId, microsoft.clientId and microsoft.clientSecret (MM365_MICROSOFT_*).',
    );
  }
  const preset = clouds[config.cloud];
  const authorityHost = trimSlash(config.authorityHost ?? preset.authorityHost);
  const authority = `${authorityHost}/${config.tenantId}`;
  const overridden =
    config.authorityHost !== undefined && trimSlash(config.authorityHost) !== preset.authorityHost;
  return {
    cloud: config.cloud,
    tenantId: config.tenantId,
    authority,
    knownAuthorities: overridden ? [new URL(authorityHost).host] : [],
    graphBaseUrl: trimSlash(config.graphUrl ?? `${preset.graphResource}/v1.0`),
    graphResource: preset.graphResource,
    jwksUrl: `${authority}/discovery/v2.0/keys`,
  };
}

const bare = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');

/**
 * Adds the PEM certificate(s) in `caFile` to the CAs this process trusts, keeping every CA already trusted
 * (Node's bundle, NODE_EXTRA_CA_CERTS, earlier calls). Both https.request (msal-node) and the global fetch
 * (our Graph client) read this default set, so a corporate TLS-inspecting proxy's CA and the simulator's CA
 * are trusted the same way. Idempotent per file content. Throws MM365_MICROSOFT_CA_FILE_INVALID when the
 * file cannot be read or holds no certificate.
 */
export function trustExtraCa(caFile: string): void {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (cause) {
    throw new AppError('MM365_MICROSOFT_CA_FILE_INVALID', `microsoft.caFile ${caFile} cannot be read.`, {
      cause,
    });
  }
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (certs.length === 0) {
    throw new AppError(
      'MM365_MICROSOFT_CA_FILE_INVALID',
      `microsoft.caFile ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`,
    );
  }
  const current = tls.getCACertificates('default');
  const known = new Set(current.map(bare));
  const fresh = certs.filter((c) => !known.has(bare(c)));
  if (fresh.length > 0) tls.setDefaultCACertificates([...current, ...fresh]);
}
