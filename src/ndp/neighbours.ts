/**
 * Parsers (pure) for what NDP discovery reads: the kernel's IPv6 neighbour table as `ip -6 neigh show` prints
 * it, and the reply lines of an all-nodes ping. Both carry addresses and MACs chosen by whoever is on the link:
 * every field is checked against a strict form, anything else on a line is ignored, lines and entries are
 * capped, and a line that does not parse is skipped (counted), never guessed at.
 */
import { canonicalIpv6 } from './ipv6.js';

/** Kernel neighbour states (NUD_*) as iproute2 prints them. */
export const NEIGHBOUR_STATES = [
  'PERMANENT',
  'NOARP',
  'REACHABLE',
  'STALE',
  'DELAY',
  'PROBE',
  'FAILED',
  'INCOMPLETE',
  'NONE',
] as const;
export type NeighbourState = (typeof NEIGHBOUR_STATES)[number];

/**
 * States that prove the neighbour confirmed itself within the reachable time (~30 s, RFC 4861 §7.3.2). STALE
 * only says it once did; DELAY and PROBE are entries we used and still wait to hear from.
 */
export const FRESH_STATES: ReadonlySet<NeighbourState> = new Set(['REACHABLE']);
/** States that carry a usable link-layer address. */
const WITH_MAC: ReadonlySet<NeighbourState> = new Set(['PERMANENT', 'REACHABLE', 'STALE', 'DELAY', 'PROBE']);

export interface Neighbour {
  /** canonical IPv6 (RFC 5952) */
  address: string;
  /** lowercase aa:bb:cc:dd:ee:ff */
  mac: string;
  state: NeighbourState;
  /** the neighbour said it is a router (NA R flag) */
  router: boolean;
  /** the interface, when the line named one (`ip -6 neigh show` without `dev`) */
  iface: string | null;
}

export interface NeighbourTable {
  entries: Neighbour[];
  /** lines that were not a neighbour entry with a MAC (garbage, FAILED/INCOMPLETE, over the caps) */
  skipped: number;
}

/** A line of `ip neigh` output is short; anything longer is not one. */
export const NEIGHBOUR_LINE_MAX = 256;
/** At most this many entries are taken from one table (a flood of spoofed neighbours stays bounded). */
export const NEIGHBOUR_ENTRIES_MAX = 4096;

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IFACE_RE = /^[A-Za-z0-9_.@-]{1,15}$/;
const KEYWORDS_WITH_VALUE = new Set(['dev', 'lladdr', 'proto', 'nomaster', 'vrf', 'protocol']);
const STATE_SET: ReadonlySet<string> = new Set(NEIGHBOUR_STATES);

/** Zero and broadcast/multicast link addresses are not a device's. */
function usableMac(mac: string): boolean {
  if (!MAC_RE.test(mac) || mac === '00:00:00:00:00:00') return false;
  return (Number.parseInt(mac.slice(0, 2), 16) & 1) === 0;
}

/** One line: `ADDR [dev IF] [lladdr MAC] [router] [proxy] … STATE[,STATE]`. Null when it is not an entry. */
export function parseNeighbourLine(line: string): Neighbour | null {
  if (line.length > NEIGHBOUR_LINE_MAX) return null;
  const words = line.trim().split(/[ \t]+/);
  const address = canonicalIpv6(words[0]);
  if (!address) return null;
  let mac: string | null = null;
  let iface: string | null = null;
  let router = false;
  let state: NeighbourState | null = null;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (KEYWORDS_WITH_VALUE.has(w)) {
      const v = words[++i];
      if (v === undefined) return null;
      if (w === 'lladdr') {
        const m = v.toLowerCase();
        if (!usableMac(m)) return null;
        mac = m;
      } else if (w === 'dev') {
        if (!IFACE_RE.test(v)) return null;
        iface = v;
      }
      continue;
    }
    if (w === 'router') {
      router = true;
      continue;
    }
    // the state is the last word; iproute2 joins several with commas ("STALE,NOARP" never happens, but be strict)
    const states = w.split(',');
    if (states.every((s) => STATE_SET.has(s))) {
      state =
        (states.find((s) => WITH_MAC.has(s as NeighbourState)) as NeighbourState | undefined) ??
        (states[0] as NeighbourState);
    }
  }
  if (!mac || !state || !WITH_MAC.has(state)) return null;
  return { address, mac, state, router, iface };
}

/** The whole table; duplicate (address, MAC) pairs are taken once. */
export function parseNeighbourTable(text: string): NeighbourTable {
  const entries: Neighbour[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (entries.length >= NEIGHBOUR_ENTRIES_MAX) {
      skipped++;
      continue;
    }
    const n = parseNeighbourLine(line);
    if (!n || seen.has(`${n.address}|${n.mac}`)) {
      skipped++;
      continue;
    }
    seen.add(`${n.address}|${n.mac}`);
    entries.push(n);
  }
  return { entries, skipped };
}

/**
 * The addresses that answered an all-nodes ping, from iputils/busybox reply lines
 * (`64 bytes from fe80::1%eth0: icmp_seq=1 ttl=64 time=0.05 ms (DUP!)`). The zone index is dropped.
 */
export function parsePingReplies(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.length > NEIGHBOUR_LINE_MAX) continue;
    const m = /^\d+ bytes from ([0-9A-Fa-f:]+)(?:%[A-Za-z0-9_.@-]{1,15})?: /.exec(line);
    const a = m ? canonicalIpv6(m[1]) : null;
    if (a) out.add(a);
    if (out.size >= NEIGHBOUR_ENTRIES_MAX) break;
  }
  return [...out];
}
