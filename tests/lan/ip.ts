/**
 * Thin wrappers over iproute2 `ip`, always through execFile with an argv array (never a shell).
 * Every namespace-scoped call uses `ip -n <ns> ...`, so nothing is configured in the host's own namespace
 * except creating/deleting the `lsn-*` namespaces themselves.
 */
import { execFile, execFileSync } from 'node:child_process';

export const IP_BIN = 'ip';

export class IpError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`ip ${argv.join(' ')} failed (${String(code)}): ${stderr.trim() || '(no stderr)'}`);
    this.name = 'IpError';
  }
}

/** Run `ip <argv...>`; resolves with stdout, rejects with IpError. */
export function ip(argv: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(IP_BIN, [...argv], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
        reject(new IpError(argv, stderr || err.message, code));
        return;
      }
      resolve(stdout);
    });
  });
}

/** Synchronous variant for exit handlers (where async work never runs). Never throws. */
export function ipSync(argv: readonly string[]): boolean {
  try {
    execFileSync(IP_BIN, [...argv], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

const NS_NAME = /^lsn-[a-z0-9-]{1,60}$/;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function assertNsName(name: string): void {
  if (!NS_NAME.test(name)) {
    throw new Error(
      `namespace name ${JSON.stringify(name)} is not allowed: must match ${NS_NAME} (lsn- prefix)`,
    );
  }
}
export function assertIfName(name: string): void {
  if (!IFNAME.test(name)) throw new Error(`interface name ${JSON.stringify(name)} must match ${IFNAME}`);
}
export function normalizeMac(mac: string): string {
  const m = mac.trim().toLowerCase().replace(/-/g, ':');
  if (!MAC.test(m)) throw new Error(`MAC ${JSON.stringify(mac)} must look like aa:bb:cc:dd:ee:ff`);
  const first = Number.parseInt(m.slice(0, 2), 16);
  if (first & 1) throw new Error(`MAC ${m} is a multicast address; use a unicast MAC (even first octet)`);
  return m;
}
export function assertCidr(cidr: string): void {
  const m = IPV4_CIDR.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new Error(`address ${JSON.stringify(cidr)} must be IPv4 CIDR like 10.213.7.5/24`);
  }
}

export async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return parseNetnsList(out);
}
export function listNamespacesSync(): string[] {
  try {
    return parseNetnsList(execFileSync(IP_BIN, ['netns', 'list'], { encoding: 'utf8', timeout: 5_000 }));
  } catch {
    return [];
  }
}
/** `ip netns list` prints `name` or `name (id: 3)` per line. */
export function parseNetnsList(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.length > 0);
}

export async function addNamespace(ns: string): Promise<void> {
  assertNsName(ns);
  await ip(['netns', 'add', ns]);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** Pids of processes living in a namespace (`ip netns pids`). */
export async function namespacePids(ns: string): Promise<number[]> {
  assertNsName(ns);
  try {
    const out = await ip(['netns', 'pids', ns]);
    return out
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 1);
  } catch {
    return [];
  }
}

