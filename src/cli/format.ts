/** Human formatting for CLI output: ages, durations, key/value blocks. Pure. */
import { safeLogText } from '../util/logger.js';

/** Longest `age()` text up to 999 days ("999d ago"): the width an age column reserves. */
export const AGE_WIDTH = 8;

/** "42s", "5m", "3h", "12d" since `iso` (or "-"). */
export function age(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '-';
  if (s < 90) return `${s}s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** "2026-12-03 08:41" in UTC (stable across machines). */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '-' : `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** `key: value` lines, keys aligned; values made terminal-safe. */
export function keyValues(pairs: Array<[string, unknown]>, width = 100): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => {
      const s =
        v === null || v === undefined || v === '' ? '-' : Array.isArray(v) ? v.join(', ') || '-' : String(v);
      return clipLine(`${`${k}:`.padEnd(w + 2)}${s}`, width);
    })
    .join('\n');
}

export function yesNo(b: boolean | null | undefined): string {
  return b ? 'yes' : 'no';
}

/** One terminal-safe line of at most `width` columns (… when cut). */
export function clipLine(s: string, width: number): string {
  const t = safeLogText(s).replace(/[\r\n\t]+/g, ' ');
  return t.length > width ? `${t.slice(0, Math.max(0, width - 1))}…` : t;
}

/** Prose made terminal-safe and word-wrapped to `width` columns (a word longer than a line keeps its own line). */
export function wrapText(s: string, width: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const word of safeLogText(s).split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}
