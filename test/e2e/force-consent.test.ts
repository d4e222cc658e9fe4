import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { runTry } from '../../src/cli/commands/try.ts';
import type { Sandbox } from '../../src/cli/sandbox.ts';
import { Browser } from '../../src/cli/try/browser.ts';
import { createLogger } from '../../src/core/log.ts';
import { startProduct } from './product.ts';

const log = createLogger({ log: { level: 'silent', format: 'json' } });

/**
 * microsoft.forceConsent (the Calendar plugin's OAuth2ForceConsent): the Entra sign-in asks for consent every
 * time (prompt=consent); off by default, where the authorize request carries no prompt.
 */
describe.each([
  ['true', 'consent'],
  ['false', null],
])('microsoft.forceConsent=%s', (setting, prompt) => {
  let sandbox: Sandbox;
  let app: App;

  beforeAll(async () => {
    ({ sandbox, app } = await startProduct(log, 0, (c) => ({
      ...c,
      microsoft: { ...c.microsoft, forceConsent: setting === 'true' },
    })));
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
  });

  it(`the authorize request carries prompt=${prompt ?? '(none)'}`, async () => {
    const lines: string[] = [];
    await runTry(
      sandbox.info,
      '/mscalendar connect',
      { as: 'bob', channel: 'town-square', wait: 0.7, follow: false },
      (l) => lines.push(l),
    );
    const link = lines.join('\n').match(/\((http:\/\/[^)\s]+\/mattermost\/signin\?[^)\s]+)\)/)?.[1];
    expect(link).toBeDefined();
    const browser = new Browser();
    const me = sandbox.info.mattermost.users.bob as { token: string };
    browser.setCookie(sandbox.info.mattermost.url, 'MMAUTHTOKEN', me.token);
    const hops = await browser.open(link as string);
    const authorize = hops.find((h) => h.location?.includes('/oauth2/v2.0/authorize'))?.location;
    expect(authorize).toBeDefined();
    expect(new URL(authorize as string).searchParams.get('prompt')).toBe(prompt);
    // The sign-in still completes either way.
    expect(hops.at(-1)?.text).toContain('Connected to Microsoft Calendar');
  });
});
