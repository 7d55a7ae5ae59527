import { describe, expect, it } from 'vitest';
import { escapeMarkdown, markdownCode } from '../../src/util/text.js';

/** CommonMark's reading of a backslash escape: `\` + ASCII punctuation is that punctuation, shown literally. */
function readBack(s: string): string {
  return s.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

describe('escapeMarkdown (notification text for HA)', () => {
  it('a link, emphasis, code, HTML, an entity and strikethrough are escaped', () => {
    expect(escapeMarkdown('[click](http://evil)')).toBe('\\[click\\](http://evil)');
    expect(escapeMarkdown('![x](http://evil/p.png)')).toBe('!\\[x\\](http://evil/p.png)');
    expect(escapeMarkdown('**x** _y_ `z`')).toBe('\\*\\*x\\*\\* \\_y\\_ \\`z\\`');
    expect(escapeMarkdown('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert(1)\\>');
    expect(escapeMarkdown('a &lt; b ~~gone~~ | c')).toBe('a \\&lt; b \\~\\~gone\\~\\~ \\| c');
    expect(escapeMarkdown('back\\slash')).toBe('back\\\\slash');
  });

  it('a line that would become a heading, list, quote or rule is escaped at its start only', () => {
    expect(escapeMarkdown('# big')).toBe('\\# big');
    expect(escapeMarkdown('- item\n+ item\n=== \n1. one\n 2) two')).toBe(
      '\\- item\n\\+ item\n\\=== \n1\\. one\n 2\\) two',
    );
    expect(escapeMarkdown('> quote')).toBe('\\> quote');
    expect(escapeMarkdown('New device Apple 12:34:56 at 10.213.0.77 (tcp/80) #3 - ok')).toBe(
      'New device Apple 12:34:56 at 10.213.0.77 (tcp/80) #3 - ok',
    );
  });

  it('every escape reads back as the original text', () => {
    const hostile = [
      '[click](http://evil)',
      '**x**',
      '<img src=x>',
      '# h\n- l\n1. n',
      '\\*already\\*',
      '`a` ~b~ &amp; |t|',
      'plain text ünïcödé 🙂',
    ];
    for (const s of hostile) expect(readBack(escapeMarkdown(s))).toBe(s);
  });
});

describe('markdownCode (a literal path or value inside HA Markdown)', () => {
  it('the fence outgrows every backtick run and a leading or trailing backtick is padded', () => {
    expect(markdownCode('/config/www')).toBe('`/config/www`');
    expect(markdownCode('a`b``c')).toBe('```a`b``c```');
    expect(markdownCode('`x`')).toBe('`` `x` ``');
    expect(markdownCode('two\nlines')).toBe('`two lines`');
  });
});
