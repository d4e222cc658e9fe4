import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { type Config, loadConfig } from '../core/config/index.ts';
import type { Logger } from '../core/log.ts';
import { trustExtraCa } from '../microsoft/index.ts';
import type { Check } from '../wiring/doctor.ts';

/**
 * The sandbox: with neither Mattermost nor Microsoft configured, `npm start` runs both simulators in this
 * process with their demo seeds and wires the service to them, as an admin would wire a real deployment:
 * a bot account created over REST, promoted to system admin, given an access token; the Entra app's ids and
 * secret; the simulator's CA as the extra CA. The service itself cannot tell it is in a sandbox.
 *
 * The simulators keep nothing across restarts, so the sandbox's database (dataDir/sandbox) is wiped at each
 * start, and dataDir/sandbox.json (mode 0600) tells `mm365 try` where everything is.
 */
export interface SandboxInfo {
  service: string;
  mattermost: {
    url: string;
    users: Record<string, { id: string; token: string; password: string }>;
    adminToken: string;
    teams: Record<string, { id: string; channels: Record<string, string> }>;
  };
  microsoft: {
    authority: string;
    graph: string;
    control: string;
    controlToken: string;
    ca: string;
    users: Record<string, { id: string; mail: string }>;
  };
  bot: { userId: string; username: string };
}

export interface Sandbox {
  config: Config;
  info: SandboxInfo;
  /** Where the info file was written. */
  infoFile: string;
  close(): Promise<void>;
}

/** True when the config names neither upstream: run the sandbox. One without the other is a config mistake. */
export function wantsSandbox(config: Config): boolean {
  const mm = config.mattermost.url !== undefined;
  const ms = config.microsoft.tenantId !== undefined;
  if (mm !== ms) {
    throw new Error(
      mm
        ? 'mattermost.url is set but microsoft.tenantId is not: configure both for a real deployment, or neither for the sandbox.'
        : 'microsoft.tenantId is set but mattermost.url is not: configure both for a real deployment, or neither for the sandbox.',
    );
  }
  return !mm;
}

async function freePort(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => done(port));
    });
  });
}

