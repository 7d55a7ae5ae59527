/**
 * Cleaning of hostile text at the edge (user input and anything from the network), before it is stored as
 * data. Pure. Escaping is each output's job (Lit templates, Markdown in HA notifications); this removes what
 * no output can show safely: C0/C1 control characters (NUL, ESC, …) and the invisible formatting characters
 * that reorder or hide text (bidi overrides/isolates/marks as in "Trojan Source", zero-width space, BOM,
 * line/paragraph separators). Zero-width (non-)joiners stay: scripts and emoji need them.
 */

/** Control and invisible formatting characters, as one character class body. */
const INVISIBLE =
  '\\u061c\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff\\ufff9-\\ufffb';
const SINGLE_LINE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${INVISIBLE}]`, 'g');
/** the same, but newlines and tabs are kept (notes) */
const MULTI_LINE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${INVISIBLE}]`, 'g');

/** Remove control and invisible formatting characters (single-line text). */
export function stripControl(s: string): string {
  return s.replace(SINGLE_LINE, '');
}

/** Remove control and invisible formatting characters but keep \n and \t (\r\n becomes \n). */
export function stripControlMultiline(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(MULTI_LINE, '');
}

const FIRST_SINGLE = new RegExp(SINGLE_LINE.source);
/** as MULTI_LINE, but \r is allowed too (a CRLF line end is not hostile) */
const FIRST_MULTI = new RegExp(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${INVISIBLE}]`);

/**
 * The first character user text may not hold: anything stripControl removes (`multiline`: except \n, \r and
 * \t). Its code point as "U+202E" and its 1-based position (UTF-16 units), or null when there is none.
 */
export function findControl(s: string, multiline = false): { codePoint: string; position: number } | null {
  const m = (multiline ? FIRST_MULTI : FIRST_SINGLE).exec(s);
  if (!m) return null;
  const hex = (m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return { codePoint: `U+${hex}`, position: m.index + 1 };
}

/** True when `s` holds a character stripControl would remove. */
export function hasControl(s: string): boolean {
  SINGLE_LINE.lastIndex = 0;
  const r = SINGLE_LINE.test(s);
  SINGLE_LINE.lastIndex = 0;
  return r;
}

/** Strip, trim, cap length (by UTF-16 units, never splitting a surrogate pair). Non-strings and '' → ''. */
export function cleanText(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  const s = stripControl(value).trim();
  return capLength(s, max);
}

export function capLength(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * Escape text for Markdown output (HA persistent and mobile notifications render the message as Markdown), so
 * a hostname such as `[click](http://evil)`, `**x**` or `<img src=x>` is shown literally: every character that
 * can open inline markup (emphasis, code, links and images, HTML, entities, strikethrough) gets a backslash
 * (CommonMark shows `\x` as `x` for ASCII punctuation), and a line that would start a heading, list or rule
 * has its first mark escaped. Parentheses, dots and `#` inside a line are left alone: they are inert there,
 * and phones that show the text raw should show few backslashes. Pure.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\\`*_[\]<>~&|]/g, '\\$&')
    .replace(/^([ \t]*)([-+=#])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)([.)])/gm, '$1\\$2');
}

/**
 * `s` as a Markdown code span, shown literally whatever it holds: the fence is one backtick longer than the
 * longest backtick run inside, with a space inside each end when `s` starts or ends with a backtick
 * (CommonMark strips exactly one such space). Newlines become spaces (a code span is one line). Pure.
 */
export function markdownCode(s: string): string {
  const flat = s.replace(/\r\n?|\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
