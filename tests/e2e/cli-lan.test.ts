/**
 * The CLI as a user meets it (issue 16), against the real service running in the simulated LAN's scanner
 * namespace with the real nmap:
 * - remote (`--api-url`/`--api-key`, LAN_SENTINEL_API_URL/KEY, the config file): `scan` starts the scan ON the
 *   instance, every listing works, `compare` works, errors name what was wrong with no stack trace;
 * - local (the CLI on the service's data dir, which goes through the running service's CLI token) prints the
 *   same as remote; with no service running the CLI serves the data dir itself, again with the same output;
 * - human tables fit 100 columns; `--json` parses for every listing.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DocCommand, docCommands } from '../helpers/docCommands.js';
import { CLI, eventually, ROOT, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { defaultHosts } from '../lan/hosts.js';
import { describeLan } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this (host) namespace: only ever with a remote, so it never scans from here. */
function remoteCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd,
        timeout: 120_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
        maxBuffer: 10_000_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const widest = (s: string) => Math.max(0, ...s.split('\n').map((l) => [...l].length));
/** ages tick between two runs */
const stable = (s: string) => s.replace(/\b\d+[smhd] ago\b/g, 'N ago');

describeLan('CLI against a running instance (simulated LAN)', () => {
  let lan: SimLan;
  let svc: ServiceProcess;
  let key: string;
  let readKey: string;
  let cfgHome: string;
  const hosts = defaultHosts().filter((h) => ['router', 'pi', 'nas', 'camera', 'phone'].includes(h.name));
  const remote = (args: string[], env: Record<string, string> = {}) =>
    remoteCli([...args, '--api-url', svc.baseUrl, '--api-key', key], env);
  const local = async (args: string[], cwd = ROOT): Promise<Run> => {
    const r = await lan.execInScanner(
      process.execPath,
      [CLI, ...args, '--data-dir', svc.dataDir, '--subnets', lan.subnet],
      { cwd, timeoutMs: 120_000, env: { PATH: process.env.PATH ?? '', HOME: '/root' } },
    );
    return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    lan = await SimLan.create({ hosts });
    svc = await ServiceProcess.start(lan, {
      startTimeoutMs: 60_000,
      flags: serviceFlags({ mqttUrl: 'none', scanNewDevices: false, ports: '22,23,80,2222' }),
    });
    const created = await svc.api<{ secret: string }>('api/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'cli-test', scope: 'admin' }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    key = created.body.secret;
    const r = await svc.api<{ secret: string }>('api/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'cli-read', scope: 'read' }),
    });
    readKey = r.body.secret;
    cfgHome = mkdtempSync(join(tmpdir(), 'lsn-cfg-'));
    // a fresh install port-scans every device once after its first sweep (scans 1 and 2): let it finish
    await eventually(
      async () =>
        (await svc.api<{ port_scans: { initial: string } }>('api/health')).body.port_scans.initial === 'done',
      90_000,
      'the first-start port scan',
    );
  }, 180_000);

  afterAll(async () => {
    await svc?.stop().catch(() => undefined);
    svc?.cleanup();
    await lan?.destroy();
    if (cfgHome) rmSync(cfgHome, { recursive: true, force: true });
  }, 60_000);

  it('scan --api-url starts the sweep and port scan on the instance and prints what it found', async () => {
    const before = await svc.api<{ total: number }>('api/scans?limit=1');
    const r = await remote(['scan', '--once', '--ports']);
    expect(r.code, r.stderr).toBe(0);
    // not a TTY: plain progress lines on stderr, the result on stdout
    expect(r.stderr).toMatch(/^scan \d+ \(sweep\) started$/m);
    expect(r.stderr).toMatch(/^scan \d+ \(ports\) finished in .*: \d+ hosts up/m);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    // no terminal: no escape codes, no carriage returns; stdout carries its own summary (stderr may go elsewhere)
    expect(r.stderr + r.stdout).not.toMatch(/[\r\x1b]/);
    expect(r.stdout).toMatch(/^scan \d+ ports finished in .*: \d+ hosts up/m);
    for (const h of hosts) expect(r.stdout).toContain(h.mac);
    expect(widest(r.stdout)).toBeLessThanOrEqual(100);
    // the instance ran them: its scan list grew by a sweep and a port scan, with this CLI's reason
    const after = await svc.api<{
      total: number;
      items: Array<{ kind: string; reason: string; status: string }>;
    }>('api/scans?limit=2');
    expect(after.body.total).toBe(before.body.total + 2);
    expect(after.body.items.map((s) => s.kind).sort()).toEqual(['ports', 'sweep']);
    expect(after.body.items.every((s) => s.status === 'finished' && s.reason.startsWith('cli:'))).toBe(true);
  }, 180_000);

  it('scan on a terminal (a real pty) redraws a progress bar (plain lines without one: the test above)', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal on stdin/stdout/stderr; remote, so it never scans here
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const cmd = [process.execPath, CLI, 'scan', '--api-url', svc.baseUrl, '--api-key', key].map(q).join(' ');
    const tty = await new Promise<Run>((resolve) => {
      execFile(
        'script',
        ['-qfec', `stty cols 100 rows 40; ${cmd}`, '/dev/null'],
        { timeout: 120_000, env: { PATH: process.env.PATH ?? '', HOME: '/root', TERM: 'xterm' } },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(tty.code, tty.stdout + tty.stderr).toBe(0);
    // the bar is redrawn in place: carriage return + erase line, then `scan N kind [###...]  NN%`
    const frames = tty.stdout
      .split('\r\x1b[2K')
      .filter((f) => /^scan \d+ (sweep|ports) \[[#.]+\]\s+\d+%/.test(f));
    expect(frames.length, JSON.stringify(tty.stdout.slice(0, 2000))).toBeGreaterThan(0);
    for (const f of frames) expect([...f.split('\n')[0]!].length).toBeLessThan(100);
    // the lines that stay are written above the bar, and the table fits the terminal
    expect(tty.stdout).toMatch(/scan \d+ \(sweep\) finished in .*: \d+ hosts up/);
    // said once: the summary after the table is not repeated on the same terminal
    expect(tty.stdout.match(/scan \d+ \(?sweep\)? finished in/g)?.length).toBe(1);
    for (const h of hosts) expect(tty.stdout).toContain(h.mac);
  }, 180_000);

  it('devices, scans, findings, alerts, rules, webhooks, keys, schedules: remote = local, tables fit 100 columns', async () => {
    const commands = [
      ['devices'],
      ['devices', 'show', hosts.find((h) => h.name === 'nas')!.mac],
      ['devices', 'expected', hosts.find((h) => h.name === 'nas')!.mac],
      ['scans'],
      ['scans', 'show', '1'],
      ['findings'],
      ['alerts'],
      ['rules'],
      ['webhooks'],
      ['keys', 'list'],
      ['schedules'],
      ['compare', '1', '3'],
    ];
    for (const c of commands) {
      const [a, b] = await Promise.all([remote(c), local(c)]);
      expect(a.code, `remote ${c.join(' ')}: ${a.stderr}`).toBe(0);
      expect(b.code, `local ${c.join(' ')}: ${b.stderr}`).toBe(0);
      expect(stable(b.stdout), c.join(' ')).toBe(stable(a.stdout));
      expect(widest(a.stdout), `${c.join(' ')}:\n${a.stdout}`).toBeLessThanOrEqual(100);
    }
    const json = await Promise.all(commands.map((c) => remote([...c, '--json'])));
    for (const [i, j] of json.entries()) {
      expect(j.code, j.stderr).toBe(0);
      expect(() => JSON.parse(j.stdout), `${commands[i]!.join(' ')} --json`).not.toThrow();
    }
    const findings = await remote(['findings', '--json']);
    const list = JSON.parse(findings.stdout) as Array<{ cve: string | null; mac: string }>;
    // the NAS runs Apache 2.4.49: a real finding from the port scan the CLI started
    expect(list.some((f) => f.mac === hosts.find((h) => h.name === 'nas')!.mac)).toBe(true);
  }, 300_000);

  it('compare between the two sweeps of the remote instance works', async () => {
    await remote(['scan']);
    const scans = JSON.parse((await remote(['scans', '--kind', 'sweep', '--json'])).stdout) as Array<{
      id: number;
    }>;
    const [newer, older] = scans;
    const r = await remote(['compare', String(older!.id), String(newer!.id), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { new_hosts: unknown[]; removed_hosts: unknown[] };
    expect(c.new_hosts).toEqual([]);
    expect(c.removed_hosts).toEqual([]);
    const h = await remote(['compare', String(older!.id), String(newer!.id)]);
    expect(h.stdout).toContain('no differences');
  }, 120_000);

  it('environment variables and the config file give the remote; a group-readable config file is refused', async () => {
    const env = await remoteCli(['devices', '--json'], {
      LAN_SENTINEL_API_URL: svc.baseUrl,
      LAN_SENTINEL_API_KEY: readKey,
    });
    expect(env.code, env.stderr).toBe(0);
    expect((JSON.parse(env.stdout) as unknown[]).length).toBe(hosts.length);
    const dir = join(cfgHome, 'lan-sentinel');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'cli.json');
    writeFileSync(file, JSON.stringify({ api_url: svc.baseUrl, api_key: readKey }));
    chmodSync(file, 0o644);
    const open = await remoteCli(['devices'], { XDG_CONFIG_HOME: cfgHome });
    expect(open.code).toBe(78);
    expect(open.stderr).toContain(file);
    expect(open.stderr).toMatch(/chmod 600/);
    chmodSync(file, 0o600);
    const ok = await remoteCli(['devices'], { XDG_CONFIG_HOME: cfgHome });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`${hosts.length} devices`);
    // a read key cannot change anything, and says so
    const denied = await remoteCli(['devices', 'trust', hosts[1]!.mac], { XDG_CONFIG_HOME: cfgHome });
    expect(denied.code).toBe(77);
    expect(denied.stderr).toMatch(/scope admin/);
  }, 120_000);

  it('errors name what was wrong and how to fix it, without stack traces (--debug shows them)', async () => {
    const bad = await remoteCli(['devices', '--api-url', svc.baseUrl, '--api-key', `lsk_${'A'.repeat(43)}`]);
    expect(bad.code).toBe(77);
    expect(bad.stderr).toMatch(/--api-key|LAN_SENTINEL_API_KEY/);
    const down = await remoteCli(['devices', '--api-url', 'http://127.0.0.1:59999/', '--api-key', key]);
    expect(down.code).toBe(69);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:59999\//);
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const dbg = await remoteCli([
      'devices',
      '--api-url',
      'http://127.0.0.1:59999/',
      '--api-key',
      key,
      '--debug',
    ]);
    expect(dbg.stderr).toMatch(/\n\s+at /);
    const usage = await remote(['compare', '1']);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/compare <older> <newer>/);
    const none = await remote(['scans', 'show', '9999']);
    expect(none.code).toBe(1);
    expect(none.stderr).not.toMatch(/\n\s+at /);
    const opt = await remote(['devices', '--sweep-interval', '60']);
    expect(opt.code).toBe(64);
    expect(opt.stderr).toMatch(/no effect on the remote instance/);
  }, 120_000);

  it('docs as tests: every command line of README.md and DOCS.md runs, remotely and locally', async () => {
    const docs = docCommands(ROOT);
    const nas = hosts.find((h) => h.name === 'nas')!;
    const work = mkdtempSync(join(tmpdir(), 'lsn-docs-'));
    // the docs' placeholders, and what stands for them here
    const place = (w: string) =>
      w
        .replace('http://192.168.1.5:8099', svc.baseUrl)
        .replace('lsk_your_key', key)
        .replace('192.168.1.0/24', lan.subnet)
        .replace(/^nas\.lan$/, nas.mac)
        .replace(/^nvdcve-2\.0-recent\.json$/, join(ROOT, 'tests/fixtures/feeds/nvd-cve-2.0-sample.json'));
    const where = (d: DocCommand) => `${d.file}:${d.line} ${d.text}`;
    const sane = (d: DocCommand, mode: string, r: Run) => {
      expect(r.code, `${mode} ${where(d)}\n${r.stderr}`).toBe(0);
      expect(r.stderr, where(d)).not.toMatch(/\n\s+at /);
      expect(r.stdout.trim().length + r.stderr.trim().length, where(d)).toBeGreaterThan(0);
      if (!d.args.includes('--json'))
        expect(widest(r.stdout), `${mode} ${where(d)}:\n${r.stdout}`).toBeLessThanOrEqual(100);
      if (d.args[0] === 'help') expect(r.stdout).toMatch(/exit code/i);
      if (d.args[0] === 'login') expect(r.stdout).toMatch(/https?:\/\/\S+login\?token=\S+/);
      if (
        (d.args[0] === 'devices' && d.args.length === 1) ||
        (d.args[0] === 'devices' && d.args[1]?.startsWith('--'))
      )
        for (const h of hosts) expect(r.stdout, where(d)).toContain(h.mac);
      if (d.args[0] === 'schedules' && d.args.length === 1) expect(r.stdout).toContain('weekly');
      if (d.args.includes('--json')) expect(() => JSON.parse(r.stdout), where(d)).not.toThrow();
    };
    let ran = 0;
    // bare `npm start` / `npm test` are the set-up + service and this very suite: not run from inside it
    const setup = docs.filter((d) => d.kind === 'npm-start' || d.kind === 'npm-test');
    expect(setup.map((d) => d.text.split('#')[0]!.trim()).sort()).toEqual(['npm start', 'npm test']);
    // lines for another box (satellite agent via systemd/podman): classified with the reason, replayed elsewhere
    const elsewhere = docs.filter((d) => d.kind === 'not-runnable');
    for (const d of elsewhere) expect(d.reason, where(d)).toMatch(/tests\/e2e\/\S+\.test\.ts/);
    let runs = 0;
    for (const d of docs.filter((c) => c.kind === 'cli')) {
      const args = d.args.map(place);
      const env = Object.fromEntries(Object.entries(d.env).map(([k, v]) => [k, place(v)]));
      if (args[0]?.startsWith('--') || args[0] === 'run') {
        // the service line: start exactly that (on the simulated LAN, its own data dir and port) until it serves
        const other = await ServiceProcess.start(lan, {
          httpPort: 8111,
          flags: args,
          startTimeoutMs: 60_000,
        });
        try {
          const health = await other.api<{ status: string }>('api/health');
          expect(health.status, where(d)).toBe(200);
        } finally {
          await other.stop().catch(() => undefined);
          other.cleanup();
        }
        ran++;
        runs++;
        continue;
      }
      const remoteGiven = args.includes('--api-url') || 'LAN_SENTINEL_API_URL' in env;
      const localOnly = args[0] === 'login' || args[0] === 'cve';
      if (remoteGiven) {
        sane(d, 'remote', await remoteCli(args, env, work));
        runs++;
      } else {
        if (!localOnly) {
          sane(
            d,
            'remote',
            await remoteCli([...args, '--api-url', svc.baseUrl, '--api-key', key], env, work),
          );
          runs++;
          if (args[0] === 'schedules' && args[1] === 'add') {
            // the same line locally must not meet the schedule it just made
            const list = await svc.api<Array<{ id: number; name: string }>>('api/schedules');
            const made = (
              Array.isArray(list.body)
                ? list.body
                : (list.body as unknown as { items: Array<{ id: number; name: string }> }).items
            ).find((s) => s.name === args[2]);
            expect(made, where(d)).toBeDefined();
            expect((await remote(['schedules', 'remove', String(made!.id)])).code, where(d)).toBe(0);
          }
          if (args[0] === 'export') {
            const csv = readFileSync(join(work, args[args.indexOf('--output') + 1]!), 'utf8');
            for (const h of hosts) expect(csv, where(d)).toContain(h.mac);
            rmSync(join(work, args[args.indexOf('--output') + 1]!));
          }
        }
        sane(d, 'local', await local(args, work));
        runs++;
        if (args[0] === 'export')
          expect(existsSync(join(work, args[args.indexOf('--output') + 1]!))).toBe(true);
      }
      ran++;
    }
    rmSync(work, { recursive: true, force: true });
    // the figure for the issue note: every command line of the docs' shell blocks but `npm start`/`npm test`
    console.log(
      `docs as tests: ${docs.length} documented command lines found, ran ${ran} (${runs} runs local+remote); ` +
        `${setup.length} set-up lines (npm start / npm test: this suite itself), ` +
        `${elsewhere.length} classified not runnable here: ` +
        elsewhere.map((d) => `${d.file}:${d.line} (${d.reason})`).join('; '),
    );
    expect(ran).toBe(docs.length - setup.length - elsewhere.length);
  }, 400_000);

  it('with no service running, the local CLI serves the data dir itself with the same output', async () => {
    const viaService = await local(['devices']);
    const viaRemote = await remote(['scans', '--json']);
    await svc.stop();
    const own = await local(['devices']);
    expect(own.code, own.stderr).toBe(0);
    expect(stable(own.stdout).split('\n')).toEqual(stable(viaService.stdout).split('\n'));
    const scans = await local(['scans', '--json']);
    expect(JSON.parse(scans.stdout)).toEqual(JSON.parse(viaRemote.stdout));
    // and it scans the simulated LAN with its own nmap
    const s = await local(['scan', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const out = JSON.parse(s.stdout) as { scan: { status: string }; hosts: Array<{ mac: string }> };
    expect(out.scan.status).toBe('finished');
    expect(out.hosts.map((h) => h.mac).sort()).toEqual(hosts.map((h) => h.mac).sort());
  }, 180_000);
});
