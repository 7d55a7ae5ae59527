/**
 * A simulated LAN in network namespaces:
 *
 *   lsn-<id>-lan    holds bridge br0 and one veth end per host (nothing attached to the host namespace)
 *   lsn-<id>-scan   the scanner: eth0 = 10.213.<n>.2/24 and lo, no other route (optionally a default route
 *                   via the simulated router .1, which itself has no uplink)
 *   lsn-<id>-h-<name>  one per simulated host: eth0 with the chosen MAC/IP, plus a service-host.mjs process
 */
import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process';
import { acquireRun, cleanupStale, deleteNamespacesSync, onExitCleanup, type RunLease } from './cleanup.js';
import { defaultHosts, type HostSpec } from './hosts.js';
import {
  addAddress,
  assertCidr,
  assertNsName,
  deleteNamespace,
  flushAddresses,
  IP_BIN,
  ipBatch,
  normalizeMac,
  routes,
  setLinkUp,
  setMac,
} from './ip.js';
import { parseServiceSpec, ServiceHostProcess, type ServiceSpec } from './services.js';

export interface SimLanOptions {
  /** Hosts to create; defaults to defaultHosts(). Pass [] for an empty LAN. */
  hosts?: HostSpec[];
  /** Add `default via <.1>` in the scanner namespace (still inside the sim: the router has no uplink). */
  defaultRoute?: boolean;
  /** Skip cleanupStale() before creating (default: run it). */
  skipStaleCleanup?: boolean;
}

export interface SimHost {
  name: string;
  ns: string;
  mac: string;
  ip: string;
  services: ServiceSpec[];
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null if killed by a signal (then `signal` is set). */
  code: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Reject when the exit code is not 0 (default false: the result carries the code). */
  check?: boolean;
  maxBuffer?: number;
}

interface HostState {
  name: string;
  ns: string;
  mac: string;
  ip: string;
  bridgePort: string;
  /** Started on demand: hosts without services need no process. */
  proc: ServiceHostProcess | null;
}

interface HostPlan {
  name: string;
  ns: string;
  mac: string;
  ip: string;
  bridgePort: string;
  services: ServiceSpec[];
}

/** Commands run inside a new host/scanner namespace: loopback and eth0 up, the address on eth0. */
function insideCommands(cidr: string): string[][] {
  assertCidr(cidr);
  return [
    ['link', 'set', 'lo', 'up'],
    ['link', 'set', 'eth0', 'up'],
    ['addr', 'add', cidr, 'dev', 'eth0'],
  ];
}

const HOST_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;
const SCANNER_OCTET = 2;

export class SimLan {
  readonly id: string;
  /** e.g. 10.213.57.0/24 */
  readonly subnet: string;
  readonly lanNs: string;
  readonly scannerNs: string;
  readonly scannerIp: string;
  readonly scannerMac: string;
  readonly gatewayIp: string;
  readonly bridge = 'br0';
  /** ms spent in create() (namespaces, links, listeners). */
  setupMs = 0;

  private readonly prefix: string;
  private readonly hostMap = new Map<string, HostState>();
  private readonly namespaces = new Set<string>();
  private readonly spawned = new Set<ChildProcess>();
  private readonly unhook: () => void;
  private portCounter = 0;
  private destroyed = false;

  private constructor(private readonly lease: RunLease) {
    this.id = lease.id;
    this.prefix = `10.213.${lease.net}`;
    this.subnet = `${this.prefix}.0/24`;
    this.lanNs = `lsn-${this.id}-lan`;
    this.scannerNs = `lsn-${this.id}-scan`;
    this.scannerIp = `${this.prefix}.${SCANNER_OCTET}`;
    this.scannerMac = `02:13:00:00:${lease.net.toString(16).padStart(2, '0')}:02`;
    this.gatewayIp = `${this.prefix}.1`;
    this.unhook = onExitCleanup(() => this.destroySync());
  }

