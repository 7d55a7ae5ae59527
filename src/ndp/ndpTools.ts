/**
 * The subprocess adapters of NDP discovery: `ping` to the all-nodes group ff02::1 on one interface (from its
 * link-local address, and once from each of its unique-local/global addresses so that neighbours answer from
 * theirs too), and `ip -6 neigh show dev <iface>` for the kernel's neighbour table. argv arrays, never a shell;
 * bounded in time and output.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface NdpTools {
  /** stdout of one all-nodes ping; `source` null = the interface's link-local address */
  pingAllNodes(iface: string, source: string | null, signal?: AbortSignal): Promise<string>;
  /** `ip -6 neigh show dev <iface>` output */
  neighbours(iface: string, signal?: AbortSignal): Promise<string>;
}

const IFACE_RE = /^[A-Za-z0-9_.@-]{1,15}$/;
const OUTPUT_MAX = 1024 * 1024;

/** The first executable that exists (Debian /usr/bin/ping + /usr/sbin/ip, Alpine /bin/ping + /sbin/ip). */
export function findTool(candidates: readonly string[]): string | null {
  return candidates.find((p) => existsSync(p)) ?? null;
}

export const PING_CANDIDATES = ['/usr/bin/ping', '/bin/ping'];
export const IP_CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/bin/ip', '/usr/bin/ip'];

export function pingAllNodesArgv(iface: string, source: string | null): string[] {
  if (!IFACE_RE.test(iface)) throw new Error(`interface name ${JSON.stringify(iface)} is not allowed`);
  // 2 echoes 0.3 s apart, 2 s at most: every neighbour answers each (the later answers are "DUP!")
  const head = ['-6', '-n', '-c', '2', '-i', '0.3', '-w', '2'];
  return source ? [...head, '-I', source, `ff02::1%${iface}`] : [...head, '-I', iface, 'ff02::1'];
}

export function neighboursArgv(iface: string): string[] {
  if (!IFACE_RE.test(iface)) throw new Error(`interface name ${JSON.stringify(iface)} is not allowed`);
  return ['-6', 'neigh', 'show', 'dev', iface];
}

function run(bin: string, argv: string[], okCodes: number[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      argv,
      {
        encoding: 'latin1',
        timeout: 5_000,
        killSignal: 'SIGKILL',
        maxBuffer: OUTPUT_MAX,
        shell: false,
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
        ...(signal ? { signal } : {}),
      },
      (err, stdout, stderr) => {
        const code = err ? (err as NodeJS.ErrnoException & { code?: unknown }).code : 0;
        if (!err || (typeof code === 'number' && okCodes.includes(code))) resolve(stdout);
        else
          reject(
            new Error(`${bin} ${argv.join(' ')}: ${String(stderr).trim().slice(0, 200) || err.message}`),
          );
      },
    );
  });
}

export function systemNdpTools(pingPath: string, ipPath: string): NdpTools {
  return {
    // ping exits 1 when nobody answered: an empty LAN, not an error
    pingAllNodes: (iface, source, signal) => run(pingPath, pingAllNodesArgv(iface, source), [1], signal),
    neighbours: (iface, signal) => run(ipPath, neighboursArgv(iface), [], signal),
  };
}
