/** Pure formatting and ordering helpers for the UI (no DOM). */
import { RISK_RANK, SEVERITY_RANK } from '../../../src/vocabulary.js';

export { CHANGE_LABELS, changeLabel } from '../../../src/vocabulary.js';

/** Sort ranks of risk levels (unknown -1 … critical 4) and severities (info 0 … critical 4). */
export const RISK_ORDER = RISK_RANK;
export const SEVERITY_ORDER = SEVERITY_RANK;

/** Numeric sort key for dotted IPv4 ("10.0.0.9" < "10.0.0.10"); non-IPv4 sorts last. */
export function ipKey(ip: string | null | undefined): number {
  if (!ip) return Number.MAX_SAFE_INTEGER;
  const parts = ip.split('.');
  if (parts.length !== 4) return Number.MAX_SAFE_INTEGER - 1;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255) return Number.MAX_SAFE_INTEGER - 1;
    n = n * 256 + v;
  }
  return n;
}

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; future times read "in …". */
export function timeAgo(iso: string | null | undefined, now: number = Date.now()): string {
  const t = parseTime(iso);
  if (t === null) return 'never';
  const diff = Math.round((now - t) / 1000);
  const abs = Math.abs(diff);
  let text: string;
  if (abs < 45) return 'just now';
  if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86_400) text = `${Math.round(abs / 3600)} h`;
  else text = `${Math.round(abs / 86_400)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** Local date + time, e.g. "2025-03-01 14:05:09". */
export function formatTime(iso: string | null | undefined): string {
  const t = parseTime(iso);
  if (t === null) return '—';
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** "OpenSSH 9.6p1 (Ubuntu)" from the nmap service fields; empty pieces are skipped. */
export function serviceText(s: {
  service?: string | null;
  product?: string | null;
  version?: string | null;
  extrainfo?: string | null;
}): string {
  const main = [s.product, s.version].filter(Boolean).join(' ');
  const extra = s.extrainfo ? ` (${s.extrainfo})` : '';
  if (main) return main + extra;
  return (s.service ?? '') + extra;
}

/** Normalises a MAC typed or pasted by a user to aa:bb:cc:dd:ee:ff, or null. */
export function normalizeMac(input: string): string | null {
  const hex = input.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12) return null;
  return hex.match(/../g)!.join(':');
}

/** Case-insensitive substring match over the given fields. */
export function matchesSearch(q: string, fields: Array<string | null | undefined>): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return fields.some((f) => f?.toLowerCase().includes(needle));
}
