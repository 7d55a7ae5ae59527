/**
 * The documented ways to run a satellite agent (DOCS.md "Satellite agents"), replayed: every command of the
 * section's shell blocks is interpreted here (`install` into a scratch root, `systemctl enable` = the unit
 * checked by `systemd-analyze verify` and then started as systemd would: EnvironmentFile, LoadCredential,
 * Environment, ExecStart; `podman build` = the Containerfile's stages replayed like the add-on's Dockerfile;
 * `podman run` = its ENTRYPOINT with the documented env file, secret and flags), and the inline
 * `lan-sentinel agent …` commands run as written. Each run happens inside a simulated LAN's scanner namespace
 * against Debian's mosquitto with the documented ACL, and must deliver a sweep result naming that LAN's hosts.
 * A command in those blocks that this test does not know fails it, so the docs cannot drift from the test.
 */
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AGENT_OPTION_NAMES } from '../../src/agent/config.js';
import { decodeBody, parseChunk, type WireScanResult } from '../../src/agent/protocol.js';
import { Reassembler } from '../../src/agent/reassembler.js';
import { applyCopy, parseDockerfile } from '../helpers/containerfile.js';
import { CLI, eventually, ROOT } from '../helpers/serviceProcess.js';
import { defaultHosts } from '../lan/hosts.js';
import { type ScannerMosquitto, startScannerMosquitto } from '../lan/mosquitto.js';
import { describeLan, mosquittoAvailable } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

const DOCS = readFileSync(join(ROOT, 'DOCS.md'), 'utf8');
const SECTION = (() => {
  const a = DOCS.indexOf('## Satellite agents');
  return DOCS.slice(a, DOCS.indexOf('\n## ', a + 1));
})();
const BLOCKS = [...SECTION.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) =>
  m[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')),
);
const HUB_PW = 'hub-pw-1';

/** Shell words with '…' quoting and the `<<<` here-string (all our docs use). */
function words(cmd: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|(\S+)/g;
  for (let m = re.exec(cmd); m; m = re.exec(cmd)) out.push(m[1] ?? m[2]!);
  return out;
}

/** KEY=VALUE lines (systemd EnvironmentFile / podman --env-file). */
function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(l);
    if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** [Service] key → values of a unit file. */
function unitService(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(l);
    if (s) section = s[1]!;
    else if (section === 'Service') {
      const i = l.indexOf('=');
      const k = l.slice(0, i);
      m.set(k, [...(m.get(k) ?? []), l.slice(i + 1)]);
    }
  }
  return m;
}

