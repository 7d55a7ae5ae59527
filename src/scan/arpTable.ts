import { readFile } from 'node:fs/promises';
import { isIpv4 } from './ipv4.js';
import type { ScanResult } from './types.js';

/** One complete entry of the kernel neighbour table. */
export interface ArpEntry {
  ip: string;
  /** Lowercase aa:bb:cc:dd:ee:ff. */
  mac: string;
  iface: string;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const INCOMPLETE_MAC = '00:00:00:00:00:00';

/**
 * Parses /proc/net/arp (pure). Columns: IP address, HW type, Flags, HW address, Mask, Device. Incomplete entries
 * (flags 0x0 or an all-zero MAC) and malformed lines are skipped.
 */
export function parseProcNetArp(text: string): ArpEntry[] {
  const out: ArpEntry[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) continue;
    const [ip, , flags, hw, , iface] = cols as [string, string, string, string, string, string];
    if (!isIpv4(ip)) continue; // header line and garbage
    const flagBits = /^0x[0-9a-f]+$/i.test(flags) ? Number.parseInt(flags, 16) : 0;
    if (flagBits === 0) continue;
    const mac = hw.toLowerCase();
    if (!MAC_RE.test(mac) || mac === INCOMPLETE_MAC) continue;
    out.push({ ip, mac, iface });
  }
  return out;
}

/** Reads and parses the kernel ARP table; an absent file (non-Linux) gives an empty table. */
export async function readArpTable(path = '/proc/net/arp'): Promise<ArpEntry[]> {
  try {
    return parseProcNetArp(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Gives hosts that nmap saw without a MAC (unprivileged or routed sweep) the MAC the kernel learned for their IP
 * (pure: returns a new result). An IP with conflicting MACs on several interfaces is left alone.
 */
export function fillMacsFromArp(result: ScanResult, arp: readonly ArpEntry[]): ScanResult {
  const byIp = new Map<string, string | null>();
  for (const e of arp) {
    const prev = byIp.get(e.ip);
    byIp.set(e.ip, prev === undefined || prev === e.mac ? e.mac : null);
  }
  return {
    ...result,
    hosts: result.hosts.map((h) => {
      if (h.mac !== undefined) return h;
      const mac = byIp.get(h.ip);
      return mac ? { ...h, mac } : h;
    }),
  };
}
