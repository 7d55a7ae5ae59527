import { safeLogText } from '../util/logger.js';

type Cell = string | number | boolean | null | undefined;

export interface TableOptions {
  /** total width to fit (default 100) */
  width?: number;
  /** columns that may be shortened (with …) to fit, by header name; default: every column */
  shrink?: string[];
  /** right-align these columns (numbers) */
  right?: string[];
  /**
   * least width of a column by header name, for cells whose length changes with time (ages): the layout, and
   * so what the shrinkable columns keep, then stays the same from one run to the next
   */
  minWidth?: Record<string, number>;
  /**
   * width a shrinkable column keeps while another can still give way (by header name): the more telling
   * column (a device's name) is cut only after the others (its vendor) are down to their least
   */
  keep?: Record<string, number>;
}

/** Terminal width to fit: the TTY's columns, else 100 (pipes, files, CI logs). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns && stream.columns >= 40 ? stream.columns : 100;
}

function clip(s: string, w: number): string {
  return s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s;
}

/**
 * Renders rows as an aligned text table that fits `width` columns: the widest shrinkable column is
 * shortened (…) until the table fits. Cells are made terminal-safe (no control or bidi characters). Pure.
 */
export function renderTable(headers: string[], rows: Cell[][], opts: TableOptions | number = {}): string {
  const o: TableOptions = typeof opts === 'number' ? {} : opts;
  const width = o.width ?? 100;
  const cell = (v: Cell): string => {
    if (v === null || v === undefined || v === '') return '-';
    return safeLogText(String(v)).replace(/\s+/g, ' ');
  };
  const body = rows.map((r) => headers.map((_, i) => cell(r[i])));
  const widths = headers.map((h, i) =>
    Math.max(h.length, o.minWidth?.[h] ?? 0, ...body.map((r) => (r[i] ?? '').length)),
  );
  const shrinkable = headers.map((h) => (o.shrink ? o.shrink.includes(h) : true));
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (headers.length - 1);
  for (const pass of [0, 1]) {
    const floor = (i: number) =>
      Math.max(6, headers[i]!.length, pass === 0 ? (o.keep?.[headers[i]!] ?? 0) : 0);
    while (total() > width) {
      let best = -1;
      for (let i = 0; i < widths.length; i++)
        if (shrinkable[i] && widths[i]! > floor(i) && (best < 0 || widths[i]! > widths[best]!)) best = i;
      if (best < 0) break;
      widths[best]! -= 1;
    }
  }
  const right = headers.map((h) => o.right?.includes(h) ?? false);
  const line = (cols: string[]) =>
    cols
      .map((c, i) => {
        const s = clip(c, widths[i] ?? 0);
        return right[i] ? s.padStart(widths[i] ?? 0) : s.padEnd(widths[i] ?? 0);
      })
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...body.map(line)].join('\n');
}

/** RFC 4180 CSV; cells starting with = + - @ are prefixed with ' to defuse spreadsheet formulas. Pure. */
export function toCsv(headers: string[], rows: Cell[][]): string {
  const esc = (v: Cell): string => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[headers, ...rows].map((r) => r.map(esc).join(',')).join('\r\n')}\r\n`;
}
