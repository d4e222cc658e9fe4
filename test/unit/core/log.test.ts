import { describe, expect, it } from 'vitest';
import { captureLog } from '../../helpers/log.ts';

describe('createLogger', () => {
  it('writes JSON lines with the service name and an ISO time', () => {
    const { log, lines } = captureLog();
    log.info({ user: 'u1' }, 'hello');
    const [line] = lines();
    expect(line).toMatchObject({ level: 30, service: 'mm365', user: 'u1', msg: 'hello' });
    expect(String(line?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('never writes token, secret or password values, at the top level or one level down', () => {
    const { log, lines } = captureLog();
    log.info(
      {
        token: 'tok-1',
        accessToken: 'at-2',
        clientSecret: 'cs-3',
        password: 'pw-4',
        account: { refreshToken: 'rt-5', access_token: 'at-6', secret: 's-7' },
        req: { headers: { authorization: 'Bearer at-8', cookie: 'MMAUTHTOKEN=c-9' } },
      },
      'connect',
    );
    const text = JSON.stringify(lines());
    for (const secret of ['tok-1', 'at-2', 'cs-3', 'pw-4', 'rt-5', 'at-6', 's-7', 'at-8', 'c-9']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('drops lines below the configured level', () => {
    const { log, lines } = captureLog('warn');
    log.info('quiet');
    log.warn('loud');
    expect(lines().map((l) => l.msg)).toEqual(['loud']);
  });
});
