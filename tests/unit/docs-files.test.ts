/**
 * No doc sends a user to a file they do not have: README.md and DOCS.md never name the developers' contract
 * (`../shared`, DESIGN.md), every relative Markdown link points at a file in the repository, and every
 * command line of their shell blocks is one the docs-as-tests suite can run (tests/e2e/cli-lan.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docCommands, shellWords } from '../helpers/docCommands.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Paths the docs name that are not in a checkout but made by the command the same sentence names. */
const MADE_BY: Record<string, string> = {
  'bench/results.json': 'npm run bench',
  'frontend-card/dist/lan-sentinel-card.js': 'npm run build',
};

describe('files the docs name', () => {
  for (const file of ['README.md', 'DOCS.md']) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    it(`${file} does not name the developers' DESIGN.md or ../shared`, () => {
      expect(text).not.toMatch(/DESIGN\.md|\.\.\/shared|DESIGN §/);
    });
    it(`${file}'s relative links point at files that exist`, () => {
      const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((m) => m[1]!)
        .filter((l) => !/^[a-z]+:/.test(l));
      const missing = links.filter((l) => !existsSync(join(dirname(join(ROOT, file)), l)));
      expect(missing).toEqual([]);
    });
    it(`${file}'s repository paths in backticks exist in a checkout`, () => {
      // what a user copies from a checkout (`deploy/agent/…`, `tests/e2e/…`); runtime files (data/…) are not here
      const paths = [
        ...text.matchAll(/`((?:deploy|tests|scripts|bench|src|frontend-card|addon)\/[^`\s]+)`/g),
      ].map((m) => m[1]!);
      if (file === 'DOCS.md') expect(paths.length).toBeGreaterThan(0);
      const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
      const inCheckout = (p: string) =>
        tracked.some((t) => t === p || t.startsWith(`${p.replace(/\/$/, '')}/`));
      expect(paths.filter((p) => !inCheckout(p) && !(p in MADE_BY))).toEqual([]);
    });
  }
  it('each path made by a command is named beside that command', () => {
    const text = ['README.md', 'DOCS.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    for (const [path, cmd] of Object.entries(MADE_BY)) {
      const line = text.split('\n').find((l) => l.includes(path));
      if (line) expect(line, path).toContain(cmd);
    }
  });
  it('every shell line of the docs is a command the docs tests run', () => {
    const cmds = docCommands(ROOT);
    expect(cmds.filter((c) => c.kind === 'cli').length).toBeGreaterThan(10);
  });
  it('shell words: quotes, comments, assignments', () => {
    expect(shellWords(`A=1 npm start -- schedules add w --cron "0 4 * * 0"   # note`)).toEqual([
      'A=1',
      'npm',
      'start',
      '--',
      'schedules',
      'add',
      'w',
      '--cron',
      '0 4 * * 0',
    ]);
    expect(shellWords(`x 'a#b' c#d`)).toEqual(['x', 'a#b', 'c#d']);
  });
});
