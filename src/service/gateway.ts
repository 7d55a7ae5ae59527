import { readFileSync } from 'node:fs';

/** Parses /proc/net/route and returns the IPv4 default gateway, or null. Pure. */
export function parseDefaultGateway(procNetRoute: string): string | null {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3) continue;
    const [, dest, gw] = cols;
    if (dest === '00000000' && gw && /^[0-9A-Fa-f]{8}$/.test(gw) && gw !== '00000000') {
      // little-endian hex
      const n = Number.parseInt(gw, 16);
      return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
    }
  }
  return null;
}

export function readDefaultGateway(path = '/proc/net/route'): string | null {
  try {
    return parseDefaultGateway(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
