/**
 * DHCP (BOOTP) client message parser (pure). Everything in a packet is hostile: lengths are checked against
 * the buffer, strings are cleaned and capped, unknown options are skipped, nothing throws.
 * Only client messages (op 1, Ethernet hardware addresses) are returned; anything else is `null`.
 */
import { normalizeMac } from '../inventory/mac.js';
import { cleanNetworkText } from '../inventory/text.js';

/** Largest datagram looked at (a DHCP message over Ethernet fits in 1500; larger is dropped). */
export const DHCP_MAX_BYTES = 4096;
const MAGIC = 0x63825363;
const OPTIONS_AT = 240;

export const DHCP_MESSAGE_TYPES = {
  1: 'discover',
  3: 'request',
  4: 'decline',
  7: 'release',
  8: 'inform',
} as const;
export type DhcpMessageType = (typeof DHCP_MESSAGE_TYPES)[keyof typeof DHCP_MESSAGE_TYPES];

export interface DhcpClientMessage {
  /** chaddr, lowercase aa:bb:cc:dd:ee:ff */
  mac: string;
  type: DhcpMessageType;
  /** option 12, cleaned (≤ 63 characters) */
  hostname: string | null;
  /** option 61 as lowercase hex (type byte first), ≤ 64 bytes */
  clientId: string | null;
  /** option 55 in the order the client sent it: the core of its fingerprint */
  paramList: number[];
  /** option 60, cleaned (≤ 64 characters) */
  vendorClass: string | null;
  /** option 50, or ciaddr when the client already holds an address */
  ip: string | null;
}

function ipv4At(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function usableIp(ip: string): string | null {
  if (ip === '0.0.0.0' || ip === '255.255.255.255') return null;
  const first = Number(ip.split('.')[0]);
  if (first === 0 || first === 127 || first >= 224) return null;
  return ip;
}

export function parseDhcp(buf: Buffer): DhcpClientMessage | null {
  if (!Buffer.isBuffer(buf) || buf.length < OPTIONS_AT + 1 || buf.length > DHCP_MAX_BYTES) return null;
  if (buf[0] !== 1 || buf[1] !== 1 || buf[2] !== 6) return null;
  if (buf.readUInt32BE(236) !== MAGIC) return null;
  const mac = normalizeMac(buf.subarray(28, 34).toString('hex'));
  if (!mac) return null;
  let type: DhcpMessageType | null = null;
  let hostname: string | null = null;
  let clientId: string | null = null;
  let paramList: number[] = [];
  let vendorClass: string | null = null;
  let requested: string | null = null;
  let i = OPTIONS_AT;
  const seen = new Set<number>();
  while (i < buf.length) {
    const code = buf[i] as number;
    if (code === 255) break;
    if (code === 0) {
      i++;
      continue;
    }
    if (i + 1 >= buf.length) break;
    const len = buf[i + 1] as number;
    const start = i + 2;
    const end = start + len;
    if (end > buf.length) break; // truncated option: stop, keep what was read
    i = end;
    if (seen.has(code)) continue; // the first occurrence wins; no concatenation games
    seen.add(code);
    const v = buf.subarray(start, end);
    switch (code) {
      case 53:
        if (len === 1) type = DHCP_MESSAGE_TYPES[v[0] as keyof typeof DHCP_MESSAGE_TYPES] ?? null;
        break;
      case 12:
        hostname = cleanNetworkText(v.toString('latin1'), 63);
        break;
      case 61:
        if (len >= 2) clientId = v.subarray(0, 64).toString('hex');
        break;
      case 55:
        paramList = [...v];
        break;
      case 60:
        vendorClass = cleanNetworkText(v.toString('latin1'), 64);
        break;
      case 50:
        if (len === 4) requested = usableIp(ipv4At(v, 0));
        break;
    }
  }
  if (!type) return null;
  const ciaddr = usableIp(ipv4At(buf, 12));
  return { mac, type, hostname, clientId, paramList, vendorClass, ip: requested ?? ciaddr };
}

/**
 * The fingerprint that links a rotated private MAC to its device: option 55 in order, hostname and client
 * id. A client id that embeds the MAC itself (type 1 + the 6 bytes) rotates with it, so it is left out.
 */
export function dhcpFingerprint(
  m: Pick<DhcpClientMessage, 'mac' | 'hostname' | 'clientId' | 'paramList'>,
): string | null {
  const cid = m.clientId && m.clientId !== `01${m.mac.replace(/:/g, '')}` ? m.clientId : '';
  if (!m.hostname && !cid) return null; // option 55 alone is shared by every phone of one OS version
  return `${m.paramList.join(',')}|${(m.hostname ?? '').toLowerCase()}|${cid}`;
}
