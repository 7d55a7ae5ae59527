/**
 * Runs INSIDE the AppArmor test guest (bundled to one file by tests/integration/apparmor-kernel.test.ts, started
 * unconfined by guest-init.sh as root). For each profile variant it: loads the profile with apparmor_parser under
 * the local slug, starts the add-on's real s6 run script confined by the top-level profile (`aa-exec -p <slug>`,
 * so top-level → run script → node → nmap), drives a sweep and a port scan of the guest's simulated LAN through
 * ingress, records the AppArmor label of every node and nmap process it sees, checks the card write into a fresh
 * /homeassistant, stops the service with a SIGTERM sent from the top-level profile, and collects the kernel's
 * apparmor="DENIED" lines. Each variant's findings go to the console as one `@@RESULT {json}` line.
 *
 * A fake Supervisor (/addons/self/info, /services/mqtt, /core/info) and a fake Core websocket (the add-on e2e
 * suite's FakeHaServer behind /core/websocket) run in this process on 127.0.0.1:8080.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { FakeHaServer } from '../helpers/fakeHaServer.js';

interface Plan {
  slug: string;
  token: string;
  ingressPort: number;
  subnet: string;
  hosts: Array<{ name: string; ip: string; mac: string; ports: number[] }>;
  variants: Array<{ name: string; profileFile: string }>;
  options: Record<string, unknown>;
  /** per-step bounds, ms */
  timeouts: { start: number; sweep: number; portScan: number; card: number; stop: number };
}

const INGRESS_PEER = '172.30.32.2';
const SUPERVISOR_PORT = 8080;
const planDir = process.argv[2] ?? '';
const plan = JSON.parse(readFileSync(`${planDir}/plan.json`, 'utf8')) as Plan;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stdout.write(`[driver] ${msg}\n`);

function kernelLog(): string[] {
  return execFileSync('/bb/dmesg', { encoding: 'utf8' }).split('\n');
}

function label(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/attr/current`, 'utf8').replace(/\0/g, '').trim();
  } catch {
    return null;
  }
}

/** GET/POST through "ingress": from the ingress peer address, as the Supervisor's proxy connects. */
function ingress(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port: plan.ingressPort,
        localAddress: INGRESS_PEER,
        method,
        path,
        timeout: 15_000,
        headers: {
          'X-Ingress-Path': '/api/hassio_ingress/guest',
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => {
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('ingress request timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

async function until<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | null> | T | null,
  alive: () => boolean,
) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive()) return { ok: false as const, why: `service exited before ${what}` };
    const v = await Promise.resolve(probe()).catch(() => null);
    if (v !== null && v !== undefined) return { ok: true as const, value: v };
    await sleep(500);
  }
  return { ok: false as const, why: `timed out after ${ms} ms waiting for ${what}` };
}

async function startFakes(ha: FakeHaServer) {
  const haPort = Number(new URL(ha.url).port);
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${plan.token}`)
      return send(res, 401, { result: 'error', message: 'Unauthorized' });
    if (req.url === '/addons/self/info')
      return send(res, 200, {
        result: 'ok',
        data: {
          name: 'LAN Sentinel',
          slug: plan.slug,
          version: '0.0.0',
          ingress: true,
          ingress_port: plan.ingressPort,
          ingress_entry: '/api/hassio_ingress/guest',
          ingress_url: '/api/hassio_ingress/guest/',
          ip_address: '127.0.0.1',
        },
      });
    if (req.url === '/core/info')
      return send(res, 200, { result: 'ok', data: { version: ha.haVersion, state: 'RUNNING' } });
    if (req.url === '/services/mqtt')
      return send(res, 400, { result: 'error', message: 'Service not enabled' });
    return send(res, 404, { result: 'error', message: `no such endpoint ${req.url}` });
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/core/websocket') return socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    const up = net.connect(haPort, '127.0.0.1', () => {
      const lines = ['GET /api/websocket HTTP/1.1'];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    const end = () => {
      socket.destroy();
      up.destroy();
    };
    socket.on('error', end);
    up.on('error', end);
    socket.on('close', end);
    up.on('close', end);
  });
  await new Promise<void>((r) => server.listen(SUPERVISOR_PORT, '127.0.0.1', () => r()));
  return server;
}

