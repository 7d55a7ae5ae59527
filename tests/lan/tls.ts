/**
 * TLS listeners for the simulated LAN, made with Debian's `openssl` (no shell, argv only): certificates that
 * expire in 10 days, expired ones, one for a TLS-1.0-only server and a hostile one (control characters and
 * markup in the subject, a 64 kB subjectAltName list), each served inside a host's namespace by tls-server.mjs.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimLan } from './sim-lan.js';

export const OPENSSL = 'openssl';

export type TlsListenerKind = 'expiring' | 'expired' | 'tls10' | 'hostile';

/** What each listener is (the subject's CN, what a scan must find). */
export const TLS_LISTENERS: Record<TlsListenerKind, { cn: string; days: number }> = {
  expiring: { cn: 'nas-soon.lan', days: 10 },
  expired: { cn: 'expired.lan', days: -1 },
  tls10: { cn: 'old-tls.lan', days: 365 },
  hostile: { cn: '<img src=x onerror=alert(1)>', days: 365 },
};

/** SAN entries of the hostile certificate: ~64 kB of DNS names. */
export const HOSTILE_SAN_COUNT = 2900;

/** For describeLan's extra checks (under CI=true a missing openssl fails the suite). */
export function opensslAvailable(): { ok: boolean; reason?: string } {
  try {
    execFileSync(OPENSSL, ['version'], { stdio: 'ignore', timeout: 10_000 });
    return { ok: true };
  } catch {
    return { ok: false, reason: '`openssl` not found: apt-get install -y openssl' };
  }
}

function openssl(args: string[], cwd: string): void {
  execFileSync(OPENSSL, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
}

function selfSigned(dir: string, name: string, subj: string, days: number, extra: string[] = []): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      String(days),
      '-subj',
      subj,
      ...extra,
    ],
    dir,
  );
}

/**
 * Writes <kind>.pem/<kind>.key for every listener kind into `dir`. The expired certificate is signed with
 * `openssl ca` and explicit dates in the past (req -x509 cannot make one).
 */
export function makeTlsCerts(dir: string): void {
  selfSigned(dir, 'expiring', `/CN=${TLS_LISTENERS.expiring.cn}/O=LAN Sentinel test`, 10);
  // RSA for the TLS 1.0 server: its suites are the classic RSA/ECDHE-RSA CBC ones
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'tls10.key',
      '-out',
      'tls10.pem',
      '-days',
      '365',
      '-subj',
      `/CN=${TLS_LISTENERS.tls10.cn}`,
    ],
    dir,
  );
  // hostile: markup, quotes and an escape sequence in the subject (openssl's -subj takes them with -multivalue-rdn
  // off; '/' inside a value is escaped), ~64 kB of SAN entries from a config file
  const sans = Array.from({ length: HOSTILE_SAN_COUNT }, (_, i) => `DNS:h${i}.${'x'.repeat(12)}.lan`).join(
    ',',
  );
  writeFileSync(
    join(dir, 'hostile.cnf'),
    `[req]\ndistinguished_name=dn\nprompt=no\nx509_extensions=ext\nutf8=yes\n[dn]\nCN=${TLS_LISTENERS.hostile.cn}\nO="quoted" \u001b[31mred\u001b[0m & <b>bold</b>\n[ext]\nsubjectAltName=${sans}\n`,
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'hostile.key',
      '-out',
      'hostile.pem',
      '-days',
      '365',
      '-config',
      'hostile.cnf',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=./index.txt\nnew_certs_dir=.\nserial=./serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n',
  );
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'expired.key',
      '-out',
      'expired.csr',
      '-subj',
      `/CN=${TLS_LISTENERS.expired.cn}`,
    ],
    dir,
  );
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'expired.key',
      '-in',
      'expired.csr',
      '-out',
      'expired.pem',
      '-startdate',
      '20240101000000Z',
      '-enddate',
      '20250101000000Z',
      '-notext',
    ],
    dir,
  );
}

const SERVER = fileURLToPath(new URL('./tls-server.mjs', import.meta.url));

/**
 * Starts a TLS listener for one kind on `port` inside host `hostName`'s namespace (tests/lan/tls-server.mjs: Node's
 * TLS, i.e. OpenSSL, serving the certificate made above; concurrent, unlike `openssl s_server`, so nmap -sV does not
 * queue behind its own probes) and resolves once it listens. The TLS 1.0 server offers TLS 1.0 only. The child is
 * killed by lan.destroy().
 */
export async function startTlsListener(
  lan: SimLan,
  hostName: string,
  kind: TlsListenerKind,
  certDir: string,
  port = 443,
): Promise<ChildProcess> {
  const spec = {
    port,
    cert: join(certDir, `${kind}.pem`),
    key: join(certDir, `${kind}.key`),
    tls10only: kind === 'tls10',
  };
  const child = lan.spawnIn(lan.host(hostName).ns, process.execPath, [SERVER, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`TLS listener (${kind}) did not start within 20 s: ${out.slice(-500)}`)),
      20_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`TLS listener (${kind}) exited with ${code}: ${out.slice(-500)}`));
    });
  });
  return child;
}
