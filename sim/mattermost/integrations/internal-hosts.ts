import { BlockList, isIP } from 'node:net';

/**
 * The server's outbound guard (`httpservice`): integration callbacks may not reach loopback, private,
 * link-local or otherwise reserved addresses unless `ServiceSettings.AllowedUntrustedInternalConnections` lists
 * the host name, the IP, or a CIDR containing it (entries separated by spaces or commas).
 */
const reserved = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  reserved.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  reserved.addSubnet(net, prefix, 'ipv6');
}

export function isReservedIp(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  if (family === 6 && ip.toLowerCase().startsWith('::ffff:')) return isReservedIp(ip.slice(7));
  return reserved.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** True when `host` (as written in the URL) or one of its resolved `ips` is listed in the allow-list. */
export function isAllowedInternal(allowList: string, host: string, ips: string[]): boolean {
  const entries = allowList.split(/[\s,]+/).filter((e) => e !== '');
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  for (const entry of entries) {
    const e = entry.toLowerCase();
    if (e === bare) return true;
    if (ips.includes(e)) return true;
    const slash = e.indexOf('/');
    if (slash > 0) {
      const net = e.slice(0, slash);
      const prefix = Number(e.slice(slash + 1));
      const family = isIP(net);
      if (family === 0 || !Number.isInteger(prefix)) continue;
      const list = new BlockList();
      list.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
      if (ips.some((ip) => isIP(ip) === family && list.check(ip, family === 4 ? 'ipv4' : 'ipv6')))
        return true;
    }
  }
  return false;
}
