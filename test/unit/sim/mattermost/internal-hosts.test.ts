import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAllowedInternal, isReservedIp } from '../../../../sim/mattermost/integrations/internal-hosts.ts';

describe('mattermost sim: outbound guard for integration callbacks', () => {
  it('treats loopback, private, link-local, CGNAT and unique-local addresses as reserved', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isReservedIp(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '1.1.1.1']) {
      expect(isReservedIp(ip), ip).toBe(false);
    }
  });

  it('never reserves an address outside the listed ranges (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 11, max: 99 }), fc.nat(255), fc.nat(255), fc.nat(255), (a, b, c, d) => {
        expect(isReservedIp(`${a}.${b}.${c}.${d}`)).toBe(false);
      }),
    );
  });

  it('allows by host name, by exact IP and by CIDR, separated by spaces or commas', () => {
    expect(isAllowedInternal('localhost', 'localhost', ['127.0.0.1'])).toBe(true);
    expect(isAllowedInternal('127.0.0.1', 'localhost', ['127.0.0.1'])).toBe(true);
    expect(isAllowedInternal('10.0.0.0/8,192.168.0.0/16', 'svc.internal', ['10.9.8.7'])).toBe(true);
    expect(isAllowedInternal('::1', '[::1]', ['::1'])).toBe(true);
    expect(isAllowedInternal('', 'localhost', ['127.0.0.1'])).toBe(false);
    expect(isAllowedInternal('10.0.0.0/8 example.internal', '127.0.0.1', ['127.0.0.1'])).toBe(false);
    expect(isAllowedInternal('localhost', '127.0.0.1', ['127.0.0.1'])).toBe(false);
  });
});
