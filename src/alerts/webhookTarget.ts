/**
 * Where a webhook may not go (DESIGN §8): the service's own listeners (its bound ports on any address of
 * this machine: loopback, the unspecified address, any interface address) and link-local addresses
 * (169.254.0.0/16 with the cloud metadata service 169.254.169.254, fe80::/10), plus addresses that are
 * never a receiver (unspecified, multicast, broadcast). Checked on the resolved address of every request,
 * redirects included; the connection then goes to exactly the address that was checked.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface TargetPolicy {
  /** ports this service listens on (HTTP, API port, embedded broker) */
  ownPorts: () => ReadonlySet<number>;
  /** addresses of this machine; defaults to every interface address plus loopback */
  localAddresses?: () => ReadonlySet<string>;
}

export class RefusedTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedTargetError';
  }
}

function v4Parts(ip: string): number[] | null {
  const p = ip.split('.').map(Number);
  return p.length === 4 && p.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? p : null;
}

/** `::ffff:1.2.3.4` (or its hex form) → `1.2.3.4`; anything else unchanged, lower-cased. */
export function unmapAddress(ip: string): string {
  const a = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) return dotted[1] as string;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const hi = Number.parseInt(hex[1] as string, 16);
    const lo = Number.parseInt(hex[2] as string, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return a;
}

function isLoopback(ip: string): boolean {
  const p = v4Parts(ip);
  if (p) return p[0] === 127;
  return ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

function isUnspecified(ip: string): boolean {
  const p = v4Parts(ip);
  if (p) return p[0] === 0;
  return ip === '::' || ip === '0:0:0:0:0:0:0:0';
}

/** Why an address is never a webhook receiver, or null. */
function neverReceiver(ip: string): string | null {
  const p = v4Parts(ip);
  if (p) {
    if (p[0] === 169 && p[1] === 254)
      return ip === '169.254.169.254'
        ? 'the cloud metadata address 169.254.169.254'
        : `the link-local address ${ip}`;
    if ((p[0] as number) >= 224) return `the multicast/reserved address ${ip}`;
    return null;
  }
  if (/^fe[89ab][0-9a-f]:/.test(ip)) return `the link-local address ${ip}`;
  if (ip.startsWith('ff')) return `the multicast address ${ip}`;
  if (ip === 'fd00:ec2::254') return `the cloud metadata address ${ip}`;
  return null;
}

function defaultLocalAddresses(): ReadonlySet<string> {
  const s = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) s.add(unmapAddress(a.address.split('%')[0] as string));
  return s;
}

/** Why `ip:port` may not receive a webhook, or null when it may. */
export function refusalFor(ipIn: string, port: number, policy: TargetPolicy): string | null {
  const ip = unmapAddress(ipIn);
  if (isUnspecified(ip))
    return policy.ownPorts().has(port)
      ? `${ip} port ${port} is LAN Sentinel's own listener`
      : `the unspecified address ${ip}`;
  const never = neverReceiver(ip);
  if (never) return never;
  if (policy.ownPorts().has(port)) {
    const local = isLoopback(ip) || (policy.localAddresses ?? defaultLocalAddresses)().has(ip);
    if (local) return `${ip} port ${port} is LAN Sentinel's own listener`;
  }
  return null;
}

export function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * Resolve the URL's host and check every address it resolves to; returns the address to connect to.
 * Throws RefusedTargetError naming the address and the reason.
 */
export async function resolveTarget(
  url: URL,
  policy: TargetPolicy,
): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = defaultPort(url);
  const addrs: Array<{ address: string; family: number }> = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await dnsLookup(host, { all: true, verbatim: true });
  if (addrs.length === 0) throw new Error(`${host} does not resolve`);
  for (const a of addrs) {
    const why = refusalFor(a.address, port, policy);
    if (why)
      throw new RefusedTargetError(
        isIP(host) ? `webhook URL refused: ${why}` : `webhook URL refused: ${host} resolves to ${why}`,
      );
  }
  const first = addrs[0] as { address: string; family: number };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
