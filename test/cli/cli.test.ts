import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.ts';
import { freePort } from '../helpers/free-port.ts';
import { waitFor } from '../helpers/wait.ts';

const main = resolve(import.meta.dirname, '../../src/main.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mm365 …` as a child process on the same Node that runs the tests (24, via npm). */
function mm365(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [main, ...args], { env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' };
  return { ...env, ...extra };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mm365-cli-'));
}

describe('mm365 CLI', () => {
  it('has --help for the program and every command', async () => {
    const top = await mm365(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['start', 'migrate', 'config', 'doctor', 'sim']) expect(top.stdout).toContain(cmd);
    for (const cmd of [
      ['start'],
      ['migrate'],
      ['config', 'print'],
      ['doctor'],
      ['sim', 'microsoft'],
      ['sim', 'mattermost'],
    ]) {
      const help = await mm365([...cmd, '--help']);
      expect(help.code, cmd.join(' ')).toBe(0);
      expect(help.stdout).toContain(`Usage: mm365 ${cmd.join(' ')}`);
    }
  });

  it('config print shows the effective config with secrets masked', async () => {
    const run = await mm365(['config', 'print'], {
      DATABASE_URL: 'postgres://mm:hunter2@db:5432/mm365',
      PORT: '9999',
    });
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.server.port).toBe(9999);
    expect(printed.database.url).toBe('postgres://********@db:5432/mm365');
    expect(run.stdout).not.toContain('hunter2');
  });

  it('stops with exit code 2 and a message naming the key and the fix on bad config', async () => {
    const run = await mm365(['config', 'print'], { PORT: 'abc' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('server.port from environment variable PORT');
    expect(run.stderr).toContain('Fix: set MM365_SERVER_PORT');
    const unknown = await mm365(['start'], { MM365_LOG_LEVLE: 'debug' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean MM365_LOG_LEVEL?');
  });

  it('migrate applies the schema once, then reports nothing to apply', async () => {
    const dir = tempDir();
    const first = await mm365(['migrate'], { MM365_DATA_DIR: dir });
    expect(first.stdout).toContain(`pglite database: applied ${Object.keys(migrations).sort().join(', ')}`);
    expect(first.code).toBe(0);
    const second = await mm365(['migrate'], { MM365_DATA_DIR: dir });
    expect(second.stdout).toContain(`nothing to apply; schema at ${Object.keys(migrations).sort().at(-1)}`);
  });

  it('doctor checks the database, says when no upstream is configured, and names the fix on a failure', async () => {
    const ok = await mm365(['doctor'], { MM365_DATA_DIR: tempDir() });
    expect(ok.stdout).toMatch(/^PASS {2}database: pglite reachable; schema at \S+/m);
    expect(ok.stdout).toContain('WARN  upstreams: Neither Mattermost nor Microsoft 365 is configured');
    expect(ok.code).toBe(0);
    const bad = await mm365(['doctor'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL {2}database: .*\n {6}fix: Check DATABASE_URL/);
  });

  it('sim microsoft|mattermost prints exactly one JSON ready line, and exits 0 on SIGTERM', async () => {
    for (const [name, key] of [
      ['microsoft', 'authority'],
      ['mattermost', 'url'],
    ] as const) {
      const child = spawn(process.execPath, [main, 'sim', name, '--port', '0'], { env: cleanEnv({}) });
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
      });
      const exited = new Promise<number | null>((r) => child.on('close', r));
      try {
        await waitFor(`the ${name} simulator`, () => out.includes('\n'), 20_000);
        const ready = JSON.parse(out.trim());
        expect(ready.ready).toBe(true);
        expect(ready[key]).toMatch(/^https?:\/\/127\.0\.0\.1:\d+/);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(out.trim().split('\n')).toHaveLength(1);
      } finally {
        child.kill('SIGKILL');
      }
    }
    const bad = await mm365(['sim', 'mattermost', '--port', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('must be a port number');
  }, 60_000);

  it('start serves on PORT and exits 0 after draining on SIGTERM', async () => {
    const dir = tempDir();
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [main, 'start'], {
      env: cleanEnv({ MM365_DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'info' }),
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c) => {
      out += c;
    });
    child.stderr?.on('data', (c) => {
      err += c;
    });
    let code: number | null | undefined;
    const exited = new Promise<number | null>((r) =>
      child.on('close', (c) => {
        code = c;
        r(c);
      }),
    );
    try {
      // A process that dies before listening fails the test at once, with what it printed.
      await waitFor(
        'the service to listen',
        () => {
          if (code !== undefined)
            throw new Error(`start exited with ${code} before listening:\n${out}\n${err}`);
          return out.includes('mm365 is listening');
        },
        40_000,
      );
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      child.kill('SIGTERM');
      const exitCode = await exited;
      expect(exitCode, `stderr:\n${err}\nlog (end):\n${out.slice(-4000)}`).toBe(0);
      expect(out).toContain('"msg":"mm365 stopped"');
    } finally {
      child.kill('SIGKILL');
    }
    // A whole process: with no upstream configured it starts the sandbox (two simulators) before listening.
  }, 60_000);
});
