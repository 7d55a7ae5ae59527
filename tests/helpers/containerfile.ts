/**
 * Replaying a Dockerfile/Containerfile without a container engine: the instructions parsed into stages,
 * and COPY applied to plain folders (tests/integration/dockerfile-build.test.ts, tests/e2e/agent-deploy.test.ts).
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

export interface Instruction {
  op: string;
  args: string;
}
export interface Stage {
  from: string;
  name: string | null;
  steps: Instruction[];
}

/** Dockerfile → stages of instructions (continuation lines joined, comments dropped). */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!cur && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (line.endsWith('\\')) cur += `${line.slice(0, -1)} `;
    else {
      logical.push((cur + line).trim());
      cur = '';
    }
  }
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\w+)\s+(.*)$/.exec(l);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: f?.[1] ?? args, name: f?.[2] ?? null, steps: [] });
    } else stages.at(-1)?.steps.push({ op, args });
  }
  return stages;
}

function copyInto(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, dereference: false });
}

/**
 * COPY a [b …] dest, relative to a stage's WORKDIR; a dest ending in / or several sources means a folder.
 */
export function applyCopy(args: string[], srcRoot: string, stageRoot: string, workdir: string): void {
  const dest = args.at(-1)!;
  const sources = args.slice(0, -1);
  const destAbs = dest.startsWith('/') ? join(stageRoot, dest) : join(stageRoot, workdir, dest);
  for (const s of sources) {
    const from = join(srcRoot, s.replace(/^\//, ''));
    expect(existsSync(from), `COPY source ${s} exists`).toBe(true);
    const intoDir = dest.endsWith('/') || sources.length > 1;
    const target = intoDir ? join(destAbs, s.split('/').filter(Boolean).at(-1)!) : destAbs;
    // `COPY dir /` copies the folder's contents
    if (dest === '/') cpSync(from, stageRoot, { recursive: true });
    else copyInto(from, target);
  }
}
