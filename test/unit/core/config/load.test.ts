import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configKeys, loadConfig, maskedConfig } from '../../../../src/core/config/index.ts';
import { AppError } from '../../../../src/core/errors.ts';

function configFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mm365-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, content);
  return file;
}

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('loadConfig', () => {
  it('gives a default for everything that can have one', () => {
    const config = loadConfig({ env: {} });
    expect(config.server).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      bodyLimitBytes: 1048576,
      shutdownGraceMs: 10000,
    });
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe('./data');
    expect(config.log).toEqual({ level: 'info', format: 'auto', adminLevel: 'none', adminVerbose: false });
    expect(config.vault.keys).toEqual([]);
    expect(config.jobs).toEqual({ schema: 'pgboss', enabled: true });
  });

  it('reads PORT, HOST, DATABASE_URL and LOG_LEVEL', () => {
    const config = loadConfig({
      env: { PORT: '9090', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u:p@db:5432/x', LOG_LEVEL: 'debug' },
    });
    expect(config.server.port).toBe(9090);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.database.url).toBe('postgres://u:p@db:5432/x');
    expect(config.log.level).toBe('debug');
  });

  it('lets the generated MM365_ name win over the conventional alias', () => {
    expect(loadConfig({ env: { PORT: '1', MM365_SERVER_PORT: '2' } }).server.port).toBe(2);
  });

  it('parses booleans and lists from the environment', () => {
    const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    const key2 = `k0:${Buffer.alloc(32, 8).toString('base64')}`;
    const config = loadConfig({
      env: { MM365_JOBS_ENABLED: 'false', MM365_ENCRYPTION_KEYS: ` ${key}, ${key2} ` },
    });
    expect(config.jobs.enabled).toBe(false);
    expect(config.vault.keys).toEqual([key, key2]);
  });

  it('layers defaults < file < environment', () => {
    const file = configFile(
      JSON.stringify({ server: { port: 7000, host: '10.0.0.1' }, log: { format: 'json' } }),
    );
    const config = loadConfig({ file, env: { PORT: '7001' } });
    expect(config.server.port).toBe(7001);
    expect(config.server.host).toBe('10.0.0.1');
    expect(config.log.format).toBe('json');
  });

  it('refuses an invalid value, naming the variable and the fix', () => {
    const err = failure(() => loadConfig({ env: { PORT: 'eighty' } }));
    expect(err.code).toBe('MM365_CONFIG_INVALID');
    expect(err.message).toContain('server.port');
    expect(err.message).toContain('environment variable PORT');
    expect(err.message).toMatch(/Fix: set MM365_SERVER_PORT .* to a value like 8080/);
  });

  it('refuses a port out of range and a bad database URL in one message', () => {
    const err = failure(() => loadConfig({ env: { PORT: '70000', DATABASE_URL: 'mysql://x' } }));
    expect(err.message).toContain('server.port');
    expect(err.message).toContain('database.url');
    expect(err.message).toContain('must start with postgres://');
  });

  it('refuses an unknown MM365_ variable and suggests the nearest key', () => {
    const err = failure(() => loadConfig({ env: { MM365_SERVER_PROT: '1' } }));
    expect(err.code).toBe('MM365_CONFIG_UNKNOWN_KEY');
    expect(err.message).toContain('MM365_SERVER_PROT is not a setting; did you mean MM365_SERVER_PORT?');
  });

  it('ignores variables outside its namespace', () => {
    expect(() => loadConfig({ env: { PATH: '/bin', HOME: '/root', NODE_ENV: 'production' } })).not.toThrow();
  });

  it('refuses an unknown key in the file and suggests the nearest one', () => {
    const file = configFile(JSON.stringify({ server: { prot: 1 } }));
    const err = failure(() => loadConfig({ file, env: {} }));
    expect(err.code).toBe('MM365_CONFIG_UNKNOWN_KEY');
    expect(err.message).toContain('server.prot');
    expect(err.message).toContain('did you mean server.port?');
  });

  it('refuses an unknown section in the file', () => {
    const file = configFile(JSON.stringify({ servr: {} }));
    const err = failure(() => loadConfig({ file, env: {} }));
    expect(err.message).toContain('did you mean server?');
  });

  it('explains a file that is missing or not JSON', () => {
    expect(failure(() => loadConfig({ file: '/nonexistent/mm365.json', env: {} })).code).toBe(
      'MM365_CONFIG_FILE_UNREADABLE',
    );
    const bad = failure(() => loadConfig({ file: configFile('{ port: 1'), env: {} }));
    expect(bad.code).toBe('MM365_CONFIG_FILE_UNREADABLE');
    expect(bad.message).toContain('not valid JSON');
    expect(failure(() => loadConfig({ file: configFile('[1]'), env: {} })).message).toContain(
      'must hold a JSON object',
    );
  });

  it('takes the file from MM365_CONFIG', () => {
    const file = configFile(JSON.stringify({ server: { port: 6000 } }));
    expect(loadConfig({ env: { MM365_CONFIG: file } }).server.port).toBe(6000);
  });

  it('documents every key: description, example and at least one variable', () => {
    for (const k of configKeys) {
      expect(k.meta.description.length, k.path).toBeGreaterThan(10);
      expect(k.meta.example, k.path).not.toBe('');
      expect(k.env[0], k.path).toMatch(/^MM365_[A-Z_]+$/);
    }
  });
});

