import type { networkInterfaces } from 'node:os';
import {
  cidrRange,
  formatCidr,
  type Ipv4Range,
  intersectionSize,
  isNonPublicRange,
  mergeRanges,
  NEVER_TARGET_BLOCKS,
  parseCidrOrIp,
  rangeContains,
  rangesOverlap,
  rangesSize,
} from './ipv4.js';

/** An IPv4 network directly attached to one of the host's interfaces. */
export interface DetectedNet {
  iface: string;
  /** Network in CIDR form, host bits zeroed, e.g. 192.168.1.0/24. */
  cidr: string;
  /** The host's own address on that network. */
  address: string;
}

export interface ResolvedTargets {
  /** Normalised, de-duplicated CIDRs (or /32 as bare IPs), sorted. */
  targets: string[];
  /** Normalised excludes that intersect the targets. */
  exclude: string[];
  /** Addresses nmap will probe (targets minus excludes). */
  addressCount: number;
  warnings: string[];
}

export interface ResolveTargetsOptions {
  subnets: string[];
  exclude: string[];
  /** Allow targets outside private, CGNAT, link-local and loopback space. Default false. */
  allowPublic?: boolean;
}

/** A target list that cannot be scanned; the message names the option and the allowed form. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

export const MIN_PREFIX = 16;
export const WARN_ADDRESSES = 4096;

const ALLOWED_SUBNET =
  'allowed: IPv4 CIDRs with a prefix of /16 or longer, e.g. 192.168.1.0/24, or single addresses such as 192.168.1.10';
const ALLOWED_EXCLUDE = 'allowed: IPv4 addresses or CIDRs, e.g. 192.168.1.7 or 192.168.1.0/28';

/** Printable form of user input inside an error message (quotes, control characters and length made safe). */
function show(s: unknown): string {
  const text = typeof s === 'string' ? s : String(s);
  const clipped = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(clipped);
}

interface Block {
  text: string;
  range: Ipv4Range;
  prefix: number;
}

function toText(network: number, prefix: number): string {
  const cidr = formatCidr({ network, prefix });
  return prefix === 32 ? cidr.slice(0, -3) : cidr;
}

function parseSubnet(raw: string, option: string, warnings: string[], allowPublic: boolean): Block {
  const c = parseCidrOrIp(raw);
  if (!c) throw new TargetError(`${option}: ${show(raw)} is not an IPv4 CIDR or address; ${ALLOWED_SUBNET}`);
  if (c.prefix < MIN_PREFIX) {
    throw new TargetError(`${option}: ${show(raw)} is too large (prefix /${c.prefix}); ${ALLOWED_SUBNET}`);
  }
  const range = cidrRange(c);
  const never = NEVER_TARGET_BLOCKS.find((b) => rangesOverlap(b, range));
  if (never) {
    throw new TargetError(`${option}: ${show(raw)} lies in ${never.name} address space; ${ALLOWED_SUBNET}`);
  }
  if (!allowPublic && !isNonPublicRange(range)) {
    throw new TargetError(
      `${option}: ${show(raw)} is public address space; allowed: private (10/8, 172.16/12, 192.168/16), ` +
        'carrier-grade NAT (100.64/10), link-local or loopback networks',
    );
  }
  const text = toText(c.network, c.prefix);
  if (c.network !== c.address) {
    warnings.push(`${option}: ${show(raw)} has host bits set; scanning the network ${text}`);
  }
  return { text, range, prefix: c.prefix };
}

/** Drops blocks contained in (or equal to) another; partially overlapping blocks are both kept (nmap dedupes). */
function dedupe(blocks: Block[], option: string, warnings: string[]): Block[] {
  const sorted = [...blocks].sort(
    (a, b) => a.range.first - b.range.first || b.range.last - a.range.last || a.text.localeCompare(b.text),
  );
  const kept: Block[] = [];
  for (const b of sorted) {
    const container = kept.find((k) => rangeContains(k.range, b.range));
    if (container) {
      if (container.text === b.text) warnings.push(`${option}: ${b.text} is listed twice; scanning it once`);
      else warnings.push(`${option}: ${b.text} is inside ${container.text}; scanning ${container.text} once`);
      continue;
    }
    kept.push(b);
  }
  return kept;
}

/**
 * Turns the `subnets` and `exclude` options plus the detected networks into the validated target list for nmap.
 * Empty `subnets` means "the detected networks". Throws TargetError when nothing valid remains or an entry is
 * malformed, too large or public.
 */
