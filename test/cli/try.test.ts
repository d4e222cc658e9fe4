import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.ts';
import { runTry } from '../../src/cli/commands/try.ts';
import { type Sandbox, startSandbox } from '../../src/cli/sandbox.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import { createLogger } from '../../src/core/log.ts';

const log = createLogger({ log: { level: 'silent', format: 'json' } });

describe('mm365 try', () => {
  let sandbox: Sandbox;
  let app: App;
  let commandServer: Server;

  beforeAll(async () => {
    sandbox = await startSandbox(
      loadConfig({ env: { MM365_DATA_DIR: mkdtempSync(join(tmpdir(), 'mm365-try-')), PORT: '0' } }),
      log,
    );
    app = buildApp(sandbox.config, { log });
    // A page chain on the service that needs the cookie its first hop sets, as a sign-in chain does.
    app.http.get('/hello', async (_req, reply) =>
      reply.header('set-cookie', 'seen=1; Path=/; HttpOnly').redirect('/hello/page'),
    );
    app.http.get('/hello/page', async (req, reply) =>
      reply
        .type('text/html')
        .send(
          `<html><body><h1>Hello</h1><p>cookie ${req.headers.cookie?.includes('seen=1') ? 'kept' : 'lost'}</p></body></html>`,
        ),
    );
    await app.start();
    // A stand-in slash command whose reply carries a link to the service, registered as an admin would.
    commandServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          response_type: 'ephemeral',
          text: `Open ${sandbox.info.service}/hello to continue.`,
        }),
      );
    });
    await new Promise<void>((r) => commandServer.listen(0, '127.0.0.1', r));
    const port = (commandServer.address() as { port: number }).port;
    const mm = sandbox.info.mattermost;
    const res = await fetch(`${mm.url}/api/v4/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mm.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        team_id: mm.teams.acme?.id,
        trigger: 'hello',
        method: 'P',
        url: `http://127.0.0.1:${port}/`,
      }),
    });
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
    commandServer?.close();
  });

  it('runs the command as the user, shows the ephemeral reply, and follows its link with cookies', async () => {
    const lines: string[] = [];
    const code = await runTry(
      sandbox.info,
      '/hello',
      { as: 'alice', channel: 'town-square', wait: 0.5, follow: true },
      (l) => lines.push(l),
    );
    const out = lines.join('\n');
    expect(code).toBe(0);
    expect(out).toContain('alice types in ~town-square: /hello');
    expect(out).toContain(`Open ${sandbox.info.service}/hello to continue.`);
    expect(out).toMatch(/\[only you see, from .*\]/);
    expect(out).toContain(`alice opens ${sandbox.info.service}/hello`);
    expect(out).toContain(`302 ${sandbox.info.service}/hello → ${sandbox.info.service}/hello/page`);
    expect(out).toContain(`200 ${sandbox.info.service}/hello/page: Hello cookie kept`);
  });

  it('shows the form a command opens, with its fields and defaults', async () => {
    const typed = async (command: string) => {
      const lines: string[] = [];
      await runTry(
        sandbox.info,
        command,
        { as: 'carol', channel: 'town-square', wait: 0.7, follow: true },
        (l) => lines.push(l),
      );
      return lines.join('\n');
    };
    expect(await typed('/mscalendar connect')).toContain('✅ Connected to Microsoft Calendar');
    const out = await typed('/mscalendar event create');
    expect(out).toContain('[Mattermost opens a form] dialog "Create calendar event"');
    expect(out).toMatch(/\n {4}Subject \(text\)\n/);
    expect(out).toMatch(/Date \(text\): \d{4}-\d{2}-\d{2}/);
    expect(out).toContain('buttons: [Create]');
  });

  it('says so when Mattermost has no such command', async () => {
    const lines: string[] = [];
    const code = await runTry(
      sandbox.info,
      '/nosuchthing now',
      { as: 'bob', channel: 'town-square', wait: 0, follow: true },
      (l) => lines.push(l),
    );
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/Mattermost answered 404: .*nosuchthing/);
  });

  it('refuses an unknown user, channel or a text without a slash', async () => {
    const lines: string[] = [];
    const opts = { as: 'mallory', channel: 'town-square', wait: 0, follow: true };
    expect(await runTry(sandbox.info, '/hello', opts, (l) => lines.push(l))).toBe(2);
    expect(
      await runTry(sandbox.info, '/hello', { ...opts, as: 'alice', channel: 'nope' }, (l) => lines.push(l)),
    ).toBe(2);
    expect(await runTry(sandbox.info, 'hello', { ...opts, as: 'alice' }, (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toContain('No demo user "mallory"');
    expect(lines[1]).toContain('No channel "nope"');
    expect(lines[2]).toContain('starts with "/"');
  });
});
