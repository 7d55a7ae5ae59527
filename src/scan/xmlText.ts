/**
 * XML text decoding for nmap output (pure). The XML parser runs with entity processing off; this decodes only the
 * five predefined entities and numeric character references, nothing user-definable.
 *
 * nmap escapes every byte outside printable ASCII as its own reference (`&#xe2;&#x80;&#xae;` for U+202E), so runs
 * of byte-sized references are re-assembled as UTF-8 when they form valid UTF-8, and read as Latin-1 otherwise.
 * NUL characters are dropped; everything else (markup, quotes, newlines, bidi controls) is kept as data.
 */

const ENTITY_RE = /&(?:#x([0-9a-fA-F]{1,8})|#([0-9]{1,10})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const utf8 = new TextDecoder('utf-8', { fatal: true });

function latin1(bytes: number[]): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.slice(i, i + 4096));
  return s;
}

function bytesToText(bytes: number[]): string {
  if (bytes.every((b) => b < 0x80)) return latin1(bytes);
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return latin1(bytes);
  }
}

function codePointText(cp: number): string {
  if (!Number.isFinite(cp) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(cp);
}

export function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s.includes('\0') ? s.replaceAll('\0', '') : s;
  let out = '';
  let last = 0;
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += bytesToText(bytes);
      bytes = [];
    }
  };
  for (const m of s.matchAll(ENTITY_RE)) {
    const idx = m.index ?? 0;
    if (idx !== last) {
      flush();
      out += s.slice(last, idx);
    }
    last = idx + m[0].length;
    if (m[3] !== undefined) {
      flush();
      out += NAMED[m[3]]!;
      continue;
    }
    const cp = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number.parseInt(m[2]!, 10);
    if (cp <= 0xff) {
      bytes.push(cp);
    } else {
      flush();
      out += codePointText(cp);
    }
  }
  flush();
  out += s.slice(last);
  return out.includes('\0') ? out.replaceAll('\0', '') : out;
}
