/**
 * IPv6 on the simulated LAN (an optional builder, DESIGN §15): the scanner gets an address in the LAN's ULA
 * prefix, and hosts can be dual-stack (their IPv4 plus a ULA address) or IPv6-only (no IPv4 at all, so no
 * sweep and no ARP ever sees them). Every host and the scanner also have the kernel's EUI-64 link-local
 * address. The prefix is derived like the IPv4 /24: 10.213.<n>.0/24 ↔ fd00:213:<n in hex>::/64, so parallel
 * runs never share one. All of it lives in the LAN's own namespaces (`ip -n <ns>`, argv only).
 */
import { ip } from './ip.js';
import type { SimHost, SimLan } from './sim-lan.js';

export interface Ipv6Lan {
  /** e.g. fd00:213:39::/64 */
  prefix: string;
  /** the scanner's ULA address (…::2) */
  scannerIp6: string;
  /** full address of an interface id in the prefix: addr(0x64) → fd00:213:39::64 */
  addr(id: number): string;
}

export interface Ipv6HostSpec {
  name: string;
  mac: string;
  /** IPv4 last octet / address for a dual-stack host; null for an IPv6-only host */
  ip: string | number | null;
  /** interface ids in the ULA prefix (default: none, link-local only) */
  ula?: number[];
}

export interface Ipv6Host {
  name: string;
  ns: string;
  mac: string;
  /** null for an IPv6-only host */
  ipv4: string | null;
  /** the host's IPv6 addresses: its ULA ones, then its EUI-64 link-local */
  ipv6: string[];
}

function netOf(lan: SimLan): number {
  const m = /^10\.213\.(\d{1,3})\.0\/24$/.exec(lan.subnet);
  if (!m) throw new Error(`simulated LAN subnet ${lan.subnet} is not 10.213.<n>.0/24`);
  return Number(m[1]);
}

/** The EUI-64 link-local address Linux gives an interface with this MAC (addr_gen_mode eui64). */
export function eui64LinkLocal(mac: string): string {
  const b = mac.split(':').map((x) => Number.parseInt(x, 16));
  if (b.length !== 6 || b.some((x) => !Number.isInteger(x) || x < 0 || x > 255))
    throw new Error(`MAC ${mac} is not aa:bb:cc:dd:ee:ff`);
  const [b0, b1, b2, b3, b4, b5] = b as [number, number, number, number, number, number];
  const g = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  const id = [g(b0 ^ 0x02, b1), g(b2, 0xff), g(0xfe, b3), g(b4, b5)];
  // canonical form: leading zero groups of the interface id compress into the "::"
  return new URL(`http://[fe80::${id.join(':')}]/`).hostname.slice(1, -1);
}

function addrOf(prefixHead: string, id: number): string {
  if (!Number.isInteger(id) || id < 1 || id > 0xffff) throw new Error(`interface id ${id} must be 1..0xffff`);
  return `${prefixHead}::${id.toString(16)}`;
}

/** Waits until no address on eth0 of `ns` is still tentative (duplicate address detection done). */
async function settled(ns: string, timeoutMs = 8_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const out = await ip(['-n', ns, '-6', 'addr', 'show', 'dev', 'eth0', 'tentative']);
    const hasLinkLocal = /inet6 fe80::/.test(await ip(['-n', ns, '-6', 'addr', 'show', 'dev', 'eth0']));
    if (out.trim() === '' && hasLinkLocal) return;
    if (Date.now() > until) throw new Error(`IPv6 addresses in ${ns} still tentative after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Give the scanner its ULA address; returns the LAN's IPv6 plan. Call once per LAN. */
export async function enableIpv6(lan: SimLan): Promise<Ipv6Lan> {
  const head = `fd00:213:${netOf(lan).toString(16)}`;
  const scannerIp6 = addrOf(head, 2);
  await ip(['-n', lan.scannerNs, '-6', 'addr', 'add', `${scannerIp6}/64`, 'dev', 'eth0', 'nodad']);
  await settled(lan.scannerNs);
  return { prefix: `${head}::/64`, scannerIp6, addr: (id) => addrOf(head, id) };
}

/**
 * Add a dual-stack (`ip` set) or IPv6-only (`ip: null`) host. An IPv6-only host is made by SimLan.addHost and
 * loses its IPv4 at once: its octet stays reserved in the LAN (so `lan.host(name).ip` names an address nobody
 * holds), but nothing on the wire ever answers for it.
 */
export async function addIpv6Host(lan: SimLan, v6: Ipv6Lan, spec: Ipv6HostSpec): Promise<Ipv6Host> {
  let h: SimHost;
  if (spec.ip === null) {
    // a placeholder octet from the top of the /24, never a default host's
    const used = new Set(lan.hosts.map((x) => x.ip));
    let octet = 250;
    while (used.has(lan.ip(octet))) octet--;
    h = await lan.addHost({ name: spec.name, mac: spec.mac, ip: octet });
    await ip(['-n', h.ns, '-4', 'addr', 'flush', 'dev', 'eth0']);
  } else {
    h = await lan.addHost({ name: spec.name, mac: spec.mac, ip: spec.ip });
  }
  const ula = (spec.ula ?? []).map((id) => v6.addr(id));
  for (const a of ula) await ip(['-n', h.ns, '-6', 'addr', 'add', `${a}/64`, 'dev', 'eth0', 'nodad']);
  await settled(h.ns);
  return {
    name: h.name,
    ns: h.ns,
    mac: h.mac,
    ipv4: spec.ip === null ? null : h.ip,
    ipv6: [...ula, eui64LinkLocal(h.mac)],
  };
}
