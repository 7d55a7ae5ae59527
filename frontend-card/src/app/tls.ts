/**
 * Pure helpers for the TLS facts of a device (`api/devices/:mac/tls`): expiry in words with a tone, a bounded
 * preview of the subjectAltName list, weak protocols. No DOM, no I/O; the component renders these as text.
 */

const DAY = 86_400_000;
/** names of the SAN list shown before "and N more" */
export const SAN_PREVIEW = 6;
/** characters of one SAN entry (or subject/issuer line) shown; the rest is cut with an ellipsis */
export const TLS_TEXT_MAX = 120;

export type Tone = 'ok' | 'warn' | 'bad' | '';

/**
 * "expired 12 days ago" (bad) · "expires in 10 days" (warn when the server raised cert_expiring for the port,
 * i.e. within the option cert_expiry_days) · "expires in 300 days" (ok).
 */
export function certExpiry(
  notAfter: string | null,
  now: number = Date.now(),
  expiringFinding = false,
): { text: string; tone: Tone } {
  const t = notAfter ? Date.parse(notAfter) : Number.NaN;
  if (!Number.isFinite(t)) return { text: 'no expiry date seen', tone: '' };
  const days = (t - now) / DAY;
  const n = Math.floor(Math.abs(days));
  if (days < 0)
    return { text: n === 0 ? 'expired today' : `expired ${n} day${n === 1 ? '' : 's'} ago`, tone: 'bad' };
  return {
    text: n === 0 ? 'expires within a day' : `expires in ${n} day${n === 1 ? '' : 's'}`,
    tone: expiringFinding ? 'warn' : 'ok',
  };
}

/** One line of certificate text, cut at `max` characters (the server already bounds and cleans it). */
export function clip(s: string | null | undefined, max = TLS_TEXT_MAX): string {
  if (!s) return '—';
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}

/** the server stores at most this many characters of a subjectAltName list (threatAssessor tlsFactsOf) */
export const SAN_STORED_MAX = 1024;

/**
 * The SAN list as at most `max` entries ("DNS:" prefixes dropped) and how many more there are. The stored list
 * is itself cut at 1,024 characters (nmap's reader ends a cut list with "…"): then `truncated` is set and the cut
 * last entry is dropped.
 */
export function sanPreview(
  san: string | null,
  max = SAN_PREVIEW,
): { shown: string[]; more: number; truncated: boolean } {
  if (!san) return { shown: [], more: 0, truncated: false };
  const truncated = san.length >= SAN_STORED_MAX || san.endsWith('…');
  const entries = san
    .split(/,\s*/)
    .map((e) => e.trim().replace(/^DNS:/, ''))
    .filter(Boolean);
  if (truncated && entries.length > 1) entries.pop();
  return {
    shown: entries.slice(0, max).map((e) => clip(e, 64)),
    more: Math.max(0, entries.length - max),
    truncated,
  };
}

/** SSLv2/SSLv3/TLS 1.0/1.1 are weak: the server's rule (pure, no imports of its own). */
export { isWeakProtocol } from '../../../src/threats/tls.js';
