import { describe, expect, it } from 'vitest';
import { AppError, defineErrorCodes, registeredErrorCodes } from '../../../src/core/errors.ts';

describe('error codes', () => {
  it('lets a folder define its own codes, which AppError maps to their status', () => {
    const codes = defineErrorCodes('test-folder', {
      MM365_TEST_THROTTLED: { status: 429, doc: 'For this test.' },
    });
    expect(codes.MM365_TEST_THROTTLED).toBe('MM365_TEST_THROTTLED');
    expect(new AppError(codes.MM365_TEST_THROTTLED, 'slow down').status).toBe(429);
    expect(registeredErrorCodes().find(([c]) => c === 'MM365_TEST_THROTTLED')?.[1].owner).toBe('test-folder');
  });

  it('refuses a code defined by two folders', () => {
    expect(() =>
      defineErrorCodes('other-folder', { MM365_CONFIG_INVALID: { status: 400, doc: 'x' } }),
    ).toThrow(/defined by both core and other-folder/);
  });

  it('maps core codes to their status', () => {
    expect(new AppError('MM365_HTTP_NOT_FOUND', 'x').status).toBe(404);
    expect(new AppError('MM365_DB_UNREACHABLE', 'x').status).toBe(503);
  });
});