/** Kill whatever still lives in the namespace, then delete it. Idempotent. */
export async function deleteNamespace(ns: string): Promise<void> {
  assertNsName(ns);
  for (const pid of await namespacePids(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  try {
    await ip(['netns', 'del', ns]);
  } catch (err) {
    if (!(err instanceof IpError) || !/No such file|not found|Invalid/i.test(err.stderr)) throw err;
  }
}

export function deleteNamespaceSync(ns: string): void {
  if (!NS_NAME.test(ns)) return;
  try {
    const out = execFileSync(IP_BIN, ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5_000 });
    for (const p of out.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  } catch {
    /* namespace gone */
  }
  ipSync(['netns', 'del', ns]);
}

export async function addBridge(ns: string, name: string): Promise<void> {
  assertNsName(ns);
  assertIfName(name);
  await ip(['-n', ns, 'link', 'add', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  await ip(['-n', ns, 'link', 'set', name, 'up']);
}

/**
 * Create a veth pair whose one end (`bridgePort`) sits in `bridgeNs` attached to `bridge`, and whose
 * other end is moved into `peerNs` and renamed `peerIf`, with the given MAC. Both ends are brought up.
 */
export async function addVethToBridge(opts: {
  bridgeNs: string;
  bridge: string;
  bridgePort: string;
  peerNs: string;
  peerIf: string;
  mac: string;
}): Promise<void> {
  const { bridgeNs, bridge, bridgePort, peerNs, peerIf } = opts;
  assertNsName(bridgeNs);
  assertNsName(peerNs);
  assertIfName(bridgePort);
  assertIfName(peerIf);
  const mac = normalizeMac(opts.mac);
  await ip([
    '-n',
    bridgeNs,
    'link',
    'add',
    bridgePort,
    'type',
    'veth',
    'peer',
    'name',
    peerIf,
    'address',
    mac,
    'netns',
    peerNs,
  ]);
  await ip(['-n', bridgeNs, 'link', 'set', bridgePort, 'master', bridge, 'up']);
  await ip(['-n', peerNs, 'link', 'set', peerIf, 'up']);
}

export async function setMac(ns: string, ifname: string, mac: string): Promise<void> {
  assertNsName(ns);
  assertIfName(ifname);
  await ip(['-n', ns, 'link', 'set', 'dev', ifname, 'address', normalizeMac(mac)]);
}

export async function setLinkUp(ns: string, ifname: string, up = true): Promise<void> {
  assertNsName(ns);
  assertIfName(ifname);
  await ip(['-n', ns, 'link', 'set', 'dev', ifname, up ? 'up' : 'down']);
}

export async function addAddress(ns: string, ifname: string, cidr: string): Promise<void> {
  assertNsName(ns);
  assertIfName(ifname);
  assertCidr(cidr);
  await ip(['-n', ns, 'addr', 'add', cidr, 'dev', ifname]);
}

export async function flushAddresses(ns: string, ifname: string): Promise<void> {
  assertNsName(ns);
  assertIfName(ifname);
  await ip(['-n', ns, '-4', 'addr', 'flush', 'dev', ifname]);
}

export async function addDefaultRoute(ns: string, via: string): Promise<void> {
  assertNsName(ns);
  assertCidr(`${via}/32`);
  await ip(['-n', ns, 'route', 'add', 'default', 'via', via]);
}

/** `ip -n <ns> -4 route show` lines, trimmed. */
export async function routes(ns: string): Promise<string[]> {
  assertNsName(ns);
  const out = await ip(['-n', ns, '-4', 'route', 'show']);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

const BATCH_TOKEN = /^[A-Za-z0-9_.:/@-]+$/;

/**
 * Run several ip commands in one process: `ip [-n <ns>] -batch -` with one command per stdin line.
 * Tokens are restricted to [A-Za-z0-9_.:/@-] (no spaces, quotes or comments), so the batch parser cannot be
 * confused. Stops at the first failing command and rejects with its error.
 */
export async function ipBatch(
  commands: readonly (readonly string[])[],
  ns?: string,
  timeoutMs = 15_000,
): Promise<void> {
  if (commands.length === 0) return;
  if (ns !== undefined) assertNsName(ns);
  for (const cmd of commands) {
    for (const tok of cmd) {
      if (!BATCH_TOKEN.test(tok))
        throw new Error(`ip batch token ${JSON.stringify(tok)} must match ${BATCH_TOKEN}`);
    }
  }
  const argv = [...(ns ? ['-n', ns] : []), '-batch', '-'];
  const input = `${commands.map((c) => c.join(' ')).join('\n')}\n`;
  return new Promise<void>((resolve, reject) => {
    const child = execFile(IP_BIN, argv, { timeout: timeoutMs, encoding: 'utf8' }, (err, _out, stderr) => {
      if (err)
        reject(
          new IpError([...argv, `<<${input.trim().replace(/\n/g, ' ; ')}>>`], stderr || err.message, null),
        );
      else resolve();
    });
    child.stdin?.end(input);
  });
}
