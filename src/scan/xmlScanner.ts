/**
 * A strict, linear-time XML tokenizer for the subset nmap writes (pure). It exists because a general parser was
 * measured far too slow for large scans (fast-xml-parser 5.12 took several seconds on a 12 MB, 5,000-host file;
 * this takes tens of milliseconds).
 *
 * Accepted: an XML declaration and processing instructions, comments, one `<!DOCTYPE name>` without an internal
 * subset or external id, elements with quoted attributes, and text. Refused: any other `<!…>` markup (ENTITY,
 * CDATA, ELEMENT), DTD subsets, mismatched or unclosed tags, duplicate attributes, `<` inside attribute values,
 * text outside the root, a second root, nesting deeper than 64. No entity is ever expanded here: attribute values
 * and text are handed over raw, to be decoded by `decodeXmlText` (predefined and numeric references only).
 *
 * No regular expressions run over unbounded input, so hostile input cannot trigger catastrophic backtracking.
 */

/**
 * The raw (undecoded) attributes of the element being opened: offsets into the document, so an attribute the
 * handler never asks for is never copied out of it (a 5,000-host scan has ~2 million attributes; slicing each one
 * was half of the parser's allocation). Read with `rawAttr`; `copy()` keeps them past the `open` call. Names are
 * plain data (no object keys), so `__proto__` is just a name.
 */
export interface RawAttrs {
  /** the value of the attribute `name`, raw (undecoded), or undefined when the element has none */
  get(name: string): string | undefined;
  /** a copy that outlives the `open` call */
  copy(): RawAttrs;
}

export function rawAttr(attrs: RawAttrs, name: string): string | undefined {
  return attrs.get(name);
}

/** Attributes as offsets: [nameStart, nameEnd, valueStart, valueEnd] per attribute, `count` of them. */
class OffsetAttrs implements RawAttrs {
  /** reused for every element (grown when needed), so reading attributes allocates nothing but the values asked for */
  private offsets = new Int32Array(64);
  private count = 0;
  constructor(private readonly xml: string) {}

  clear(): void {
    this.count = 0;
  }

  add(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    const at = this.count * 4;
    if (at + 4 > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const o = this.offsets;
    o[at] = nameStart;
    o[at + 1] = nameEnd;
    o[at + 2] = valueStart;
    o[at + 3] = valueEnd;
    this.count++;
  }

  get(name: string): string | undefined {
    const o = this.offsets;
    const len = name.length;
    const end = this.count * 4;
    for (let i = 0; i < end; i += 4) {
      const start = o[i] as number;
      if ((o[i + 1] as number) - start === len && this.xml.startsWith(name, start))
        return this.xml.slice(o[i + 2], o[i + 3]);
    }
    return undefined;
  }

  /** An attribute named like xml[start, end) is already in the list. */
  has(start: number, end: number): boolean {
    const o = this.offsets;
    const len = end - start;
    const last = this.count * 4;
    for (let i = 0; i < last; i += 4) {
      const s = o[i] as number;
      if ((o[i + 1] as number) - s !== len) continue;
      let k = 0;
      while (k < len && this.xml.charCodeAt(s + k) === this.xml.charCodeAt(start + k)) k++;
      if (k === len) return true;
    }
    return false;
  }

  copy(): RawAttrs {
    const c = new OffsetAttrs(this.xml);
    c.offsets = this.offsets.slice(0, Math.max(4, this.count * 4));
    c.count = this.count;
    return c;
  }
}

/**
 * Element names seen before are handed out as the same string (no copy per tag): nmap's documents use a few dozen
 * names millions of times. Bounded: at most NAME_CACHE names are kept, a hostile document with more is sliced.
 */
const NAME_CACHE = 256;
class Names {
  private readonly slots: Array<string | undefined> = new Array(NAME_CACHE);
  constructor(private readonly xml: string) {}

