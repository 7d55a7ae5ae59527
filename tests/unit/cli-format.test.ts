import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src/cli/format.js';

describe('wrapText', () => {
  it('wraps prose at word boundaries within the width', () => {
    const s =
      'Imported NVD CVE feed from /tmp/x.json: 2 added, 1 updated, 1 skipped. 329 CVE rules are now active.';
    const out = wrapText(s, 40);
    for (const l of out.split('\n')) expect(l.length).toBeLessThanOrEqual(40);
    expect(out.replace(/\n/g, ' ')).toBe(s);
  });
  it('keeps a word longer than the width on its own line and strips control characters', () => {
    expect(wrapText(`a ${'x'.repeat(12)} b\u001b[31m`, 5).split('\n')).toEqual([
      'a',
      'x'.repeat(12),
      expect.stringMatching(/^b/),
    ]);
    expect(wrapText('b\u001b[31m', 5)).not.toContain('\u001b');
  });
});

describe('help', () => {
  it('every line of help and of each command help fits 100 columns', async () => {
    const { HELP, commandHelp } = await import('../../src/cli/help.js');
    const texts = [HELP, ...['scan', 'devices', 'findings', 'schedules', 'login', 'cve'].map(commandHelp)];
    for (const t of texts) expect(t.split('\n').filter((l) => [...l].length > 100)).toEqual([]);
    // wrapped, not cut: the last words of the longest option help are still there
    expect(HELP).toMatch(/--passive[^\n]*\n\s+[^\n]*needs root/);
  });
});

describe('renderTable keep', () => {
  it('cuts the kept column only after the others are down to their least', async () => {
    const { renderTable } = await import('../../src/cli/table.js');
    const rows = [['Ubiquiti access point', 'Ubiquiti Networks Inc.', 'x']];
    const kept = renderTable(['name', 'vendor', 'z'], rows, {
      width: 40,
      shrink: ['name', 'vendor'],
      keep: { name: 22 },
    });
    expect(kept.split('\n')[1]).toMatch(/^Ubiquiti access point {2}Ubiquiti Netw… /);
    for (const l of kept.split('\n')) expect(l.length).toBeLessThanOrEqual(40);
    const plain = renderTable(['name', 'vendor', 'z'], rows, { width: 40, shrink: ['name', 'vendor'] });
    expect(plain.split('\n')[1]).toMatch(/^Ubiquiti access … {2}Ubiquiti Networks…/);
    // too narrow even then: the kept column gives way too
    const narrow = renderTable(['name', 'vendor', 'z'], rows, {
      width: 20,
      shrink: ['name', 'vendor'],
      keep: { name: 22 },
    });
    for (const l of narrow.split('\n')) expect(l.length).toBeLessThanOrEqual(20);
  });
});
