/**
 * mDNS (RFC 6762) message parser (pure): which host names and services a sender announces.
 * Hostile input: compression pointers are followed at most a fixed number of times and only backwards, names
 * and counts are capped, every read is bounds-checked, nothing throws.
 */
import { cleanNetworkText } from '../inventory/text.js';

export const MDNS_MAX_BYTES = 9000;
const MAX_RECORDS = 64;
const MAX_POINTER_HOPS = 16;
const MAX_NAME = 255;
const MAX_ITEMS = 16;

export interface MdnsAnnouncement {
  /** host names with an address record (A/AAAA), lowercase, e.g. "iphone-von-anna.local" */
  hosts: string[];
  /** IPv4 per announced host name */
  addresses: Array<{ name: string; ip: string }>;
  /** IPv6 addresses announced (AAAA) */
  ipv6: string[];
  /** service types, e.g. "_airplay._tcp" */
  services: string[];
  /** service instance names as shown to people, e.g. "Living Room" */
  instances: string[];
}

interface Name {
  name: string;
  next: number;
}

function readName(b: Buffer, at: number): Name | null {
  const labels: string[] = [];
  let pos = at;
  let next = -1;
  let hops = 0;
  let total = 0;
  for (;;) {
    if (pos >= b.length) return null;
    const len = b[pos] as number;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= b.length) return null;
      const target = ((len & 0x3f) << 8) | (b[pos + 1] as number);
      if (next < 0) next = pos + 2;
      // only backwards, a bounded number of times: no loops
      if (target >= pos || ++hops > MAX_POINTER_HOPS) return null;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return null;
    if (pos + 1 + len > b.length) return null;
    total += len + 1;
    if (total > MAX_NAME) return null;
    labels.push(b.subarray(pos + 1, pos + 1 + len).toString('utf8'));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next };
}

function clean(s: string, max = 120): string | null {
  return cleanNetworkText(s, max);
}

function pushUnique(list: string[], v: string | null): void {
  if (v && list.length < MAX_ITEMS && !list.includes(v)) list.push(v);
}

function ipv6(b: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(i).toString(16));
  return parts
    .join(':')
    .replace(/(^|:)0(:0)+(:|$)/, '::')
    .replace(/:{3,}/, '::');
}

/** Service type of a name such as "Living Room._airplay._tcp.local" → "_airplay._tcp". */
function serviceType(name: string): string | null {
  const m = /(?:^|\.)(_[a-z0-9-]{1,63}\._(?:tcp|udp))\.local$/i.exec(name);
  return m ? (m[1] as string).toLowerCase() : null;
}

export function parseMdns(buf: Buffer): MdnsAnnouncement | null {
  if (!Buffer.isBuffer(buf) || buf.length < 12 || buf.length > MDNS_MAX_BYTES) return null;
  const qd = buf.readUInt16BE(4);
  const rr = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  const out: MdnsAnnouncement = { hosts: [], addresses: [], ipv6: [], services: [], instances: [] };
  let pos = 12;
  for (let i = 0; i < Math.min(qd, MAX_RECORDS); i++) {
    const n = readName(buf, pos);
    if (!n || n.next + 4 > buf.length) return out;
    pos = n.next + 4;
  }
  for (let i = 0; i < Math.min(rr, MAX_RECORDS); i++) {
    const n = readName(buf, pos);
    if (!n || n.next + 10 > buf.length) break;
    const type = buf.readUInt16BE(n.next);
    const rdlen = buf.readUInt16BE(n.next + 8);
    const rdata = n.next + 10;
    if (rdata + rdlen > buf.length) break;
    pos = rdata + rdlen;
    const owner = n.name.toLowerCase();
    if (type === 1 && rdlen === 4 && owner.endsWith('.local')) {
      const host = clean(owner, 253);
      const ip = `${buf[rdata]}.${buf[rdata + 1]}.${buf[rdata + 2]}.${buf[rdata + 3]}`;
      pushUnique(out.hosts, host);
      if (
        host &&
        out.addresses.length < MAX_ITEMS &&
        !out.addresses.some((a) => a.name === host && a.ip === ip)
      )
        out.addresses.push({ name: host, ip });
    } else if (type === 28 && rdlen === 16 && owner.endsWith('.local')) {
      pushUnique(out.hosts, clean(owner, 253));
      pushUnique(out.ipv6, ipv6(buf.subarray(rdata, rdata + 16)));
    } else if (type === 12) {
      const target = readName(buf, rdata);
      if (!target) continue;
      if (owner === '_services._dns-sd._udp.local') {
        pushUnique(out.services, serviceType(`${target.name}`) ?? null);
        continue;
      }
      const st = serviceType(owner);
      if (!st) continue;
      pushUnique(out.services, st);
      const suffix = `.${st}.local`;
      const t = target.name;
      if (t.toLowerCase().endsWith(suffix))
        pushUnique(out.instances, clean(t.slice(0, t.length - suffix.length), 63));
    } else if (type === 33 && rdlen >= 7) {
      const st = serviceType(owner);
      if (st) pushUnique(out.services, st);
      const target = readName(buf, rdata + 6);
      if (target?.name.toLowerCase().endsWith('.local'))
        pushUnique(out.hosts, clean(target.name.toLowerCase(), 253));
    }
  }
  return out;
}

/** "anna-iphone.local" → "anna-iphone" (the name shown for a device). */
export function mdnsHostLabel(host: string): string {
  return host.endsWith('.local') ? host.slice(0, -'.local'.length) : host;
}
