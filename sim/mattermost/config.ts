/**
 * The slice of the Mattermost server config the simulator honours, with the server's own section and key names
 * so a seed file or a control-API patch reads like a `config.json` excerpt.
 *
 * Defaults are the real server's defaults (model/config.go), not the demo's: the demo seed turns on what the
 * product needs (bots, PATs, loopback callbacks). Tests that want production strictness get it by default.
 */
export interface SimConfig {
  ServiceSettings: {
    SiteURL: string;
    EnableBotAccountCreation: boolean;
    EnableUserAccessTokens: boolean;
    EnableOAuthServiceProvider: boolean;
    EnablePostUsernameOverride: boolean;
    EnablePostIconOverride: boolean;
    EnableCommands: boolean;
    EnableIncomingWebhooks: boolean;
    /** Space- or comma-separated hosts, IPs or CIDRs that integration callbacks may reach although private. */
    AllowedUntrustedInternalConnections: string;
    /** Seconds: callback timeout and trigger_id lifetime. */
    OutgoingIntegrationRequestsTimeout: number;
    ExperimentalEnableHardenedMode: boolean;
    /** Seconds; -1 means no limit. */
    PostEditTimeLimit: number;
    /** Hours an OAuth access token (an SSO session) lives. */
    SessionLengthSSOInHours: number;
    /** Hours a password login session lives. */
    SessionLengthWebInHours: number;
  };
  TeamSettings: {
    EnableCustomUserStatuses: boolean;
    /** Seconds without activity after which an automatically online user reads as away. */
    UserStatusAwayTimeout: number;
  };
  PrivacySettings: {
    ShowEmailAddress: boolean;
    ShowFullName: boolean;
  };
  FileSettings: {
    /** Bytes. */
    MaxFileSize: number;
  };
  RateLimitSettings: {
    Enable: boolean;
    PerSec: number;
    MaxBurst: number;
    VaryByUser: boolean;
  };
  /** Simulator-only switches (not in the real config). */
  SimSettings: {
    /** Skip the OAuth consent page: `GET /oauth/authorize` with a session redirects straight to the client. */
    OAuthAutoApprove: boolean;
    /** Lifetime of an inactive WebSocket connection's resume state, ms (server: ~5 min). */
    WebSocketResumeWindowMs: number;
    /** How long an unauthenticated socket may wait for `authentication_challenge`, ms (server: 5 s). */
    WebSocketAuthTimeoutMs: number;
  };
}

export function defaultConfig(siteUrl = ''): SimConfig {
  return {
    ServiceSettings: {
      SiteURL: siteUrl,
      EnableBotAccountCreation: false,
      EnableUserAccessTokens: false,
      EnableOAuthServiceProvider: true,
      EnablePostUsernameOverride: false,
      EnablePostIconOverride: false,
      EnableCommands: true,
      EnableIncomingWebhooks: true,
      AllowedUntrustedInternalConnections: '',
      OutgoingIntegrationRequestsTimeout: 30,
      ExperimentalEnableHardenedMode: false,
      PostEditTimeLimit: -1,
      SessionLengthSSOInHours: 720,
      SessionLengthWebInHours: 720,
    },
    TeamSettings: { EnableCustomUserStatuses: true, UserStatusAwayTimeout: 300 },
    PrivacySettings: { ShowEmailAddress: true, ShowFullName: true },
    FileSettings: { MaxFileSize: 100 * 1024 * 1024 },
    RateLimitSettings: { Enable: false, PerSec: 10, MaxBurst: 100, VaryByUser: false },
    SimSettings: {
      OAuthAutoApprove: false,
      WebSocketResumeWindowMs: 5 * 60 * 1000,
      WebSocketAuthTimeoutMs: 5000,
    },
  };
}

export type ConfigPatch = { [S in keyof SimConfig]?: Partial<SimConfig[S]> };

/**
 * Applies a patch section by section. Unknown sections or keys, and values whose type differs from the default's,
 * are refused with a message naming them (and nothing is applied): a typo in a seed must not silently leave
 * production behaviour on.
 */
export function applyConfigPatch(config: SimConfig, patch: unknown): void {
  if (patch === undefined || patch === null) return;
  if (typeof patch !== 'object' || Array.isArray(patch))
    throw new TypeError('config patch must be an object');
  const target = config as unknown as Record<string, Record<string, unknown>>;
  // Validate everything first, so a bad patch changes nothing.
  const sections = Object.entries(patch).map(([section, values]) => {
    const current = target[section];
    if (!current) throw new TypeError(`unknown config section ${section}`);
    if (typeof values !== 'object' || values === null)
      throw new TypeError(`config section ${section} must be an object`);
    for (const [key, value] of Object.entries(values)) {
      if (!(key in current)) throw new TypeError(`unknown config key ${section}.${key}`);
      if (typeof value !== typeof current[key]) {
        throw new TypeError(`config key ${section}.${key} must be a ${typeof current[key]}`);
      }
    }
    return [current, values] as const;
  });
  for (const [current, values] of sections) Object.assign(current, values);
}
