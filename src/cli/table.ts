import { safeLogText } from '../util/logger.js';

/** Renders rows as an aligned text table. Cells are made terminal-safe (no control or bidi characters). Pure. */
export function renderTable(
  headers: string[],
  rows: Array<Array<string | number | boolean | null | undefined>>,
  maxCell = 40,
): string {
  const cell = (v: string | number | boolean | null | undefined): string => {
    if (v === null || v === undefined || v === '') return '-';
    const s = safeLogText(String(v));
    return s.length > maxCell ? `${s.slice(0, maxCell - 1)}…` : s;
  };
  const body = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** RFC 4180 CSV; cells starting with = + - @ are prefixed with ' to defuse spreadsheet formulas. Pure. */
export function toCsv(
  headers: string[],
  rows: Array<Array<string | number | boolean | null | undefined>>,
): string {
  const esc = (v: string | number | boolean | null | undefined): string => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[headers, ...rows].map((r) => r.map(esc).join(',')).join('\r\n')}\r\n`;
}