export function resolveTargets(
  opts: ResolveTargetsOptions,
  detected: readonly DetectedNet[],
): ResolvedTargets {
  const warnings: string[] = [];
  const allowPublic = opts.allowPublic === true;
  let blocks: Block[] = [];

  if (opts.subnets.length > 0) {
    blocks = opts.subnets.map((s) => parseSubnet(s, 'subnets', warnings, allowPublic));
  } else {
    for (const d of detected) {
      try {
        blocks.push(parseSubnet(d.cidr, 'subnets', [], allowPublic));
      } catch (err) {
        const why = err instanceof TargetError ? err.message.replace(/^subnets: /, '') : String(err);
        warnings.push(`auto-detected network on ${d.iface} skipped: ${why}; set option subnets to scan it`);
      }
    }
    if (blocks.length === 0) {
      const seen = detected.length === 0 ? 'no usable IPv4 network was detected' : warnings.join('; ');
      throw new TargetError(
        `subnets: nothing to scan (${seen}); set option subnets to the LAN, e.g. ["192.168.1.0/24"]`,
      );
    }
  }
  blocks = dedupe(blocks, 'subnets', warnings);

  const excludes: Block[] = [];
  for (const raw of opts.exclude) {
    const c = parseCidrOrIp(raw);
    if (!c) throw new TargetError(`exclude: ${show(raw)} is not an IPv4 address or CIDR; ${ALLOWED_EXCLUDE}`);
    const text = toText(c.network, c.prefix);
    if (c.network !== c.address) {
      warnings.push(`exclude: ${show(raw)} has host bits set; excluding the network ${text}`);
    }
    excludes.push({ text, range: cidrRange(c), prefix: c.prefix });
  }
  const targetRanges = mergeRanges(blocks.map((b) => b.range));
  const usefulExcludes = dedupe(excludes, 'exclude', warnings).filter((e) =>
    targetRanges.some((t) => rangesOverlap(t, e.range)),
  );

  const addressCount =
    rangesSize(targetRanges) -
    intersectionSize(targetRanges, mergeRanges(usefulExcludes.map((e) => e.range)));
  if (addressCount === 0) {
    throw new TargetError('exclude: every target address is excluded; nothing is left to scan');
  }
  if (addressCount > WARN_ADDRESSES) {
    warnings.push(
      `subnets: ${addressCount} addresses to scan (more than ${WARN_ADDRESSES}); sweeps will be slow, ` +
        'consider listing smaller subnets',
    );
  }
  return {
    targets: blocks.map((b) => b.text),
    exclude: usefulExcludes.map((e) => e.text),
    addressCount,
    warnings,
  };
}

/** Interface names that are container or VM plumbing, never the user's LAN. */
const SKIPPED_IFACE = /^(docker\d*|hassio|veth.*|br-.*|virbr.*|lo)$/;
/** Home Assistant's Supervisor network. */
const HASSIO_NET = cidrRange(parseCidrOrIp('172.30.32.0/23')!);
const LINK_LOCAL = cidrRange(parseCidrOrIp('169.254.0.0/16')!);

type Interfaces = ReturnType<typeof networkInterfaces>;

/**
 * IPv4 networks of the host's interfaces worth sweeping. `os.networkInterfaces()` (libuv) only reports interfaces
 * that are up and running; loopback/internal, container bridges, link-local and point-to-point (/32) addresses
 * are skipped.
 */
export function detectLocalNetworks(ifaces: Interfaces): DetectedNet[] {
  const out: DetectedNet[] = [];
  const seen = new Set<string>();
  for (const [name, addrs] of Object.entries(ifaces)) {
    if (!addrs || SKIPPED_IFACE.test(name)) continue;
    for (const a of addrs) {
      const family = a.family as string | number;
      if ((family !== 'IPv4' && family !== 4) || a.internal) continue;
      const c = a.cidr ? parseCidrOrIp(a.cidr) : undefined;
      if (!c || c.prefix === 32) continue;
      const range = cidrRange(c);
      if (rangesOverlap(range, HASSIO_NET) || rangeContains(LINK_LOCAL, range)) continue;
      const cidr = formatCidr(c);
      if (seen.has(cidr)) continue;
      seen.add(cidr);
      out.push({ iface: name, cidr, address: a.address });
    }
  }
  return out;
}

/** True when `target` (an IP or CIDR) lies entirely inside a directly attached network, so ARP works. */
export function isAttached(target: string, detected: readonly DetectedNet[]): boolean {
  const t = parseCidrOrIp(target);
  if (!t) return false;
  const range = cidrRange(t);
  return detected.some((d) => {
    const c = parseCidrOrIp(d.cidr);
    return c !== undefined && rangeContains(cidrRange(c), range);
  });
}

/** Splits targets into those on attached networks (ARP sweep) and routed ones (ICMP/TCP ping), keeping order. */
export function splitByAttachment(
  targets: readonly string[],
  detected: readonly DetectedNet[],
): { attached: string[]; routed: string[] } {
  const attached: string[] = [];
  const routed: string[] = [];
  for (const t of targets) (isAttached(t, detected) ? attached : routed).push(t);
  return { attached, routed };
}

/**
 * A test for addresses inside routed targets, where a host whose MAC cannot be learned is identified by its IP
 * (DESIGN §15); null when no target is routed.
 */
export function routedAddressTest(routed: readonly string[]): ((ip: string) => boolean) | null {
  const ranges = routed.map((t) => parseCidrOrIp(t)).flatMap((c) => (c ? [cidrRange(c)] : []));
  if (ranges.length === 0) return null;
  return (ip) => {
    const c = parseCidrOrIp(ip);
    if (c?.prefix !== 32) return false;
    const r = cidrRange(c);
    return ranges.some((x) => rangeContains(x, r));
  };
}