async function mmApi<T>(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${url}/api/v4${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox set-up: ${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function simControl(
  control: string,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<void> {
  const res = await fetch(`${control}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(
      `sandbox set-up: ${method} ${path} on the Microsoft simulator answered ${res.status}: ${await res.text()}`,
    );
  }
}

export async function startSandbox(base: Config, log: Logger): Promise<Sandbox> {
  // Loaded lazily: the simulators are test infrastructure, never part of a real deployment's process.
  const { startMicrosoftSim } = await import('../../sim/microsoft/index.ts');
  const { startMattermostSim } = await import('../../sim/mattermost/index.ts');
  const microsoft = await startMicrosoftSim({ port: 0 });
  const mattermost = await startMattermostSim({ port: 0 }).catch(async (err: unknown) => {
    await microsoft.close();
    throw err;
  });
  try {
    const mm = mattermost.ready;
    const bot = await mmApi<{ user_id: string; username: string }>(mm.url, mm.adminToken, 'POST', '/bots', {
      username: 'microsoft365',
      display_name: 'Microsoft 365',
      description: 'Outlook Calendar and Microsoft Teams for Mattermost',
    });
    await mmApi(mm.url, mm.adminToken, 'PUT', `/users/${bot.user_id}/roles`, {
      roles: 'system_user system_admin',
    });
    for (const team of Object.values(mm.teams)) {
      await mmApi(mm.url, mm.adminToken, 'POST', `/teams/${team.id}/members`, {
        team_id: team.id,
        user_id: bot.user_id,
      });
    }
    const token = await mmApi<{ token: string }>(
      mm.url,
      mm.adminToken,
      'POST',
      `/users/${bot.user_id}/tokens`,
      {
        description: 'mattermost-m365 sandbox',
      },
    );

    const port = base.server.port === 0 ? await freePort(base.server.host) : base.server.port;
    const service = base.server.publicUrl ?? `http://${base.server.host}:${port}`;
    const dataDir = base.database.dataDir;
    const sandboxData = join(dataDir, 'sandbox');
    rmSync(sandboxData, { recursive: true, force: true });
    const ms = microsoft.ready;
    // What the service does with microsoft.caFile at start, done now so set-up calls can reach the simulator.
    trustExtraCa(ms.ca);
    // "Sign in with Mattermost": a trusted OAuth app (no consent screen), registered as an admin would.
    const oauthApp = await mmApi<{ id: string; client_secret: string }>(
      mm.url,
      mm.adminToken,
      'POST',
      '/oauth/apps',
      {
        name: 'Microsoft 365',
        description: 'mattermost-m365 sandbox',
        homepage: service,
        callback_urls: [`${service}/mattermost/oauth/callback`],
        is_trusted: true,
      },
    );
    // The Entra app registration gets our redirect URI for connecting accounts; webhooks may be plain HTTP
    // (the real Graph calls only HTTPS notification URLs; the sandbox service speaks HTTP on loopback).
    await simControl(ms.control, ms.controlToken, 'POST', `/apps/${ms.app.clientId}/redirect-uris`, {
      uri: `${service}/connect/microsoft/callback`,
    });
    await simControl(ms.control, ms.controlToken, 'PATCH', '/settings', { allowHttpNotificationUrl: true });
    const wired = loadConfig({
      env: {
        PORT: String(port),
        HOST: base.server.host,
        MM365_SERVER_PUBLIC_URL: service,
        MM365_DATA_DIR: sandboxData,
        LOG_LEVEL: base.log.level,
        MM365_LOG_FORMAT: base.log.format,
        MATTERMOST_URL: mm.url,
        MM365_MATTERMOST_BOT_TOKEN: token.token,
        MM365_MATTERMOST_OAUTH_CLIENT_ID: oauthApp.id,
        MM365_MATTERMOST_OAUTH_CLIENT_SECRET: oauthApp.client_secret,
        AZURE_TENANT_ID: ms.tenantId,
        AZURE_CLIENT_ID: ms.app.clientId,
        AZURE_CLIENT_SECRET: ms.app.clientSecret,
        MM365_MICROSOFT_AUTHORITY_HOST: new URL(ms.authority).origin,
        MM365_MICROSOFT_GRAPH_URL: ms.graph,
        MM365_MICROSOFT_CA_FILE: ms.ca,
      },
    });
    // What the sandbox decides (where to listen, its own data folder, the simulators and their credentials)
    // over everything else the user configured (admins, log DMs, accounts policy, forceConsent, jobs…).
    const config: Config = {
      ...base,
      server: {
        ...base.server,
        port: wired.server.port,
        host: wired.server.host,
        publicUrl: wired.server.publicUrl,
      },
      database: wired.database,
      vault: wired.vault,
      mattermost: {
        ...base.mattermost,
        url: wired.mattermost.url,
        botToken: wired.mattermost.botToken,
        oauthClientId: wired.mattermost.oauthClientId,
        oauthClientSecret: wired.mattermost.oauthClientSecret,
      },
      microsoft: {
        ...base.microsoft,
        cloud: wired.microsoft.cloud,
        tenantId: wired.microsoft.tenantId,
        clientId: wired.microsoft.clientId,
        clientSecret: wired.microsoft.clientSecret,
        authorityHost: wired.microsoft.authorityHost,
        graphUrl: wired.microsoft.graphUrl,
        caFile: wired.microsoft.caFile,
      },
    };
    const info: SandboxInfo = {
      service,
      mattermost: { url: mm.url, users: mm.users, adminToken: mm.adminToken, teams: mm.teams },
      microsoft: {
        authority: ms.authority,
        graph: ms.graph,
        control: ms.control,
        controlToken: ms.controlToken,
        ca: ms.ca,
        users: ms.users,
      },
      bot: { userId: bot.user_id, username: bot.username },
    };
    mkdirSync(dataDir, { recursive: true });
    const infoFile = resolve(join(dataDir, 'sandbox.json'));
    writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    chmodSync(infoFile, 0o600);
    log.info(
      { mattermost: mm.url, microsoft: ms.authority, service },
      'sandbox: simulators started with demo data',
    );
    return {
      config,
      info,
      infoFile,
      async close() {
        await Promise.allSettled([mattermost.close(), microsoft.close()]);
        rmSync(infoFile, { force: true });
      },
    };
  } catch (err) {
    await Promise.allSettled([mattermost.close(), microsoft.close()]);
    throw err;
  }
}

/** What to print once the sandbox is up: where things are and what to try. */
export function sandboxBanner(s: Sandbox, checks: readonly Check[] = []): string {
  const users = Object.keys(s.info.mattermost.users).filter((u) => u !== 'sysadmin');
  return [
    '',
    'Sandbox ready: mattermost-m365 is wired to simulated Mattermost and Microsoft 365 servers (demo data).',
    `  service             ${s.info.service}   (/healthz, /readyz, /metrics)`,
    `  Mattermost (sim)    ${s.info.mattermost.url}   users: ${users.join(', ')}`,
    `  Microsoft 365 (sim) ${s.info.microsoft.authority}`,
    `  details             ${s.infoFile}`,
    '',
    ...(checks.length > 0
      ? ['doctor:', ...checks.map((c) => `  ${c.status.toUpperCase().padEnd(4)}  ${c.name}: ${c.detail}`), '']
      : []),
    'Try, in another terminal:',
    '  npm run mm365 -- try --as alice "/mscalendar connect"',
    '  npm run mm365 -- try --as alice "/msteams status"',
    '',
  ].join('\n');
}