describeLan('the documented ways to run an agent on a Pi (systemd unit, container, CLI)', () => {
  let lan: SimLan;
  let broker: ScannerMosquitto;
  let sub: MqttClient;
  let dir: string;
  let fsRoot: string;
  const results: WireScanResult[] = [];
  const children: ChildProcess[] = [];
  const figures: Record<string, unknown> = {};
  const hosts = defaultHosts().filter((h) => ['esp', 'camera', 'nas'].includes(h.name));
  /** the documented absolute paths live under a scratch root; relative ones are this checkout */
  const onHost = (p: string) => (p.startsWith('/') ? join(fsRoot, p) : join(ROOT, p));
  let password = '';

  const start = (argv: string[], env: Record<string, string>, cwd: string, label: string) => {
    let log = '';
    const child = lan.spawnInScanner(argv[0]!, argv.slice(1), {
      cwd,
      // systemd and podman start services with a clean environment
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    children.push(child);
    return { child, log: () => `${label}:\n${log.slice(-3000)}` };
  };

  /** Runs an agent until a sweep result naming every host of the LAN arrives; then stops it. */
  const sweptBy = async (argv: string[], env: Record<string, string>, cwd: string, label: string) => {
    results.length = 0;
    const t0 = Date.now();
    const run = start(argv, env, cwd, label);
    const r = await eventually(
      () =>
        results.find((x) => x.kind === 'sweep' && hosts.every((h) => x.hosts.some((y) => y.mac === h.mac))),
      90_000,
      `a sweep result from ${label}; ${run.log()}`,
    );
    figures[`${label}_first_result_s`] = (Date.now() - t0) / 1000;
    expect(r.agent).toBe('iot');
    run.child.kill('SIGTERM');
    await new Promise((res) => (run.child.exitCode === null ? run.child.once('exit', res) : res(null)));
    // SIGTERM is a clean stop: the agent says offline (its LWT is only for crashes)
    return r;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-agent-deploy-'));
    fsRoot = join(dir, 'root');
    mkdirSync(fsRoot);
    const here = /<<< '([^']+)'/.exec(BLOCKS.flat().join('\n'));
    expect(here, 'the systemd block writes the password file').not.toBeNull();
    password = here![1]!;
    lan = await SimLan.create({ hosts });
    broker = await startScannerMosquitto(lan, {
      users: { lan_sentinel_hub: HUB_PW, iot: password },
      acl: readFileSync(join(ROOT, 'deploy', 'agent', 'mosquitto-hub.acl'), 'utf8'),
    });
    const reasm = new Reassembler();
    sub = mqtt.connect(broker.hostUrl, {
      username: 'lan_sentinel_hub',
      password: HUB_PW,
      reconnectPeriod: 200,
    });
    sub.on('message', (_t, payload) => {
      const c = parseChunk(payload);
      if (!c.ok) return;
      const o = reasm.accept(c.header, c.body, Date.now());
      if (o.status !== 'complete') return;
      const d = decodeBody(o.body);
      if (d.ok) results.push(d.result);
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync('lan_sentinel/agent/+/result', { qos: 1 });
  }, 120_000);

  afterAll(async () => {
    console.log(`agent deploy figures: ${JSON.stringify(figures)}`);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await sub?.endAsync();
    await broker?.stop();
    await lan?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('DOCS names two shell blocks (systemd, container) and options the agent has', () => {
    expect(BLOCKS).toHaveLength(2);
    const help = execFileSync(process.execPath, [CLI, 'agent', 'help'], { encoding: 'utf8' });
    // every option DOCS names in backquotes exists, with its flag and its variable in the help
    const named = [...SECTION.matchAll(/`([a-z]+(?:_[a-z]+)+)`/g)]
      .map((m) => m[1]!)
      .filter((n) => n !== 'acl_file'); // a mosquitto.conf key
    expect(named.length).toBeGreaterThan(5);
    for (const n of named) {
      expect(AGENT_OPTION_NAMES as readonly string[], `DOCS names agent option ${n}`).toContain(n);
      expect(help).toContain(`--${n.replace(/_/g, '-')}`);
      expect(help).toContain(`LAN_SENTINEL_${n.toUpperCase()}`);
    }
    expect(help).toContain('LAN_SENTINEL_AGENT_ID');
  });

  it('a bad option stops the agent with a message naming it (exit code 78)', () => {
    // inside the namespace anyway: a valid option set would sweep
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        lan.scannerNs,
        process.execPath,
        CLI,
        'agent',
        '--agent-id',
        'iot',
        '--mqtt-url',
        broker.url,
        '--subnets',
        '10.0.0.0/33',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/subnets/);
    expect(r.stderr).toMatch(/CIDR/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
  });

  it('the inline `lan-sentinel agent …` command, run as written, reports a sweep of the VLAN', async () => {
    const cmd = [...SECTION.matchAll(/`(lan-sentinel agent --[^`]+)`/g)].map((m) =>
      m[1]!.replace(/\s+/g, ' '),
    );
    expect(cmd).toHaveLength(1);
    const pwFile = join(dir, 'password');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    const argv = words(
      cmd[0]!
        .replace('mqtt://<broker>:1883', broker.url)
        .replace('/path/to/password', pwFile)
        .replace('192.168.20.0/24', lan.subnet),
    );
    expect(argv.slice(0, 2)).toEqual(['lan-sentinel', 'agent']);
    expect(argv).not.toContain('192.168.20.0/24');
    await sweptBy([process.execPath, CLI, ...argv.slice(1)], {}, ROOT, 'cli');
  }, 120_000);

  it('the systemd block: installed, verified by systemd-analyze, started as systemd would', async () => {
    const enabled: string[] = [];
    for (const line of BLOCKS[0]!) {
      for (const part of line.split(' && ')) {
        const w = words(part.replace(/^sudo /, ''));
        if (w[0] === 'install') {
          let mode = 0o644;
          let stdin: string | null = null;
          const operands: string[] = [];
          for (let i = 1; i < w.length; i++) {
            if (w[i] === '-D') continue;
            if (w[i] === '-m') mode = Number.parseInt(w[++i]!, 8);
            else if (w[i] === '<<<') stdin = `${w[++i]}\n`;
            else operands.push(w[i]!);
          }
          expect(operands, part).toHaveLength(2);
          const [src, dest] = operands as [string, string];
          const target = dest.endsWith('/') ? join(onHost(dest), basename(src)) : onHost(dest);
          mkdirSync(dirname(target), { recursive: true });
          if (src === '/dev/stdin') writeFileSync(target, stdin ?? '');
          else copyFileSync(onHost(src), target);
          chmodSync(target, mode);
        } else if (w[0] === 'systemctl' && w[1] === 'daemon-reload') {
        } else if (w[0] === 'systemctl' && w[1] === 'enable' && w[2] === '--now') enabled.push(w[3]!);
        else throw new Error(`DOCS systemd block: a command this test does not replay: ${part}`);
      }
    }
    expect(enabled).toEqual(['lan-sentinel-agent']);
    const unitPath = onHost('/etc/systemd/system/lan-sentinel-agent.service');
    expect(statSync(onHost('/etc/lan-sentinel/mqtt_password')).mode & 0o077).toBe(0);
    // systemd-analyze verify: unknown keys, bad values and a missing ExecStart binary are all reported
    const unitText = readFileSync(unitPath, 'utf8');
    const verifyCopy = join(dir, 'lan-sentinel-agent.service');
    writeFileSync(
      verifyCopy,
      existsSync('/usr/bin/node') ? unitText : unitText.replace('/usr/bin/node', process.execPath),
    );
    const v = spawnSync('systemd-analyze', ['verify', verifyCopy], { encoding: 'utf8', timeout: 60_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr.trim()).toBe('');
    const sec = spawnSync('systemd-analyze', ['security', '--offline=yes', verifyCopy], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(sec.stdout)?.[1]);
    figures.systemd_exposure = exposure;
    expect(exposure).toBeLessThanOrEqual(4);
    expect(DOCS).toContain(`rates the unit ${exposure}`);

    // the user edits agent.env as the docs say (broker, subnets); then systemd's view of the unit
    const envPath = onHost('/etc/lan-sentinel/agent.env');
    const edited = readFileSync(envPath, 'utf8')
      .replace(/^LAN_SENTINEL_MQTT_URL=.*$/m, `LAN_SENTINEL_MQTT_URL=${broker.url}`)
      .replace(/^LAN_SENTINEL_SUBNETS=.*$/m, `LAN_SENTINEL_SUBNETS=${lan.subnet}`);
    expect(edited).toContain(lan.subnet);
    writeFileSync(envPath, edited);
    const svc = unitService(unitText);
    const env: Record<string, string> = {};
    for (const f of svc.get('EnvironmentFile') ?? [])
      Object.assign(env, envFile(readFileSync(onHost(f), 'utf8')));
    const creds = join(dir, 'credentials');
    mkdirSync(creds, { mode: 0o700 });
    for (const c of svc.get('LoadCredential') ?? []) {
      const [name, path] = c.split(':') as [string, string];
      copyFileSync(onHost(path), join(creds, name));
    }
    for (const e of svc.get('Environment') ?? []) {
      const i = e.indexOf('=');
      env[e.slice(0, i)] = e.slice(i + 1).replaceAll('%d', creds);
    }
    expect(env.LAN_SENTINEL_MQTT_PASSWORD).toBeUndefined();
    const exec = words(svc.get('ExecStart')![0]!).map((x) =>
      x === '/usr/bin/node' ? process.execPath : x.replace(/^\/opt\/lan-sentinel/, ROOT),
    );
    expect(exec[1]).toBe(CLI);
    await sweptBy(exec, env, ROOT, 'systemd');
  }, 150_000);

  it('the container block: the Containerfile replayed, podman run as documented', async () => {
    const images = new Map<
      string,
      { root: string; workdir: string; entrypoint: string[]; env: Record<string, string> }
    >();
    const secrets = new Map<string, string>();
    let ran = false;
    for (const line of BLOCKS[1]!) {
      const w = words(line);
      expect(w[0], line).toBe('podman');
      if (w[1] === 'build') {
        const file = w[w.indexOf('-f') + 1]!;
        const tag = w[w.indexOf('-t') + 1]!;
        expect(w.at(-1)).toBe('.');
        const t0 = Date.now();
        images.set(tag, replayContainerfile(join(ROOT, file), join(dir, `image-${tag}`)));
        figures.container_replay_s = (Date.now() - t0) / 1000;
      } else if (w[1] === 'secret' && w[2] === 'create') {
        secrets.set(w[3]!, onHost(w[4]!));
      } else if (w[1] === 'run') {
        const env: Record<string, string> = {};
        const mounted: string[] = [];
        const flags = new Set<string>();
        let i = 2;
        for (; i < w.length && w[i]!.startsWith('-'); i++) {
          const f = w[i]!;
          if (f === '-d') continue;
          const v = w[++i]!;
          if (f === '--name') continue;
          if (f === '--network' || f === '--cap-add') flags.add(`${f} ${v}`);
          else if (f === '--env-file') Object.assign(env, envFile(readFileSync(onHost(v), 'utf8')));
          else if (f === '-e') env[v.slice(0, v.indexOf('='))] = v.slice(v.indexOf('=') + 1);
          else if (f === '--secret') mounted.push(v);
          else throw new Error(`DOCS podman run: a flag this test does not replay: ${f}`);
        }
        // ARP needs the VLAN itself (host network) and raw sockets
        expect([...flags].sort()).toEqual(['--cap-add NET_RAW', '--network host']);
        const image = images.get(w[i]!);
        expect(image, `image ${w[i]} built above`).toBeDefined();
        for (const s of mounted) {
          mkdirSync(join(image!.root, 'run', 'secrets'), { recursive: true });
          copyFileSync(secrets.get(s)!, join(image!.root, 'run', 'secrets', s));
        }
        // paths inside the container are under the replayed image's root
        const inImage = (v: string) => (v.startsWith('/') && !v.startsWith('//') ? join(image!.root, v) : v);
        const runEnv = { ...image!.env, ...env };
        expect(runEnv.LAN_SENTINEL_MQTT_PASSWORD_FILE).toBe('/run/secrets/mqtt_password');
        runEnv.LAN_SENTINEL_MQTT_PASSWORD_FILE = inImage(runEnv.LAN_SENTINEL_MQTT_PASSWORD_FILE!);
        runEnv.LAN_SENTINEL_MQTT_URL = broker.url;
        runEnv.LAN_SENTINEL_SUBNETS = lan.subnet;
        const argv = image!.entrypoint.map((x) => (x === 'node' ? process.execPath : inImage(x)));
        await sweptBy(argv, runEnv, join(image!.root, image!.workdir), 'container');
        ran = true;
      } else throw new Error(`DOCS container block: a command this test does not replay: ${line}`);
    }
    expect(ran).toBe(true);
  }, 400_000);
}, [mosquittoAvailable()]);

/**
 * The Containerfile's stages on Debian: the build stage's COPY/RUN in a scratch folder (`npm ci` served from
 * this checkout's node_modules of the same lock file), the runtime stage's `apt-get install nmap` being what
 * `.ci/run` installs, its COPY --from=build, ENV, WORKDIR and ENTRYPOINT.
 */
function replayContainerfile(
  file: string,
  out: string,
): { root: string; workdir: string; entrypoint: string[]; env: Record<string, string> } {
  const stages = parseDockerfile(readFileSync(file, 'utf8'));
  expect(stages).toHaveLength(2);
  const [build, runtime] = stages as [(typeof stages)[0], (typeof stages)[0]];
  expect(build.name).toBe('build');
  expect(runtime.from).toBe(build.from);
  expect(build.from).toMatch(/^node:(20|22|24)-bookworm/);
  const buildRoot = join(out, 'build');
  let workdir = '/';
  for (const s of build.steps) {
    if (s.op === 'WORKDIR') {
      workdir = s.args;
      mkdirSync(join(buildRoot, workdir), { recursive: true });
    } else if (s.op === 'COPY') applyCopy(s.args.split(/\s+/), ROOT, buildRoot, workdir);
    else if (s.op === 'RUN') {
      for (const cmd of s.args.split('&&').map((c) => c.trim())) {
        const cwd = join(buildRoot, workdir);
        if (/^npm ci\b/.test(cmd))
          cpSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'), { recursive: true });
        // our own Containerfile's commands, run as RUN would (sh -c)
        else
          execFileSync('sh', ['-c', cmd], {
            cwd,
            stdio: 'pipe',
            timeout: 240_000,
            env: { ...process.env, CI: 'true' },
          });
      }
    } else throw new Error(`build stage: ${s.op} is not replayed`);
  }
  const root = join(out, 'runtime');
  let runWorkdir = '/';
  const env: Record<string, string> = {};
  let entrypoint: string[] = [];
  for (const s of runtime.steps) {
    if (s.op === 'WORKDIR') runWorkdir = s.args;
    else if (s.op === 'RUN')
      expect(s.args).toMatch(/^apt-get update && apt-get install -y --no-install-recommends nmap && rm/);
    else if (s.op === 'COPY') {
      const parts = s.args.split(/\s+/);
      expect(parts[0]).toBe('--from=build');
      applyCopy(parts.slice(1), buildRoot, root, runWorkdir);
    } else if (s.op === 'ENV') {
      const [k, v] = s.args.split('=') as [string, string];
      env[k] = v;
    } else if (s.op === 'ENTRYPOINT') entrypoint = JSON.parse(s.args) as string[];
    else throw new Error(`runtime stage: ${s.op} is not replayed`);
  }
  // dev dependencies pruned, the agent's runtime ones there
  expect(existsSync(join(root, runWorkdir, 'node_modules', 'vitest'))).toBe(false);
  expect(existsSync(join(root, runWorkdir, 'node_modules', 'mqtt'))).toBe(true);
  expect(entrypoint.slice(0, 1)).toEqual(['node']);
  return { root, workdir: runWorkdir, entrypoint, env };
}
