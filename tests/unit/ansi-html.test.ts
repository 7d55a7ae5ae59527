import { describe, expect, it } from 'vitest';
import { ansiToHtml, applySgr, colour256, escapeHtml, PALETTE16 } from '../../scripts/ansi-html.js';

describe('ansiToHtml (the CLI screenshots)', () => {
  it('escapes & < > " in plain and in styled text', () => {
    expect(ansiToHtml('a<b> & "c"')).toBe('a&lt;b&gt; &amp; &quot;c&quot;');
    expect(ansiToHtml('\x1b[31m<img src=x>\x1b[0m')).toBe(
      `<span style="color:${PALETTE16[1]}">&lt;img src=x&gt;</span>`,
    );
    expect(escapeHtml('<&>')).toBe('&lt;&amp;&gt;');
  });

  it('colours, bold and reset: a style lasts until reset, and plain text after a reset has no span', () => {
    const html = ansiToHtml('\x1b[1mHEAD\x1b[0m x \x1b[32;1mok\x1b[39m bold\x1b[m end');
    expect(html).toBe(
      '<span style="font-weight:bold">HEAD</span> x ' +
        `<span style="color:${PALETTE16[2]};font-weight:bold">ok</span>` +
        '<span style="font-weight:bold"> bold</span> end',
    );
  });

  it('bright, 256-colour and truecolour foregrounds and backgrounds; 22 ends bold', () => {
    expect(ansiToHtml('\x1b[91mA')).toBe(`<span style="color:${PALETTE16[9]}">A</span>`);
    expect(ansiToHtml('\x1b[38;5;196mA')).toBe('<span style="color:rgb(255,0,0)">A</span>');
    expect(ansiToHtml('\x1b[48;2;1;2;3mA')).toBe('<span style="background:rgb(1,2,3)">A</span>');
    expect(colour256(244)).toBe('rgb(128,128,128)');
    const s = applySgr(applySgr(applySgr({} as never, [0]), [1, 2]), [22]);
    expect(s.bold || s.dim).toBe(false);
  });

  it('drops other escape sequences and control characters, keeps newlines', () => {
    expect(ansiToHtml('a\x1b[2Kb\x1b]0;title\x07c\rd\ne')).toBe('abcd\ne');
  });
});