  /** Build the LAN. On any failure everything created so far is removed and the error rethrown. */
  static async create(opts: SimLanOptions = {}): Promise<SimLan> {
    const t0 = performance.now();
    if (!opts.skipStaleCleanup) await cleanupStale();
    const lan = new SimLan(acquireRun());
    try {
      const plans = lan.planHosts(opts.hosts ?? defaultHosts());
      const all = [lan.lanNs, lan.scannerNs, ...plans.map((p) => p.ns)];
      for (const ns of all) lan.namespaces.add(ns);
      await ipBatch(all.map((ns) => ['netns', 'add', ns]));
      await ipBatch(
        [
          ['link', 'set', 'lo', 'up'],
          ['link', 'add', lan.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0'],
          // the bridge is the wire, not a host: no IPv6 link-local of its own answering on the LAN
          ['link', 'set', lan.bridge, 'addrgenmode', 'none'],
          ['link', 'set', lan.bridge, 'up'],
          ...lan.vethCommands('v-scan', lan.scannerNs, lan.scannerMac),
          ...plans.flatMap((p) => lan.vethCommands(p.bridgePort, p.ns, p.mac)),
        ],
        lan.lanNs,
      );
      const scanCmds = insideCommands(`${lan.scannerIp}/24`);
      if (opts.defaultRoute) scanCmds.push(['route', 'add', 'default', 'via', lan.gatewayIp]);
      await Promise.all([
        ipBatch(scanCmds, lan.scannerNs),
        ...plans.map((p) => ipBatch(insideCommands(`${p.ip}/24`), p.ns)),
      ]);
      await Promise.all(plans.map((p) => lan.startHost(p)));
    } catch (err) {
      await lan.destroy();
      throw err;
    }
    lan.setupMs = performance.now() - t0;
    return lan;
  }

  /** Full address of a last octet in this LAN: ip(10) → 10.213.<n>.10 */
  ip(octet: number): string {
    if (!Number.isInteger(octet) || octet < 1 || octet > 254)
      throw new Error(`octet ${octet} must be 1..254`);
    return `${this.prefix}.${octet}`;
  }

  get hosts(): SimHost[] {
    return [...this.hostMap.values()].map((h) => this.view(h));
  }

  host(name: string): SimHost {
    return this.view(this.mustGet(name));
  }

  /** Every namespace this LAN currently owns. */
  get namespaceNames(): string[] {
    return [...this.namespaces];
  }

  async addHost(spec: HostSpec): Promise<SimHost> {
    this.assertLive();
    const [plan] = this.planHosts([spec]);
    if (!plan) throw new Error('unreachable: planHosts returned nothing');
    this.namespaces.add(plan.ns);
    try {
      await ipBatch([['netns', 'add', plan.ns]]);
      await ipBatch(this.vethCommands(plan.bridgePort, plan.ns, plan.mac), this.lanNs);
      await ipBatch(insideCommands(`${plan.ip}/24`), plan.ns);
      return this.view(await this.startHost(plan));
    } catch (err) {
      await this.dropNs(plan.ns);
      throw err;
    }
  }

  /** Delete the host's namespace: it disappears from the LAN (its veth goes with it). */
  async removeHost(name: string): Promise<void> {
    const h = this.mustGet(name);
    this.hostMap.delete(name);
    h.proc?.kill();
    await this.dropNs(h.ns);
    try {
      await this.lanCmd(['link', 'del', h.bridgePort]);
    } catch {
      /* the veth pair is normally destroyed together with the namespace */
    }
  }

  /** Move a host to another address in the /24 (listeners keep running). */
  async setHostIp(name: string, newIp: string | number): Promise<void> {
    const h = this.mustGet(name);
    const ip = this.resolveIp(newIp, name);
    await flushAddresses(h.ns, 'eth0');
    await addAddress(h.ns, 'eth0', `${ip}/24`);
    h.ip = ip;
  }

  /** Record an address the host took by itself (e.g. a DHCP lease its client put on eth0). */
  noteHostIp(name: string, ip: string): void {
    this.mustGet(name).ip = this.resolveIp(ip, name);
  }

  /** Change a host's MAC (e.g. to simulate a swapped or spoofed gateway). */
  async setHostMac(name: string, mac: string): Promise<void> {
    const h = this.mustGet(name);
    const m = normalizeMac(mac);
    await setMac(h.ns, 'eth0', m);
    h.mac = m;
  }

  /** Take the host's link down (offline without deleting it) or back up. */
  async setHostOnline(name: string, online: boolean): Promise<void> {
    const h = this.mustGet(name);
    await setLinkUp(this.lanNs, h.bridgePort, online);
  }

  async openPort(name: string, service: ServiceSpec): Promise<void> {
    const h = this.mustGet(name);
    if (h.proc) await h.proc.open(service);
    else h.proc = await ServiceHostProcess.start(h.ns, [service]);
  }

  async closePort(name: string, port: number): Promise<void> {
    const h = this.mustGet(name);
    if (!h.proc) throw new Error(`host ${name}: port ${port} is not open`);
    await h.proc.close(port);
  }

  /** Restart the listener on `port` with a new banner (same kind). */
  async setBanner(name: string, port: number, banner: string): Promise<void> {
    const h = this.mustGet(name);
    const cur = h.proc?.ports.get(port);
    if (!h.proc || !cur) throw new Error(`host ${name} has no listener on port ${port}`);
    await h.proc.replace({ ...cur, banner });
  }

  /** Routes of the scanner namespace (`ip -4 route show`). */
  scannerRoutes(): Promise<string[]> {
    return routes(this.scannerNs);
  }

  /** Run a command inside the scanner namespace; never a shell. */
  execInScanner(cmd: string, args: readonly string[] = [], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.execIn(this.scannerNs, cmd, args, opts);
  }

  /** Run a command inside one of this LAN's namespaces (scanner, lan or a host's). */
  execIn(ns: string, cmd: string, args: readonly string[] = [], opts: ExecOptions = {}): Promise<ExecResult> {
    this.assertOwned(ns);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      execFile(
        IP_BIN,
        ['netns', 'exec', ns, cmd, ...args],
        {
          timeout: opts.timeoutMs ?? 60_000,
          env: opts.env ?? process.env,
          cwd: opts.cwd,
          maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024,
          encoding: 'utf8',
          killSignal: 'SIGKILL',
        },
        (err, stdout, stderr) => {
          const e = err as
            | (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals })
            | null;
          const res: ExecResult = {
            stdout,
            stderr,
            code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
            signal: e?.signal ?? null,
            durationMs: performance.now() - t0,
          };
          if (e && typeof e.code === 'string') {
            reject(new Error(`cannot run ${cmd} in ${ns}: ${e.message}`));
          } else if (opts.check && res.code !== 0) {
            reject(
              new Error(
                `${cmd} ${args.join(' ')} in ${ns} failed (code ${res.code}, signal ${res.signal}): ${stderr.trim()}`,
              ),
            );
          } else resolve(res);
        },
      );
    });
  }

  /**
   * Spawn a long-running command inside the scanner namespace (e.g. the service under test:
   * `spawnInScanner(process.execPath, ['dist/cli.js', 'run', '--subnets', lan.subnet, ...])`).
   * The child is killed by destroy() if still running.
   */
  spawnInScanner(cmd: string, args: readonly string[] = [], opts: SpawnOptions = {}): ChildProcess {
    return this.spawnIn(this.scannerNs, cmd, args, opts);
  }

  /** Spawn a long-running command inside one of this LAN's namespaces (a DHCP server on a host, …). */
  spawnIn(ns: string, cmd: string, args: readonly string[] = [], opts: SpawnOptions = {}): ChildProcess {
    this.assertOwned(ns);
    const child = spawn(IP_BIN, ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...opts,
    });
    this.spawned.add(child);
    child.once('exit', () => this.spawned.delete(child));
    return child;
  }

  /** Kill every process this LAN started and delete every namespace it made. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.spawned) c.kill('SIGKILL');
    this.spawned.clear();
    for (const h of this.hostMap.values()) h.proc?.kill();
    const hostNs = [...this.namespaces].filter((n) => n !== this.lanNs && n !== this.scannerNs);
    await Promise.all(hostNs.map((n) => this.dropNs(n)));
    for (const n of [this.scannerNs, this.lanNs]) if (this.namespaces.has(n)) await this.dropNs(n);
    this.hostMap.clear();
    this.lease.release();
    this.unhook();
  }

  // ---- internals -----------------------------------------------------------------------------------

  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.spawned) c.kill('SIGKILL');
    for (const h of this.hostMap.values()) h.proc?.kill();
    deleteNamespacesSync([...this.namespaces].reverse());
    this.namespaces.clear();
    this.lease.release();
  }

  /** Validate specs (names, MACs, IPs unique among themselves and the existing hosts) and name their parts. */
  private planHosts(specs: readonly HostSpec[]): HostPlan[] {
    const plans: HostPlan[] = [];
    const names = new Set(this.hostMap.keys());
    const ips = new Map([...this.hostMap.values()].map((h) => [h.ip, h.name]));
    for (const spec of specs) {
      if (!HOST_NAME.test(spec.name)) {
        throw new Error(`host name ${JSON.stringify(spec.name)} must match ${HOST_NAME}`);
      }
      if (names.has(spec.name)) throw new Error(`host ${spec.name} already exists`);
      const ip = this.resolveIp(spec.ip, spec.name);
      const other = ips.get(ip);
      if (other !== undefined) throw new Error(`host ${spec.name}: ${ip} is already used by ${other}`);
      names.add(spec.name);
      ips.set(ip, spec.name);
      const ns = `lsn-${this.id}-h-${spec.name}`;
      assertNsName(ns);
      plans.push({
        name: spec.name,
        ns,
        mac: normalizeMac(spec.mac),
        ip,
        bridgePort: `v-${(++this.portCounter).toString(36)}`,
        services: (spec.services ?? []).map(parseServiceSpec),
      });
    }
    return plans;
  }

  private vethCommands(bridgePort: string, peerNs: string, mac: string): string[][] {
    return [
      ['link', 'add', bridgePort, 'type', 'veth', 'peer', 'name', 'eth0', 'address', mac, 'netns', peerNs],
      ['link', 'set', bridgePort, 'master', this.bridge, 'up'],
    ];
  }

  private async startHost(p: HostPlan): Promise<HostState> {
    const proc = p.services.length > 0 ? await ServiceHostProcess.start(p.ns, p.services) : null;
    const state: HostState = { name: p.name, ns: p.ns, mac: p.mac, ip: p.ip, bridgePort: p.bridgePort, proc };
    this.hostMap.set(p.name, state);
    return state;
  }

  private async dropNs(ns: string): Promise<void> {
    await deleteNamespace(ns);
    this.namespaces.delete(ns);
  }

  private lanCmd(argv: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(IP_BIN, ['-n', this.lanNs, ...argv], { encoding: 'utf8' }, (err, out) =>
        err ? reject(err) : resolve(out),
      );
    });
  }

  private resolveIp(ip: string | number, name: string): string {
    let full: string;
    if (typeof ip === 'number') full = this.ip(ip);
    else {
      const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.(\d{1,3})$/.exec(ip);
      if (!m || m[1] !== this.prefix) {
        throw new Error(
          `host ${name}: ip ${JSON.stringify(ip)} must be inside ${this.subnet} (or a last octet)`,
        );
      }
      full = this.ip(Number(m[2]));
    }
    if (full === this.scannerIp) throw new Error(`host ${name}: ${full} is the scanner's address`);
    for (const h of this.hostMap.values()) {
      if (h.ip === full && h.name !== name)
        throw new Error(`host ${name}: ${full} is already used by ${h.name}`);
    }
    return full;
  }

  private mustGet(name: string): HostState {
    this.assertLive();
    const h = this.hostMap.get(name);
    if (!h)
      throw new Error(
        `no simulated host named ${JSON.stringify(name)} (have: ${[...this.hostMap.keys()].join(', ')})`,
      );
    return h;
  }

  private assertOwned(ns: string): void {
    this.assertLive();
    if (!this.namespaces.has(ns))
      throw new Error(`namespace ${ns} does not belong to simulated LAN ${this.id}`);
  }

  private assertLive(): void {
    if (this.destroyed) throw new Error(`simulated LAN ${this.id} was destroyed`);
  }

  private view(h: HostState): SimHost {
    return {
      name: h.name,
      ns: h.ns,
      mac: h.mac,
      ip: h.ip,
      services: h.proc ? [...h.proc.ports.values()] : [],
    };
  }
}