function pidsNamed(comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

async function runVariant(variant: Plan['variants'][number], ha: FakeHaServer) {
  const result: Record<string, unknown> = { variant: variant.name };
  const checks: Record<string, { ok: boolean; detail: string }> = {};
  const t0 = Date.now();
  // a fresh box: empty /data (but for the options), /homeassistant without www
  for (const d of ['/data', '/homeassistant'])
    for (const f of readdirSync(d)) rmSync(`${d}/${f}`, { recursive: true, force: true });
  writeFileSync('/data/options.json', JSON.stringify(plan.options));
  ha.calls.length = 0;
  ha.resources.length = 0;

  // the Supervisor loads the (renamed) profile: apparmor_parser -r -W -L <cache> <file>
  try {
    execFileSync('apparmor_parser', ['-r', '-W', '-L', '/tmp/aa-cache', variant.profileFile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    checks.profile_loads = { ok: true, detail: 'apparmor_parser -r -W' };
  } catch (err) {
    checks.profile_loads = { ok: false, detail: String((err as { stderr?: string }).stderr ?? err) };
    result.checks = checks;
    return result;
  }
  const loaded = readFileSync('/sys/kernel/security/apparmor/profiles', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(plan.slug));
  result.loadedProfiles = loaded;
  const kmsgBefore = kernelLog().length;

  // s6 runs the service's run script under the container's (top-level) profile
  const child: ChildProcess = spawn(
    'aa-exec',
    ['-p', plan.slug, '--', '/usr/bin/bash', `${planDir}/run-shim.sh`],
    {
      env: {
        PATH: '/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin',
        HOME: '/root',
        SUPERVISOR_TOKEN: plan.token,
        LAN_SENTINEL_SUPERVISOR_URL: `http://127.0.0.1:${SUPERVISOR_PORT}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let serviceLog = '';
  child.stdout?.on('data', (d: Buffer) => {
    serviceLog += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    serviceLog += d.toString();
  });
  let exitInfo: { code: number | null; signal: string | null; at: number } | null = null;
  const exited = new Promise<void>((r) =>
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      r();
    }),
  );
  const alive = () => exitInfo === null;

  // every node and nmap process seen while the service runs, with its label
  const seen = new Map<string, Set<string>>([
    ['node', new Set()],
    ['nmap', new Set()],
  ]);
  const watcher = setInterval(() => {
    for (const comm of ['node', 'nmap'])
      for (const pid of pidsNamed(comm)) {
        if (pid === process.pid) continue;
        const l = label(pid);
        if (l) seen.get(comm)?.add(l);
      }
  }, 40);

  const started = await until(
    'ingress listening',
    plan.timeouts.start,
    () => (/ingress listening on port/.test(serviceLog) ? true : null),
    alive,
  );
  checks.starts = started.ok
    ? { ok: true, detail: `${Date.now() - t0} ms` }
    : { ok: false, detail: started.why };
  result.servicePidLabel = child.pid ? label(child.pid) : null;

  if (started.ok) {
    const macs = plan.hosts.map((h) => h.mac);
    const sweep = await until(
      'every simulated host in api/devices',
      plan.timeouts.sweep,
      async () => {
        const r = await ingress('GET', '/api/devices?limit=100');
        const items = (r.json as { items?: Array<{ mac: string }> }).items ?? [];
        const found = items.map((d) => d.mac.toLowerCase());
        return macs.every((m) => found.includes(m)) ? found : null;
      },
      alive,
    );
    checks.sweep_finds_every_mac = sweep.ok
      ? { ok: true, detail: (sweep.value as string[]).join(' ') }
      : { ok: false, detail: sweep.why };

    if (sweep.ok) {
      // IPv6 neighbour discovery after the sweep: ping (ff02::1) and ip (neighbour table) exec'd by the confined
      // node give every host its kernel link-local address
      const v6 = await until(
        'an IPv6 link-local address on every simulated host (NDP: ping + ip, confined)',
        plan.timeouts.sweep,
        async () => {
          const r = await ingress('GET', '/api/devices?limit=100');
          const items = (r.json as { items?: Array<{ mac: string; ipv6_addresses?: string[] }> }).items ?? [];
          const got = macs.map((m) => items.find((d) => d.mac === m)?.ipv6_addresses ?? []);
          return got.every((l) => l.some((a) => a.startsWith('fe80:'))) ? got.flat() : null;
        },
        alive,
      );
      checks.ndp_finds_ipv6 = v6.ok
        ? { ok: true, detail: (v6.value as string[]).join(' ') }
        : { ok: false, detail: v6.why };

      const req = await ingress('POST', '/api/scans', { kind: 'ports', reason: 'apparmor test' });
      const scan = await until(
        'the open ports of every simulated host',
        plan.timeouts.portScan,
        async () => {
          const got: Record<string, number[]> = {};
          for (const h of plan.hosts) {
            const r = await ingress('GET', `/api/devices/${h.mac}`);
            const dev = r.json as {
              ports?: Array<{ port: number; protocol: string }>;
              ports_scanned_at?: string | null;
            };
            if (!dev.ports_scanned_at) return null;
            const ports = (dev.ports ?? [])
              .filter((p) => p.protocol === 'tcp')
              .map((p) => p.port)
              .sort((a, b) => a - b);
            if (JSON.stringify(ports) !== JSON.stringify(h.ports)) return null;
            got[h.name] = ports;
          }
          return got;
        },
        alive,
      );
      checks.port_scan_finds_open_ports = scan.ok
        ? { ok: true, detail: `POST api/scans ${req.status}; ${JSON.stringify(scan.value)}` }
        : { ok: false, detail: `POST api/scans ${req.status}; ${scan.why}` };
    }

    const card = await until(
      'the card in /homeassistant/www/lan-sentinel',
      plan.timeouts.card,
      () => {
        const p = '/homeassistant/www/lan-sentinel/lan-sentinel-card.js';
        if (!existsSync(p)) return null;
        const same = readFileSync(p).equals(readFileSync('/app/frontend-card/dist/lan-sentinel-card.js'));
        return same && ha.resources.length > 0 ? true : null;
      },
      alive,
    );
    checks.card_written = card.ok
      ? { ok: true, detail: 'bundle + resource' }
      : { ok: false, detail: card.why };
    const note = ha.calls.find((c) => c.domain === 'persistent_notification' && c.service === 'create');
    result.notification = note?.service_data ?? null;

    // SIGTERM as s6 sends it: from a process confined by the top-level profile
    if (alive() && child.pid) {
      const sentAt = Date.now();
      try {
        execFileSync('aa-exec', ['-p', plan.slug, '--', '/usr/bin/bash', '-c', `kill -TERM ${child.pid}`], {
          stdio: 'pipe',
        });
        checks.sigterm_sent = { ok: true, detail: 'kill -TERM from the top-level profile' };
      } catch (err) {
        checks.sigterm_sent = { ok: false, detail: String((err as { stderr?: Buffer }).stderr ?? err) };
      }
      await Promise.race([exited, sleep(plan.timeouts.stop)]);
      const info = exitInfo as { code: number | null; signal: string | null; at: number } | null;
      result.stopMs = info ? info.at - sentAt : null;
      checks.stops_within_10s =
        info && info.at - sentAt < 10_000
          ? { ok: true, detail: `exit ${info.code ?? info.signal} after ${info.at - sentAt} ms` }
          : {
              ok: false,
              detail: info ? `took ${info.at - sentAt} ms` : `still running after ${plan.timeouts.stop} ms`,
            };
    }
  }
  clearInterval(watcher);
  if (alive()) child.kill('SIGKILL');
  await Promise.race([exited, sleep(5_000)]);
  result.exit = exitInfo;
  result.labels = Object.fromEntries([...seen].map(([k, v]) => [k, [...v].sort()]));
  const denials = kernelLog()
    .slice(kmsgBefore)
    .filter((l) => l.includes('apparmor="DENIED"'));
  result.denials = denials;
  checks.no_denials = { ok: denials.length === 0, detail: `${denials.length} DENIED lines` };
  result.checks = checks;
  result.serviceLogTail = serviceLog.split('\n').slice(-25).join('\n');
  result.ms = Date.now() - t0;
  return result;
}

async function main() {
  const ha = await FakeHaServer.start({ token: plan.token, haVersion: '2026.8.0' });
  const server = await startFakes(ha);
  for (const v of plan.variants) {
    log(`variant ${v.name}`);
    const r = await runVariant(v, ha).catch((err: unknown) => ({ variant: v.name, error: String(err) }));
    process.stdout.write(`@@RESULT ${JSON.stringify(r)}\n`);
  }
  server.close();
  await ha.close();
  process.stdout.write('@@DONE\n');
}

main().catch((err: unknown) => {
  process.stdout.write(`@@FATAL ${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
