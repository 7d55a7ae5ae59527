/** Row ↔ domain mapping helpers shared by the repositories. */

/** Parse a JSON column; corrupt or absent values become the fallback. */
export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** JSON for a nullable column: undefined → NULL. */
export function jsonOrNull(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

export const bool = (v: unknown): boolean => v === 1 || v === true;
export const int = (b: boolean): number => (b ? 1 : 0);

/** Dotted IPv4 → 32-bit number for numeric sorting; anything else → null. */
export function ipv4ToNumber(ip: string | null | undefined): number | null {
  if (!ip) return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

/** Bound paging values: integers, limit 1..max, offset ≥ 0. */
export function paging(
  limit: unknown,
  offset: unknown,
  max = 1000,
  dflt = 100,
): { limit: number; offset: number } {
  const l = Number.isInteger(limit) ? Math.min(Math.max(limit as number, 1), max) : dflt;
  const o = Number.isInteger(offset) ? Math.max(offset as number, 0) : 0;
  return { limit: l, offset: o };
}

/** Escape LIKE wildcards; use with `ESCAPE '\\'`. */
export function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