  get(start: number, end: number): string {
    const len = end - start;
    const h = (this.xml.charCodeAt(start) * 31 + this.xml.charCodeAt(end - 1) * 7 + len) & (NAME_CACHE - 1);
    const hit = this.slots[h];
    if (hit !== undefined && hit.length === len && this.xml.startsWith(hit, start)) return hit;
    const name = this.xml.slice(start, end);
    this.slots[h] = name;
    return name;
  }
}

export interface XmlHandler {
  /**
   * An element starts. `parents` lists the open ancestors, outermost first. Both `attrs` and `parents` are reused
   * for the next element: copy what must outlive the call.
   */
  open(name: string, attrs: RawAttrs, parents: readonly string[]): void;
  close(name: string, parents: readonly string[]): void;
  /** Character data between markup inside the root element (raw, undecoded); whitespace-only runs are skipped. */
  text?(raw: string, parents: readonly string[]): void;
}

export const MAX_XML_DEPTH = 64;

class XmlSyntaxError extends Error {}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58; // A-Z a-z _ :
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46; // 0-9 - .
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Walks `xml`, calling `handler` for each element and text run. Returns undefined when the document is
 * well-formed, otherwise a short reason with the character offset. Exceptions thrown by the handler propagate.
 */
export function scanXml(xml: string, handler: XmlHandler): string | undefined {
  const n = xml.length;
  const stack: string[] = [];
  let rootSeen = false;
  let rootClosed = false;
  let doctypeSeen = false;
  let pos = 0;
  const attrs = new OffsetAttrs(xml);
  const names = new Names(xml);
  /** the first '<' after the last attribute value checked (searched again only once passed: linear in all) */
  let nextLt = -1;

  const fail = (why: string, at: number): never => {
    throw new XmlSyntaxError(`${why} at offset ${at}`);
  };
  const readName = (at: number): number => {
    if (at >= n || !isNameStart(xml.charCodeAt(at))) fail('expected a name', at);
    let i = at + 1;
    while (i < n && isNameChar(xml.charCodeAt(i))) i++;
    return i;
  };
  const skipSpace = (at: number): number => {
    let i = at;
    while (i < n && isSpace(xml.charCodeAt(i))) i++;
    return i;
  };

  try {
    while (pos < n) {
      const lt = xml.indexOf('<', pos);
      const end = lt === -1 ? n : lt;
      if (end > pos) {
        if (stack.length === 0) {
          if (!isBlank(xml, pos, end)) fail('text outside the root element', pos);
        } else if (handler.text && !isBlank(xml, pos, end)) {
          handler.text(xml.slice(pos, end), stack);
        }
      }
      if (lt === -1) break;
      const c = xml.charCodeAt(lt + 1);

      if (c === 33 /* ! */) {
        if (xml.startsWith('<!--', lt)) {
          const close = xml.indexOf('-->', lt + 4);
          if (close === -1) fail('unterminated comment (truncated input)', lt);
          pos = close + 3;
        } else if (xml.startsWith('<!DOCTYPE', lt)) {
          if (doctypeSeen || rootSeen) fail('misplaced DOCTYPE', lt);
          doctypeSeen = true;
          let i = readName(skipSpace(lt + 9));
          i = skipSpace(i);
          if (xml.charCodeAt(i) !== 62 /* > */) fail('DOCTYPE with an internal subset or external id', lt);
          pos = i + 1;
        } else {
          fail('unsupported markup declaration (<!ENTITY, <![CDATA[ …)', lt);
        }
        continue;
      }

      if (c === 63 /* ? */) {
        const close = xml.indexOf('?>', lt + 2);
        if (close === -1) fail('unterminated processing instruction (truncated input)', lt);
        pos = close + 2;
        continue;
      }

      if (c === 47 /* / */) {
        const nameEnd = readName(lt + 2);
        const gt = skipSpace(nameEnd);
        if (xml.charCodeAt(gt) !== 62) fail(`malformed closing tag </${xml.slice(lt + 2, nameEnd)}`, lt);
        const open = stack.pop();
        if (open === undefined || open.length !== nameEnd - lt - 2 || !xml.startsWith(open, lt + 2))
          fail(`closing tag </${xml.slice(lt + 2, nameEnd)}> does not match <${open ?? '(none)'}>`, lt);
        const name = open as string;
        handler.close(name, stack);
        if (stack.length === 0) rootClosed = true;
        pos = gt + 1;
        continue;
      }

      // start tag
      if (rootClosed) fail('content after the root element', lt);
      const nameEnd = readName(lt + 1);
      const name = names.get(lt + 1, nameEnd);
      attrs.clear();
      let i = nameEnd;
      let selfClosing = false;
      for (;;) {
        const afterSpace = skipSpace(i);
        if (afterSpace >= n) fail(`unterminated tag <${name}> (truncated input)`, lt);
        const ch = xml.charCodeAt(afterSpace);
        if (ch === 62 /* > */) {
          i = afterSpace + 1;
          break;
        }
        if (ch === 47 /* / */) {
          if (xml.charCodeAt(afterSpace + 1) !== 62) fail(`malformed tag <${name}>`, lt);
          selfClosing = true;
          i = afterSpace + 2;
          break;
        }
        if (afterSpace === i) fail(`missing space before an attribute in <${name}>`, afterSpace);
        const attrEnd = readName(afterSpace);
        let j = skipSpace(attrEnd);
        if (xml.charCodeAt(j) !== 61 /* = */)
          fail(`attribute ${xml.slice(afterSpace, attrEnd)} has no value in <${name}>`, j);
        j = skipSpace(j + 1);
        const quote = xml.charCodeAt(j);
        if (quote !== 34 && quote !== 39)
          fail(`unquoted attribute ${xml.slice(afterSpace, attrEnd)} in <${name}>`, j);
        const close = xml.indexOf(quote === 34 ? '"' : "'", j + 1);
        if (close === -1) fail(`unterminated attribute value (truncated input)`, j);
        if (nextLt <= j) {
          const k = xml.indexOf('<', j + 1);
          nextLt = k === -1 ? n : k;
        }
        if (nextLt < close) fail(`"<" inside attribute ${xml.slice(afterSpace, attrEnd)}`, j);
        if (attrs.has(afterSpace, attrEnd))
          fail(`duplicate attribute ${xml.slice(afterSpace, attrEnd)} in <${name}>`, afterSpace);
        attrs.add(afterSpace, attrEnd, j + 1, close);
        i = close + 1;
      }
      if (stack.length === 0) {
        if (rootSeen) fail('a second root element', lt);
        rootSeen = true;
      }
      if (stack.length >= MAX_XML_DEPTH) fail(`elements nested deeper than ${MAX_XML_DEPTH}`, lt);
      handler.open(name, attrs, stack);
      if (selfClosing) {
        handler.close(name, stack);
        if (stack.length === 0) rootClosed = true;
      } else {
        stack.push(name);
      }
      pos = i;
    }
  } catch (e) {
    if (e instanceof XmlSyntaxError) return e.message;
    throw e;
  }
  if (stack.length > 0) return `input ends inside <${stack[stack.length - 1]}> (truncated input)`;
  if (!rootSeen) return 'no root element';
  return undefined;
}
