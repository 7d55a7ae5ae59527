/** IPv4 helpers for sorting and display. */

/** Numeric sort key for a dotted IPv4 address; non-IPv4 (or missing) sorts after every address. */
export function ipv4SortKey(ip: unknown): number {
  if (typeof ip !== 'string') return Number.MAX_SAFE_INTEGER;
  const parts = ip.split('.');
  if (parts.length !== 4) return Number.MAX_SAFE_INTEGER;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return Number.MAX_SAFE_INTEGER;
    const v = Number(p);
    if (v > 255) return Number.MAX_SAFE_INTEGER;
    n = n * 256 + v;
  }
  return n;
}

/** Lower-case colon MAC or null. */
export function normalizeMac(mac: unknown): string | null {
  if (typeof mac !== 'string') return null;
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12) return null;
  return hex.match(/../g)?.join(':') ?? null;
}
