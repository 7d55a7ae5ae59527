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
 * Raw (undecoded) attributes as a flat list: name0, value0, name1, value1, … (no object keys, so names such as
 * `__proto__` are plain data). Read with `rawAttr`.
 */
export type RawAttrs = readonly string[];

export function rawAttr(attrs: RawAttrs, name: string): string | undefined {
  for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === name) return attrs[i + 1];
  return undefined;
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
  const attrs: string[] = [];

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
        const name = xml.slice(lt + 2, nameEnd);
        const gt = skipSpace(nameEnd);
        if (xml.charCodeAt(gt) !== 62) fail(`malformed closing tag </${name}`, lt);
        const open = stack.pop();
        if (open !== name) fail(`closing tag </${name}> does not match <${open ?? '(none)'}>`, lt);
        handler.close(name, stack);
        if (stack.length === 0) rootClosed = true;
        pos = gt + 1;
        continue;
      }

      // start tag
      if (rootClosed) fail('content after the root element', lt);
      const nameEnd = readName(lt + 1);
      const name = xml.slice(lt + 1, nameEnd);
      attrs.length = 0;
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
        const attrName = xml.slice(afterSpace, attrEnd);
        let j = skipSpace(attrEnd);
        if (xml.charCodeAt(j) !== 61 /* = */) fail(`attribute ${attrName} has no value in <${name}>`, j);
        j = skipSpace(j + 1);
        const quote = xml.charCodeAt(j);
        if (quote !== 34 && quote !== 39) fail(`unquoted attribute ${attrName} in <${name}>`, j);
        const close = xml.indexOf(quote === 34 ? '"' : "'", j + 1);
        if (close === -1) fail(`unterminated attribute value (truncated input)`, j);
        const value = xml.slice(j + 1, close);
        if (value.includes('<')) fail(`"<" inside attribute ${attrName}`, j);
        if (rawAttr(attrs, attrName) !== undefined) {
          fail(`duplicate attribute ${attrName} in <${name}>`, afterSpace);
        }
        attrs.push(attrName, value);
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
