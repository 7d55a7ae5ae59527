/**
 * CSV (RFC 4180) that is safe to open in a spreadsheet. Cells come from the network (device names, banners), so
 * a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return — which Excel, LibreOffice and Sheets
 * would run as a formula — gets a leading `'` (OWASP "CSV injection"). Every cell is quoted; quotes are doubled.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '""';
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** Header row plus one row per record, CRLF line ends, with a trailing line end. */
export function toCsv<T>(
  columns: ReadonlyArray<{ header: string; value: (row: T) => string | number | boolean | null | undefined }>,
  rows: readonly T[],
): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.value(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
