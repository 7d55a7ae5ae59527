/**
 * Terminal text with ANSI SGR escapes (as `tmux capture-pane -e` gives it) → HTML spans, for the CLI
 * screenshots. Pure. Handles reset, bold, dim, italic, underline, inverse, the 16 colours, 256-colour and
 * truecolour (38/48;5;n and 38/48;2;r;g;b), default fg/bg; other escape sequences are dropped. Text is escaped
 * (& < > "), so hostile cell text cannot become markup.
 */

/** xterm's 16 colours (the dark-theme palette the screenshots use). */
export const PALETTE16 = [
  '#2e3436',
  '#e06c75',
  '#98c379',
  '#e5c07b',
  '#61afef',
  '#c678dd',
  '#56b6c2',
  '#d0d0d0',
  '#6c7a89',
  '#ff7b86',
  '#b5e890',
  '#ffd88a',
  '#8cc8ff',
  '#e09fff',
  '#7fdbe6',
  '#ffffff',
];

export interface AnsiStyle {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

const plain = (): AnsiStyle => ({
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  inverse: false,
});

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** xterm 256-colour index → CSS colour. */
export function colour256(n: number): string {
  if (n < 16) return PALETTE16[n]!;
  if (n < 232) {
    const i = n - 16;
    const step = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    const [r, g, b] = [Math.floor(i / 36), Math.floor(i / 6) % 6, i % 6].map(step) as [
      number,
      number,
      number,
    ];
    return `rgb(${r},${g},${b})`;
  }
  const v = 8 + (n - 232) * 10;
  return `rgb(${v},${v},${v})`;
}

/** Applies one SGR parameter list (the numbers between `ESC [` and `m`) to `st`. */
export function applySgr(st: AnsiStyle, params: number[]): AnsiStyle {
  const s = { ...st };
  const p = params.length ? params : [0];
  for (let i = 0; i < p.length; i++) {
    const n = p[i]!;
    if (n === 0) Object.assign(s, plain());
    else if (n === 1) s.bold = true;
    else if (n === 2) s.dim = true;
    else if (n === 3) s.italic = true;
    else if (n === 4) s.underline = true;
    else if (n === 7) s.inverse = true;
    else if (n === 22) {
      s.bold = false;
      s.dim = false;
    } else if (n === 23) s.italic = false;
    else if (n === 24) s.underline = false;
    else if (n === 27) s.inverse = false;
    else if (n >= 30 && n <= 37) s.fg = PALETTE16[n - 30]!;
    else if (n >= 90 && n <= 97) s.fg = PALETTE16[n - 90 + 8]!;
    else if (n === 39) s.fg = null;
    else if (n >= 40 && n <= 47) s.bg = PALETTE16[n - 40]!;
    else if (n >= 100 && n <= 107) s.bg = PALETTE16[n - 100 + 8]!;
    else if (n === 49) s.bg = null;
    else if (n === 38 || n === 48) {
      let c: string | null = null;
      if (p[i + 1] === 5 && p[i + 2] !== undefined) {
        c = colour256(Math.max(0, Math.min(255, p[i + 2]!)));
        i += 2;
      } else if (p[i + 1] === 2 && p[i + 4] !== undefined) {
        const [r, g, b] = [p[i + 2]!, p[i + 3]!, p[i + 4]!].map((v) => Math.max(0, Math.min(255, v)));
        c = `rgb(${r},${g},${b})`;
        i += 4;
      }
      if (n === 38) s.fg = c;
      else s.bg = c;
    }
  }
  return s;
}

function css(st: AnsiStyle, fgDefault: string, bgDefault: string): string {
  let fg = st.fg;
  let bg = st.bg;
  if (st.inverse) [fg, bg] = [bg ?? bgDefault, fg ?? fgDefault];
  const out: string[] = [];
  if (fg) out.push(`color:${fg}`);
  if (bg) out.push(`background:${bg}`);
  if (st.bold) out.push('font-weight:bold');
  if (st.dim) out.push('opacity:0.65');
  if (st.italic) out.push('font-style:italic');
  if (st.underline) out.push('text-decoration:underline');
  return out.join(';');
}

/**
 * ANSI text → HTML (no wrapper element; newlines kept, for a `<pre>`). Unstyled runs are plain escaped text,
 * styled runs are `<span style="…">`.
 */
export function ansiToHtml(text: string, opts: { fg?: string; bg?: string } = {}): string {
  const fgDefault = opts.fg ?? '#d0d0d0';
  const bgDefault = opts.bg ?? '#1d1f21';
  // SGR (ESC [ … m), any other CSI sequence, OSC (ESC ] … BEL/ST), or a two-character escape
  const re = /\x1b\[([0-9;:]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;
  let st = plain();
  let out = '';
  let last = 0;
  const emit = (chunk: string) => {
    if (!chunk) return;
    // control characters other than newline and tab never reach the page
    const safe = escapeHtml(chunk.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ''));
    const style = css(st, fgDefault, bgDefault);
    out += style ? `<span style="${style}">${safe}</span>` : safe;
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    emit(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === 'm')
      st = applySgr(
        st,
        (m[1] ?? '').split(/[;:]/).map((x) => (x === '' ? 0 : Number(x))),
      );
  }
  emit(text.slice(last));
  return out;
}
