import { safeLogText } from '../util/logger.js';
import { BOLD, paint, type Sgr } from './colour.js';

type Scalar = string | number | boolean | null | undefined;
/**
 * A cell with a shorter form for when the full text does not fit its column ("Hangzhou Hikvision Digital
 * Technology Co.,Ltd." → "Hikvision"): the column is then sized so that the short forms stay whole.
 */
export interface AltCell {
  text: Scalar;
  short: string | null;
}
type Cell = Scalar | AltCell;

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
  /** paint the header bold and cells with `style` (ANSI SGR): only for a terminal that shows colour */
  colour?: boolean;
  /** SGR style of a cell by header name, from the cell's text */
  style?: Record<string, (text: string) => Sgr | null>;
}

/** Terminal width to fit: the TTY's columns, else 100 (pipes, files, CI logs). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns && stream.columns >= 40 ? stream.columns : 100;
}

function clip(s: string, w: number): string {
  return s.length > w ? `${s.slice(0, Math.max(0, w - 1))}…` : s;
}

/**
 * Renders rows as an aligned text table that fits `width` columns. While the table is too wide, the widest
 * shrinkable column above its floor loses a character, in three passes with lower floors:
 * 1. kept columns (`keep`) stay at their kept width and cells with a short form keep room for it whole;
 * 2. kept columns give way, short forms still whole;
 * 3. every shrinkable column down to max(6, its header).
 * A cell shows its full text when that fits, else its short form, else is cut (…). Cells are made
 * terminal-safe (no control or bidi characters); colour (`colour`, `style`) never counts towards a width. Pure.
 */
export function renderTable(headers: string[], rows: Cell[][], opts: TableOptions | number = {}): string {
  const o: TableOptions = typeof opts === 'number' ? {} : opts;
  const width = o.width ?? 100;
  const text = (v: Scalar): string => {
    if (v === null || v === undefined || v === '') return '-';
    return safeLogText(String(v)).replace(/\s+/g, ' ');
  };
  const isAlt = (v: Cell): v is AltCell => typeof v === 'object' && v !== null;
  const body = rows.map((r) =>
    headers.map((_, i) => {
      const v = r[i];
      if (!isAlt(v)) return { full: text(v), short: null as string | null };
      const full = text(v.text);
      const short = v.short ? text(v.short) : null;
      return { full, short: short && short.length < full.length ? short : null };
    }),
  );
  const widths = headers.map((h, i) =>
    Math.max(h.length, o.minWidth?.[h] ?? 0, ...body.map((r) => r[i]!.full.length)),
  );
  // the least a column needs for every cell to show whole, its short form where it has one
  const compact = headers.map((h, i) =>
    Math.max(h.length, o.minWidth?.[h] ?? 0, ...body.map((r) => (r[i]!.short ?? r[i]!.full).length)),
  );
  const hasShort = headers.map((_, i) => body.some((r) => r[i]!.short !== null));
  const shrinkable = headers.map((h) => (o.shrink ? o.shrink.includes(h) : true));
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (headers.length - 1);
  for (const pass of [0, 1, 2]) {
    const floor = (i: number) =>
      Math.max(
        6,
        headers[i]!.length,
        pass === 0 ? (o.keep?.[headers[i]!] ?? 0) : 0,
        pass < 2 && hasShort[i] ? compact[i]! : 0,
      );
    while (total() > width) {
      let best = -1;
      for (let i = 0; i < widths.length; i++)
        if (shrinkable[i] && widths[i]! > floor(i) && (best < 0 || widths[i]! > widths[best]!)) best = i;
      if (best < 0) break;
      widths[best]! -= 1;
    }
  }
  const right = headers.map((h) => o.right?.includes(h) ?? false);
  const colour = o.colour === true;
  const line = (cols: Array<{ full: string; short: string | null }>, head: boolean) =>
    cols
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const s = clip(c.full.length > w && c.short ? c.short : c.full, w);
        const sgr = head ? BOLD : (o.style?.[headers[i]!]?.(c.full) ?? null);
        const pad = ' '.repeat(Math.max(0, w - s.length));
        return right[i] ? pad + paint(colour, sgr, s) : paint(colour, sgr, s) + pad;
      })
      .join('  ')
      .trimEnd();
  return [
    line(
      headers.map((h) => ({ full: h.toUpperCase(), short: null })),
      true,
    ),
    ...body.map((r) => line(r, false)),
  ].join('\n');
}

/** RFC 4180 CSV; cells starting with = + - @ are prefixed with ' to defuse spreadsheet formulas. Pure. */
export function toCsv(headers: string[], rows: Scalar[][]): string {
  const esc = (v: Scalar): string => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[headers, ...rows].map((r) => r.map(esc).join(',')).join('\r\n')}\r\n`;
}
