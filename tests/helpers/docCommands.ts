/**
 * The command lines of README.md's and DOCS.md's shell code blocks (```sh / ```bash / ```shell), as argv
 * with their leading `VAR=value` assignments, so the docs-as-tests suite can run every one of them.
 * A line is `npm start -- ARGS`, `lan-sentinel ARGS` or bare `npm start` / `npm test`; anything else in a
 * shell block is an error (a doc line no test could run).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocCommand {
  file: string;
  line: number;
  text: string;
  env: Record<string, string>;
  /** `npm start`, `npm test`, the CLI's own arguments, or a line another test replays / that cannot run here */
  kind: 'npm-start' | 'npm-test' | 'cli' | 'not-runnable';
  args: string[];
  /** for `not-runnable`: why this suite does not run it, and what covers it instead */
  reason?: string;
}

/**
 * The shell lines of the docs this suite does not run itself, each with the reason. Anything else that is
 * not a CLI line is an error, so a new doc line is either run or classified here on purpose.
 */
export const NOT_RUNNABLE: ReadonlyArray<{ file: string; match: RegExp; reason: string }> = [
  {
    file: 'DOCS.md',
    match: /^sudo (install|systemctl) /,
    reason:
      'systemd install of a satellite agent on another box (root-owned /etc, systemctl): replayed by tests/e2e/agent-deploy.test.ts',
  },
  {
    file: 'DOCS.md',
    match: /^podman (build|secret|run) /,
    reason:
      'container deploy of a satellite agent (no container engine here): the Containerfile and `podman run` are replayed by tests/e2e/agent-deploy.test.ts',
  },
];

/** Shell words: whitespace-separated, with '…' and "…" quoting; `#` at a word start begins a comment. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  let quote: '"' | "'" | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur ??= '';
    } else if (/\s/.test(ch)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (ch === '#' && cur === null) {
      break;
    } else cur = (cur ?? '') + ch;
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${line}`);
  if (cur !== null) words.push(cur);
  return words;
}

export function docCommands(root: string, files = ['README.md', 'DOCS.md']): DocCommand[] {
  const out: DocCommand[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let inShell = false;
    let inBlock = false;
    for (const [i, raw] of lines.entries()) {
      const fence = /^\s*```(\w*)/.exec(raw);
      if (fence) {
        if (inBlock) inBlock = inShell = false;
        else {
          inBlock = true;
          inShell = ['sh', 'bash', 'shell', 'console'].includes(fence[1] ?? '');
        }
        continue;
      }
      if (!inShell) continue;
      const words = shellWords(raw.replace(/^\s*\$\s+/, ''));
      if (words.length === 0) continue;
      const env: Record<string, string> = {};
      while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
        const w = words.shift()!;
        env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
      }
      const at = { file, line: i + 1, text: raw.trim(), env };
      if (words[0] === 'npm' && words[1] === 'start' && words[2] === '--')
        out.push({ ...at, kind: 'cli', args: words.slice(3) });
      else if (words[0] === 'lan-sentinel') out.push({ ...at, kind: 'cli', args: words.slice(1) });
      else if (words.join(' ') === 'npm start') out.push({ ...at, kind: 'npm-start', args: [] });
      else if (words.join(' ') === 'npm test') out.push({ ...at, kind: 'npm-test', args: [] });
      else if (NOT_RUNNABLE.some((n) => n.file === file && n.match.test(raw.trim())))
        out.push({
          ...at,
          kind: 'not-runnable',
          args: words,
          reason: NOT_RUNNABLE.find((n) => n.file === file && n.match.test(raw.trim()))!.reason,
        });
      else throw new Error(`${file}:${i + 1}: a shell line the docs tests cannot run: ${raw.trim()}`);
    }
  }
  return out;
}
