import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { startSandbox, wantsSandbox } from '../../src/cli/sandbox.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import { createLogger } from '../../src/core/log.ts';

const log = createLogger({ log: { level: 'silent', format: 'json' } });

describe('sandbox', () => {
  it('runs only when neither upstream is configured, and refuses half a configuration', () => {
    expect(wantsSandbox(loadConfig({ env: {} }))).toBe(true);
    const full = loadConfig({
      env: {
        MATTERMOST_URL: 'https://chat.example.com',
        MM365_MATTERMOST_BOT_TOKEN: 'x'.repeat(26),
        AZURE_TENANT_ID: 't',
        AZURE_CLIENT_ID: 'c',
        AZURE_CLIENT_SECRET: 's',
      },
    });
    expect(wantsSandbox(full)).toBe(false);
    expect(() =>
      wantsSandbox(
        loadConfig({ env: { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' } }),
      ),
    ).toThrow(/microsoft.tenantId is set but mattermost.url is not/);
  });

  it('starts both simulators, sets up a system-admin bot as an admin would, and wires the service to them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mm365-sandbox-'));
    const sandbox = await startSandbox(
      loadConfig({
        env: {
          MM365_DATA_DIR: dataDir,
          PORT: '0',
          // The user's own settings are kept: only where to listen, the data folder and the upstreams change.
          MM365_MICROSOFT_FORCE_CONSENT: 'true',
          MM365_MATTERMOST_ADMIN_USER_IDS: 'u'.repeat(26),
          MM365_LOG_ADMIN_LEVEL: 'warn',
        },
      }),
      log,
    );
    try {
      const { config, info } = sandbox;
      expect(config.microsoft.forceConsent).toBe(true);
      expect(config.mattermost.adminUserIds).toEqual(['u'.repeat(26)]);
      expect(config.log.adminLevel).toBe('warn');
      expect(config.mattermost.url).toBe(info.mattermost.url);
      expect(config.microsoft.authorityHost).toBe(new URL(info.microsoft.authority).origin);
      expect(config.microsoft.caFile).toBe(info.microsoft.ca);
      expect(config.server.publicUrl).toBe(info.service);
      expect(config.database.dataDir).toBe(join(dataDir, 'sandbox'));

      // The bot token is a real bot's, with the system admin role the service needs.
      const me = await fetch(`${info.mattermost.url}/api/v4/users/me`, {
        headers: { authorization: `Bearer ${config.mattermost.botToken}` },
      });
      const bot = (await me.json()) as { id: string; is_bot: boolean; roles: string };
      expect(bot).toMatchObject({ id: info.bot.userId, is_bot: true });
      expect(bot.roles.split(' ')).toContain('system_admin');

      // The info file for `mm365 try` is private to its owner.
      expect(statSync(sandbox.infoFile).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(sandbox.infoFile, 'utf8')).mattermost.users.alice.id).toBe(
        info.mattermost.users.alice?.id,
      );

      const app = buildApp(config, { log });
      const { url } = await app.start();
      expect(url).toBe(info.service);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      await app.stop();
    } finally {
      await sandbox.close();
    }
    expect(existsSync(sandbox.infoFile)).toBe(false);
  });
});