describe('maskedConfig', () => {
  it('masks secrets but keeps what tells them apart', () => {
    const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
    const config = loadConfig({
      env: { DATABASE_URL: 'postgres://mm:hunter2@db.internal:5432/mm365', MM365_ENCRYPTION_KEYS: key },
    });
    const printed = JSON.stringify(maskedConfig(config));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain(Buffer.alloc(32, 7).toString('base64'));
    const masked = maskedConfig(config);
    expect(masked.database?.url).toBe(
      'postgres:********@db.internal:5432/mm365'.replace('postgres:', 'postgres://'),
    );
    expect(masked.vault?.keys).toEqual(['k1:********']);
    expect(masked.server?.port).toBe(8080);
  });

  it('shows an unset secret as null', () => {
    expect(maskedConfig(loadConfig({ env: {} })).database?.url).toBeNull();
  });
});

describe('upstream sections', () => {
  it('needs the bot token once a Mattermost URL is given', () => {
    const err = failure(() => loadConfig({ env: { MATTERMOST_URL: 'https://chat.example.com' } }));
    expect(err.message).toContain('mattermost.botToken');
    expect(err.message).toContain('is required when mattermost.url is set');
    expect(err.message).toContain('Fix: set MM365_MATTERMOST_BOT_TOKEN');
  });

  it('needs client id and secret once a tenant is given, and takes the Azure SDK variable names', () => {
    const err = failure(() => loadConfig({ env: { AZURE_TENANT_ID: 't1' } }));
    expect(err.message).toContain('microsoft.clientId');
    expect(err.message).toContain('microsoft.clientSecret');
    const ok = loadConfig({
      env: { AZURE_TENANT_ID: 't1', AZURE_CLIENT_ID: 'c1', AZURE_CLIENT_SECRET: 's1' },
    });
    expect(ok.microsoft).toMatchObject({
      cloud: 'public',
      tenantId: 't1',
      clientId: 'c1',
      clientSecret: 's1',
    });
  });

  it('refuses an http authority and an unknown cloud', () => {
    const err = failure(() =>
      loadConfig({
        env: { MM365_MICROSOFT_AUTHORITY_HOST: 'http://login.example', MM365_MICROSOFT_CLOUD: 'mars' },
      }),
    );
    expect(err.message).toContain('microsoft.authorityHost');
    expect(err.message).toContain('microsoft.cloud');
  });

  it('pairs the Mattermost OAuth client id with its secret', () => {
    expect(failure(() => loadConfig({ env: { MM365_MATTERMOST_OAUTH_CLIENT_ID: 'x' } })).message).toContain(
      'mattermost.oauthClientSecret',
    );
  });

  it('reads admin user ids as a trimmed list and checks their shape', () => {
    const id = 'a'.repeat(26);
    expect(
      loadConfig({ env: { MM365_MATTERMOST_ADMIN_USER_IDS: ` ${id} , ${'b'.repeat(26)} ` } }).mattermost
        .adminUserIds,
    ).toEqual([id, 'b'.repeat(26)]);
    expect(
      failure(() => loadConfig({ env: { MM365_MATTERMOST_ADMIN_USER_IDS: 'alice' } })).message,
    ).toContain('must be a 26-character Mattermost user id');
  });

  it('masks the bot token and the client secret', () => {
    const config = loadConfig({
      env: {
        MATTERMOST_URL: 'https://chat.example.com',
        MM365_MATTERMOST_BOT_TOKEN: 'bot-token-1234567890abc',
        AZURE_CLIENT_SECRET: 'cs-123',
      },
    });
    const printed = JSON.stringify(maskedConfig(config));
    expect(printed).not.toContain('bot-token-1234567890abc');
    expect(printed).not.toContain('cs-123');
  });
});
