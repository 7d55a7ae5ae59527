/**
 * There is no Docker engine on these machines, so the Dockerfile is proven by replaying its steps on Debian:
 * the build stage's COPY lines assemble a fresh build context (only what the Dockerfile copies), its RUN lines
 * run there (`apk add` is the one step that cannot: its Debian counterparts are what `.ci/run` installs, and
 * `npm ci` is served from this checkout's installed node_modules of the same lock file), then the runtime
 * stage's `COPY --from=build` lines assemble /app, and the result must run: version, a CVE feed import
 * (better-sqlite3's native module and the shipped CVE data after `npm prune --omit=dev`), the UI, the card,
 * the healthcheck and the s6 run script's entry point.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCopy, parseDockerfile } from '../helpers/containerfile.js';
import { SERVICE_NODE_FLAGS } from '../helpers/serviceProcess.js';

const nodeFlagsOf = (s: string) => s.split(/\s+/).filter((f) => f.startsWith('--'));

const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const work = mkdtempSync(join(tmpdir(), 'lsn-docker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Dockerfile build steps replayed on Debian', () => {
  const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const build = stages.find((s) => s.name === 'build');
  const runtime = stages.at(-1);

  it('has a named build stage and a runtime stage on the same pinned base', () => {
    expect(build).toBeDefined();
    expect(runtime).toBeDefined();
    expect(runtime).not.toBe(build);
    expect(build!.from).toMatch(/^ghcr\.io\/home-assistant\/base:\d+\.\d+/);
    expect(runtime!.from).toBe(build!.from);
  });

  it('builds a runnable dist/ from exactly what the build stage copies, and the runtime stage runs it', () => {
    const buildRoot = join(work, 'build');
    let workdir = '/';
    const skipped: string[] = [];
    for (const step of build!.steps) {
      if (step.op === 'WORKDIR') {
        workdir = step.args;
        mkdirSync(join(buildRoot, workdir), { recursive: true });
      } else if (step.op === 'COPY') {
        const parts = step.args.split(/\s+/);
        expect(
          parts.some((p) => p.startsWith('--')),
          `no flags in build COPY: ${step.args}`,
        ).toBe(false);
        applyCopy(parts, ROOT, buildRoot, workdir);
      } else if (step.op === 'RUN') {
        for (const cmd of step.args.split('&&').map((c) => c.trim())) {
          if (/^apk add /.test(cmd)) {
            skipped.push(cmd);
            continue;
          }
          const cwd = join(buildRoot, workdir);
          if (/^npm ci\b/.test(cmd)) {
            // same lock file as this checkout, whose node_modules `npm ci` installed
            cpSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'), { recursive: true });
            continue;
          }
          // commands from our own Dockerfile, run as Docker's RUN would (sh -c); no network input involved
          execFileSync('sh', ['-c', cmd], {
            cwd,
            stdio: 'pipe',
            timeout: 240_000,
            env: { ...process.env, CI: 'true' },
          });
        }
      }
    }
    expect(skipped.every((c) => /nodejs/.test(c))).toBe(true);

    const runRoot = join(work, 'runtime');
    let runWorkdir = '/';
    for (const step of runtime!.steps) {
      if (step.op === 'WORKDIR') runWorkdir = step.args;
      else if (step.op === 'COPY') {
        const parts = step.args.split(/\s+/);
        const from = parts.find((p) => p.startsWith('--from='));
        const rest = parts.filter((p) => !p.startsWith('--'));
        if (from) {
          expect(from).toBe('--from=build');
          applyCopy(rest, buildRoot, runRoot, runWorkdir);
        } else applyCopy(rest, ROOT, runRoot, runWorkdir);
      }
    }
    const app = join(runRoot, runWorkdir);
    const node = (args: string[], cwd = app) =>
      execFileSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 30_000 }).trim();

    expect(node(['dist/cli.js', '--version'])).toContain(VERSION);
    // devDependencies are gone after the prune, the native sqlite module and the CVE data are there
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'better-sqlite3'))).toBe(true);
    const data = join(work, 'data');
    const imported = node([
      'dist/cli.js',
      'cve',
      'import',
      join(ROOT, 'tests', 'fixtures', 'feeds', 'nvd-cve-2.0-sample.json'),
      '--data-dir',
      data,
    ]);
    expect(imported).toMatch(/import/i);
    expect(existsSync(join(data, 'lan-sentinel.db'))).toBe(true);
    expect(existsSync(join(app, 'dist', 'ui', 'index.html'))).toBe(true);
    expect(existsSync(join(app, 'frontend-card', 'dist', 'lan-sentinel-card.js'))).toBe(true);

    // HEALTHCHECK and the s6 run script point at files that exist in /app
    const health = runtime!.steps.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
    const healthJs = /"(\/app\/[^"]+\.js)"/.exec(health)?.[1];
    expect(healthJs).toBeDefined();
    expect(existsSync(join(runRoot, healthJs!))).toBe(true);
    const runScript = readFileSync(join(runRoot, 'etc', 'services.d', 'lan-sentinel', 'run'), 'utf8');
    const entry = /exec node (?:--\S+ )*(\/app\/\S+\.js) run/.exec(runScript)?.[1];
    expect(entry).toBeDefined();
    expect(existsSync(join(runRoot, entry!))).toBe(true);
    // the add-on starts node with the same V8 flags as `npm start` (and the benchmarks)
    expect(nodeFlagsOf(/exec node ((?:--\S+ )*)\/app/.exec(runScript)?.[1] ?? '')).toEqual(
      SERVICE_NODE_FLAGS,
    );
  }, 300_000);
});
