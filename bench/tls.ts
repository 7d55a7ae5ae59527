/**
 * tls_scripts_added_s: what nmap's ssl-cert + ssl-enum-ciphers (option tls_checks) add to a port scan. A simulated
 * LAN (tests/lan) with the three TLS listeners of the findings e2e (a certificate expiring in 10
 * days, an expired one, a TLS-1.0-only server; tests/lan/tls.ts) and the NAS (OpenSSH + Apache emulators, no TLS); inside the scanner
 * namespace the service's own port-scan argv (`buildPortScanArgs`, ports 22,80,443) runs with and without the TLS
 * scripts, alternated (order swapped every pair), after one untimed warm-up of each. Figure: median(with) -
 * median(without); `detail` gives both medians, the per-run times and the scan without scripts as the reference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPortScanArgs } from '../src/scan/nmapArgs.js';
import { parseNmapXml } from '../src/scan/nmapXml.js';
import { lanAvailable } from '../tests/lan/requireLan.js';
import { http, ssh } from '../tests/lan/services.js';
import { SimLan } from '../tests/lan/sim-lan.js';
import { makeTlsCerts, opensslAvailable, startTlsListener, type TlsListenerKind } from '../tests/lan/tls.js';
import { type Benchmark, type BenchResult, errorText, fmtList, median, missing, round } from './lib.js';

const ADDED = { name: 'tls_scripts_added_s', unit: 's', target: 'reported (no DESIGN target)' };
const TLS_HOSTS: Array<{ name: string; mac: string; ip: number; kind: TlsListenerKind }> = [
  { name: 'tls-soon', mac: '02:15:00:00:00:31', ip: 31, kind: 'expiring' },
  { name: 'tls-expired', mac: '02:15:00:00:00:32', ip: 32, kind: 'expired' },
  { name: 'tls-old', mac: '02:15:00:00:00:33', ip: 33, kind: 'tls10' },
];

export const tlsBenchmark: Benchmark = {
  names: [ADDED],
  async run({ quick, log }): Promise<BenchResult[]> {
    const lanOk = lanAvailable();
    if (!lanOk.ok) return [missing(ADDED, `simulated LAN unavailable: ${lanOk.reason}`)];
    const ssl = opensslAvailable();
    if (!ssl.ok) return [missing(ADDED, ssl.reason ?? 'openssl missing')];
    const pairs = quick ? 1 : 3;
    const certDir = mkdtempSync(join(tmpdir(), 'lsn-bench-tls-'));
    let lan: SimLan | null = null;
    try {
      makeTlsCerts(certDir);
      lan = await SimLan.create({
        hosts: [
          {
            name: 'nas',
            mac: '00:11:32:aa:bb:10',
            ip: 10,
            services: [ssh('SSH-2.0-OpenSSH_7.2p2', 22), http('Apache/2.4.49 (Unix)', 80)],
          },
          ...TLS_HOSTS.map((h) => ({ name: h.name, mac: h.mac, ip: h.ip, services: [] })),
        ],
      });
      const l = lan;
      for (const h of TLS_HOSTS) await startTlsListener(l, h.name, h.kind, certDir);
      const ips = [l.ip(10), ...TLS_HOSTS.map((h) => l.ip(h.ip))];
      const scan = async (tls: boolean) => {
        const argv = buildPortScanArgs({
          targets: ips,
          profile: 'custom',
          ports: ['22', '80', '443'],
          privileged: true,
          hostTimeoutSec: 120,
          tlsScripts: tls,
        });
        const r = await l.execInScanner('nmap', argv, { timeoutMs: 300_000, check: true });
        const parsed = parseNmapXml(r.stdout, 'ports', ips);
        if (!parsed.ok) throw new Error(parsed.error);
        const withTls = parsed.result.hosts.flatMap((h) => h.ports).filter((p) => p.tls).length;
        if (tls && withTls !== TLS_HOSTS.length)
          throw new Error(`expected TLS facts for ${TLS_HOSTS.length} ports, got ${withTls}`);
        return r.durationMs / 1000;
      };
      log('warm-up');
      await scan(false);
      await scan(true);
      const plain: number[] = [];
      const tls: number[] = [];
      for (let i = 0; i < pairs; i++) {
        const order = i % 2 === 0 ? [false, true] : [true, false];
        for (const t of order) (t ? tls : plain).push(await scan(t));
        log(
          `pair ${i + 1}/${pairs}: without ${plain.at(-1)?.toFixed(2)} s, with ${tls.at(-1)?.toFixed(2)} s`,
        );
      }
      const added = median(tls) - median(plain);
      return [
        {
          name: ADDED.name,
          value: round(added, 2),
          unit: ADDED.unit,
          target: ADDED.target,
          pass: null,
          detail: `port scan of 4 hosts (NAS: ssh+http; 3 TLS listeners on 443 serving certificates made by openssl), ports 22,80,443, -sS -sV: without TLS scripts median ${round(median(plain), 2)} s ${fmtList(plain, 2)}, with ssl-cert,ssl-enum-ciphers median ${round(median(tls), 2)} s ${fmtList(tls, 2)} (${pairs} alternated pairs after a warm-up of each); per TLS port ≈ ${round(added / TLS_HOSTS.length, 2)} s`,
        },
      ];
    } catch (err) {
      return [missing(ADDED, `failed: ${errorText(err)}`)];
    } finally {
      await lan?.destroy();
      rmSync(certDir, { recursive: true, force: true });
    }
  },
};
