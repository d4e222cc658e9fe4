import { describe, expect, it } from 'vitest';
import { checkEmailPolicy, isIntegrationAdmin } from '../../../../src/core/accounts/index.ts';
import { loadConfig } from '../../../../src/core/config/index.ts';
import { AppError } from '../../../../src/core/errors.ts';

const strict = { requireMatchingEmail: true, allowList: [] as string[] };

function code(fn: () => void): string {
  try {
    fn();
    return 'allowed';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
}

describe('checkEmailPolicy', () => {
  it('accepts a matching mail, case and spaces aside', () => {
    expect(
      code(() =>
        checkEmailPolicy(strict, ' Alice@Contoso.com', { mail: 'alice@contoso.COM', userPrincipalName: 'x' }),
      ),
    ).toBe('allowed');
  });

  it('falls back to the UPN when the account has no mail', () => {
    expect(
      code(() =>
        checkEmailPolicy(strict, 'alice@contoso.com', { mail: null, userPrincipalName: 'Alice@contoso.com' }),
      ),
    ).toBe('allowed');
  });

  it('refuses a different address by default, naming both addresses', () => {
    try {
      checkEmailPolicy(strict, 'alice@contoso.com', {
        mail: 'alice.private@outlook.com',
        userPrincipalName: 'x',
      });
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).code).toBe('MM365_ACCOUNT_EMAIL_MISMATCH');
      expect((err as AppError).message).toContain('alice.private@outlook.com');
      expect((err as AppError).message).toContain('alice@contoso.com');
    }
  });

  it('accepts a different address when the admin allows it (the Microsoft sign-in proves ownership)', () => {
    const relaxed = { ...strict, requireMatchingEmail: false };
    expect(
      code(() =>
        checkEmailPolicy(relaxed, 'alice@contoso.com', {
          mail: 'alice@fabrikam.com',
          userPrincipalName: 'x',
        }),
      ),
    ).toBe('allowed');
  });

  it('limits connecting to the allow-list of e-mails and @domains', () => {
    const listed = { requireMatchingEmail: false, allowList: ['bob@contoso.com', '@fabrikam.com'] };
    const ms = { mail: 'x@y.com', userPrincipalName: 'x' };
    expect(code(() => checkEmailPolicy(listed, 'Bob@Contoso.com', ms))).toBe('allowed');
    expect(code(() => checkEmailPolicy(listed, 'carol@fabrikam.com', ms))).toBe('allowed');
    expect(code(() => checkEmailPolicy(listed, 'carol@contoso.com', ms))).toBe('MM365_ACCOUNT_NOT_ALLOWED');
    expect(code(() => checkEmailPolicy(listed, 'eve@notfabrikam.com', ms))).toBe('MM365_ACCOUNT_NOT_ALLOWED');
  });
});

describe('isIntegrationAdmin', () => {
  const config = loadConfig({ env: { MM365_MATTERMOST_ADMIN_USER_IDS: ` ${'a'.repeat(26)} ` } });
  it('counts system admins and listed ids, nobody else', () => {
    expect(isIntegrationAdmin({ id: 'z'.repeat(26), roles: 'system_user system_admin' }, config)).toBe(true);
    expect(isIntegrationAdmin({ id: 'a'.repeat(26), roles: 'system_user' }, config)).toBe(true);
    expect(isIntegrationAdmin({ id: 'b'.repeat(26), roles: 'system_user team_admin' }, config)).toBe(false);
  });
});
