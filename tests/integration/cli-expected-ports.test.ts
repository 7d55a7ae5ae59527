/**
 * `lan-sentinel devices expected …` (issue 15: expected ports "also via API and CLI"), the built CLI in a
 * child process:
 * - remote: `--api-url/--api-key` against the real API app listening on loopback (real SQLite file, real
 *   threat assessor, real findings/expected-ports repositories);
 * - local: `--data-dir` on the same data dir with no service running, so the CLI serves the data dir itself;
 * both print the same; setting the list raises `unexpected_port` for an open port outside it and
 * "accept-open" clears it; bad ports and a read-only key are refused with what to do, no stack trace.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsPort } from '../../src/api/adapters.js';
import type { Change } from '../../src/inventory/types.js';
import { createThreatAssessor } from '../../src/service/threatAssessor.js';
import { FindingsRepo } from '../../src/store/findingsRepo.js';
import { silentLogger } from '../../src/util/logger.js';
import { type Harness, MACS, makeHarness } from '../helpers/apiFixtures.js';
import { assertBuilt, CLI, ROOT } from '../helpers/serviceProcess.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: ROOT,
        timeout: 60_000,
        // no SUPERVISOR_TOKEN (add-on mode), no LAN_SENTINEL_API_URL from the caller's environment
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', COLUMNS: '100' },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

let h: Harness;
let url: string;
let admin: string;
let read: string;
let repo: FindingsRepo;
const emitted: Change[] = [];
const remote = (args: string[], key = admin) => cli([...args, '--api-url', url, '--api-key', key]);
const local = (args: string[]) => cli([...args, '--data-dir', h.dir]);
const widest = (s: string) => Math.max(0, ...s.split('\n').map((l) => [...l].length));
const unexpectedActive = () =>
  repo.list({ mac: MACS.nas, status: 'active', limit: 500 }).filter((f) => f.kind === 'unexpected_port');

beforeAll(async () => {
  assertBuilt();
  h = await makeHarness();
  repo = new FindingsRepo(h.store.db);
  const threats = createThreatAssessor({
    store: h.store,
    db: h.store.db,
    findings: repo,
    logger: silentLogger,
  });
  // the routes read deps.findings per request: the real port, as main.ts wires it
  h.deps.findings = findingsPort(repo, {
    db: h.store.db,
    reassess: (mac) => emitted.push(...threats.assess([mac], new Date()).changes),
  });
  admin = h.keys.create('cli-admin', 'admin').secret;
  read = h.keys.create('cli-read', 'read').secret;
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/`;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('lan-sentinel devices expected', () => {
  it('shows "none set" the same remotely and locally; the NAS has 22, 80 and 445 open', async () => {
    const [a, b] = await Promise.all([
      remote(['devices', 'expected', 'NAS']),
      local(['devices', 'expected', 'NAS']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain(`NAS (${MACS.nas}): no expected ports set`);
    expect(a.stdout).toMatch(/^445\/tcp\s+microsoft-ds\s+open\s*$/m);
    expect(widest(a.stdout)).toBeLessThanOrEqual(100);
  });

  it('set by hand (remote): the open port outside the list raises unexpected_port at once', async () => {
    expect(unexpectedActive()).toEqual([]);
    const r = await remote(['devices', 'expected', '10.213.0.10', 'set', '22', '80/tcp,tcp/8443', '53/udp']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('4 expected ports, set ');
    expect(r.stdout).toMatch(/^53\/udp\s+-\s+expected, closed\s*$/m);
    expect(r.stdout).toMatch(/^445\/tcp\s+microsoft-ds\s+open, UNEXPECTED\s*$/m);
    expect(r.stdout).toMatch(/^22\/tcp\s+ssh\s+open, expected\s*$/m);
    expect(r.stdout).toMatch(/^8443\/tcp\s+-\s+expected, closed\s*$/m);
    expect(r.stdout).toContain('1 open port is outside the expected ones');
    expect(h.store.db.prepare('SELECT ports FROM device_expected_ports WHERE mac = ?').get(MACS.nas)).toEqual(
      {
        ports: JSON.stringify(['tcp/22', 'tcp/80', 'tcp/8443', 'udp/53']),
      },
    );
    const hit = unexpectedActive();
    expect(hit.map((f) => f.port)).toEqual([445]);
    expect(emitted.some((c) => c.type === 'unexpected_port' && c.mac === MACS.nas)).toBe(true);
    // audited with the actor of the key
    const audit = h.audit.list({ limit: 50 }).items.filter((e) => e.action === 'device.expected_ports');
    expect(audit.length).toBe(1);
    expect(audit[0]!.actor).toBe('cli-admin');
  });

  it('local show prints what remote shows; --json is the API object', async () => {
    const [a, b] = await Promise.all([
      remote(['devices', 'expected', 'NAS']),
      local(['devices', 'expected', 'NAS']),
    ]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const j = await local(['devices', 'expected', MACS.nas, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({
      mac: MACS.nas,
      ports: ['tcp/22', 'tcp/80', 'tcp/8443', 'udp/53'],
    });
  });

  it('accept-open (local, no service running) expects exactly what is open; the finding resolves', async () => {
    const r = await local(['devices', 'expected', 'NAS', 'accept-open']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 expected ports, set ');
    for (const p of ['22/tcp', '80/tcp', '445/tcp'])
      expect(r.stdout).toMatch(new RegExp(`^${p}\\s+\\S+\\s+open, expected\\s*$`, 'm'));
    expect(r.stdout).not.toContain('UNEXPECTED');
    expect(unexpectedActive()).toEqual([]);
    const j = JSON.parse((await remote(['devices', 'expected', 'NAS', '--json'])).stdout) as {
      ports: string[];
    };
    expect(j.ports).toEqual(['tcp/22', 'tcp/80', 'tcp/445']);
  });

  it('clear removes the list (remote)', async () => {
    const r = await remote(['devices', 'expected', 'NAS', 'clear', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ports: null });
    expect((await local(['devices', 'expected', 'NAS'])).stdout).toContain('no expected ports set');
  });

  it('refuses bad ports, a missing list, unknown actions and a read-only key, saying what to do', async () => {
    for (const [args, re] of [
      [['set', '70000'], /not a port: "70000"; give 1-65535 as 22, 22\/tcp, 53\/udp or tcp\/443/],
      [['set', 'ssh'], /not a port: "ssh"/],
      [['set', 'tcp/22/udp'], /not a port/],
      [['set'], /give at least one port, or "clear"/],
      [['open-all'], /unknown action "open-all"; use show, set, accept-open or clear/],
    ] as const) {
      const r = await remote(['devices', 'expected', 'NAS', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(64);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const nobody = await remote(['devices', 'expected', '10.213.9.9']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no device "10.213.9.9"');
    const denied = await remote(['devices', 'expected', 'NAS', 'accept-open'], read);
    expect(denied.code).toBe(77);
    expect(denied.stderr).toMatch(/scope admin/);
    expect(
      h.store.db.prepare('SELECT 1 FROM device_expected_ports WHERE mac = ?').get(MACS.nas),
    ).toBeUndefined();
  });

  it('every `devices expected` example of README.md and DOCS.md runs as written (local data dir)', async () => {
    const examples = ['README.md', 'DOCS.md'].flatMap((f) =>
      [
        ...readFileSync(join(ROOT, f), 'utf8').matchAll(
          /^(?:npm start --|lan-sentinel) (devices expected [^#\n]*?)\s*(?:#.*)?$/gm,
        ),
      ].map((m) => ({ file: f, args: m[1]!.split(/\s+/) })),
    );
    // README: accept-open; DOCS: show, set, accept-open, clear
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(new Set(examples.map((e) => e.args[3] ?? 'show'))).toEqual(
      new Set(['show', 'set', 'accept-open', 'clear']),
    );
    for (const e of examples) {
      const r = await local(e.args);
      expect(r.code, `${e.file}: ${e.args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`NAS (${MACS.nas})`);
    }
  });

  it('`help devices` lists the expected-ports actions', async () => {
    const r = await cli(['help', 'devices']);
    for (const a of ['devices expected <device> [show]', 'set PORT…', 'accept-open', 'clear'])
      expect(r.stdout).toContain(a);
  });
});
