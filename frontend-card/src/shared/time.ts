/** Relative-time and timestamp formatting shared by the card and the ingress UI. */

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

const formatters = new Map<string, Intl.RelativeTimeFormat>();

function formatter(locale: string | undefined): Intl.RelativeTimeFormat {
  const key = locale ?? '';
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
    } catch {
      f = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
    }
    formatters.set(key, f);
  }
  return f;
}

/** Milliseconds since the epoch, or NaN for missing/unparseable input. */
export function parseTime(iso: unknown): number {
  return typeof iso === 'string' && iso ? Date.parse(iso) : Number.NaN;
}

/**
 * "just now" under a minute, otherwise "5 min. ago", "3 hr. ago", "2 days ago" (locale-aware).
 * Returns "never" for missing or invalid timestamps. Future times (clock skew) read as "just now".
 */
export function relativeTime(iso: unknown, now: number = Date.now(), locale?: string): string {
  const t = parseTime(iso);
  if (Number.isNaN(t)) return 'never';
  const diff = now - t;
  if (diff < 60_000) return 'just now';
  for (const [unit, ms] of UNITS) {
    if (diff >= ms) return formatter(locale).format(-Math.floor(diff / ms), unit);
  }
  return 'just now';
}

/** `Date#toLocaleString(locale)`'s fields, one formatter per locale: toLocaleString builds a new one per call. */
const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};
const dateTimeFormatters = new Map<string, Intl.DateTimeFormat | null>();

function dateTimeFormatter(locale: string | undefined): Intl.DateTimeFormat | null {
  const key = locale ?? '';
  let f = dateTimeFormatters.get(key);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat(locale, DATE_TIME);
    } catch {
      f = null; // an invalid locale tag: ISO time instead
    }
    dateTimeFormatters.set(key, f);
  }
  return f;
}

/** Full local date-time for tooltips (as `toLocaleString`), or "" when invalid. */
export function absoluteTime(iso: unknown, locale?: string): string {
  const t = parseTime(iso);
  if (Number.isNaN(t)) return '';
  return dateTimeFormatter(locale)?.format(t) ?? new Date(t).toISOString();
}
