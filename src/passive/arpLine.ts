/**
 * One line of `tcpdump -l -e -n arp` (pure): who (MAC, IPv4) is on the link. Hostile: the line is text a peer
 * shaped; only well-formed addresses are taken, anything else is `null`.
 *
 *   12:00:00.000000 02:42:ac:11:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.1 tell 10.0.0.2, length 28
 *   12:00:00.000000 02:42:ac:11:00:03 > 02:42:ac:11:00:02, ethertype ARP (0x0806), length 42: Reply 10.0.0.1 is-at 02:42:ac:11:00:03, length 28
 */
import { normalizeMac } from '../inventory/mac.js';

export const ARP_LINE_MAX = 512;

export interface ArpSighting {
  mac: string;
  /** the sender's IPv4; null for an ARP probe (sender 0.0.0.0) */
  ip: string | null;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEAD =
  /^\S+ ([0-9a-f]{2}(?::[0-9a-f]{2}){5}) > [0-9a-f:]{17}, ethertype ARP \(0x0806\), length \d+: (.*)$/i;
const REQUEST = /^Request who-has (\S+) (?:\(\S+\) )?tell (\S+),/;
const REPLY = /^Reply (\S+) is-at ([0-9a-f]{2}(?::[0-9a-f]{2}){5}),/i;

function ip(s: string | undefined): string | null {
  if (!s || !IPV4.test(s) || s === '0.0.0.0') return null;
  return s;
}

export function parseArpLine(line: string): ArpSighting | null {
  if (typeof line !== 'string' || line.length > ARP_LINE_MAX) return null;
  const h = HEAD.exec(line.trim());
  if (!h) return null;
  const src = normalizeMac(h[1] as string);
  if (!src) return null;
  const body = h[2] as string;
  const rq = REQUEST.exec(body);
  if (rq) return { mac: src, ip: ip(rq[2]) };
  const rp = REPLY.exec(body);
  if (rp) {
    // the claimed MAC must be the frame's sender: a reply on behalf of another MAC is not a sighting of either
    const claimed = normalizeMac(rp[2] as string);
    if (claimed !== src) return null;
    return { mac: src, ip: ip(rp[1]) };
  }
  return null;
}
