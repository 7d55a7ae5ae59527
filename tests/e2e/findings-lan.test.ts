/**
 * Issue 15's acceptance on the simulated LAN: the real service (dist/cli.js, real nmap, SQLite file) scans
 *  - the NAS (Apache 2.4.49 + OpenSSH 7.2p2 emulators): ≤ 3 finding groups, CVE-2021-41773 in the first, no
 *    ssh-agent CVE; accepting the first group drops its risk; a new Apache banner version brings it back;
 *  - three TLS listeners made with Debian's openssl (`openssl s_server`): a certificate expiring in 10 days, an
 *    expired one, a TLS-1.0-only server → cert_expiring, cert_expired, weak_tls (ssl-cert + ssl-enum-ciphers);
 *  - hostile input: a certificate with markup and an escape sequence in its subject and a 64 kB SAN list, and an
 *    SSH banner that is not UTF-8: the scan finishes, the stored text is bounded and clean;
 *  - expected ports set with "accept what is open now", then a port opened later → unexpected_port.
 * Bounded: 4 hosts (one nmap batch), 5 ports, each scan waited for at most 150 s.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { describeLan } from '../lan/requireLan.js';
import { http, ssh } from '../lan/services.js';
import { SimLan } from '../lan/sim-lan.js';
import { HOSTILE_SAN_COUNT, makeTlsCerts, opensslAvailable, startTlsListener } from '../lan/tls.js';

const NAS = { name: 'nas', mac: '00:11:32:aa:bb:10', ip: 10 };
const TLS_HOSTS = [
  { name: 'tls-soon', mac: '02:15:00:00:00:31', ip: 31, kind: 'expiring' },
  { name: 'tls-expired', mac: '02:15:00:00:00:32', ip: 32, kind: 'expired' },
  { name: 'tls-old', mac: '02:15:00:00:00:33', ip: 33, kind: 'tls10' },
] as const;
/** the hostile certificate and banner live on the expired host (its own port), so the four hosts are one nmap
 *  batch: ssl-enum-ciphers spends its whole --script-timeout (60 s) on the 64 kB certificate, in parallel */
const HOSTILE = { host: TLS_HOSTS[1], port: 8443 };
/** an SSH banner with bytes that are not UTF-8 (0xff 0xfe), markup and an escape sequence in its comment (nmap
 *  still identifies it, so -sV does not go through every probe) */
const NON_UTF8_SSH = 'SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3 \xff\xfe\x1b[31m<script>x</script>';
const SCAN_WAIT_MS = 150_000;

interface ScanJson {
  id: number;
  kind: string;
  status: string;
}
interface FindingJson {
  key: string;
  kind: string;
  cve: string | null;
  port: number | null;
  known_exploited: boolean;
}
interface GroupJson {
  key: string;
  mac: string;
  kind: string;
  title: string;
  accepted: boolean;
  version: string | null;
  device_name: string;
  findings: FindingJson[];
}
interface DeviceJson {
  mac: string;
  risk: string;
  risk_score: number;
  ports: Array<{ port: number; product: string | null; version: string | null; extrainfo?: string | null }>;
}
interface TlsJson {
  port: number;
  subject: string | null;
  issuer: string | null;
  not_after: string | null;
  self_signed: boolean;
  san: string | null;
  protocols: string[];
  weak: string[];
}

describeLan('findings on the simulated LAN (issue 15)', () => {
  let lan: SimLan;
  let certDir: string;
  let svc: ServiceProcess;
  const t0 = Date.now();

  const scans = async (kind: string) =>
    (await svc.api<{ items: ScanJson[] }>(`api/scans?kind=${kind}&limit=5`)).body.items;
  const idle = async () => {
    const h = await svc.api<{ scanner: { running: boolean; queue: number } }>('api/health');
    return !h.body.scanner.running && h.body.scanner.queue === 0;
  };
  /** waits until a port scan newer than `after` has finished and the scanner is idle */
  const portScanDone = async (after: number, what: string) => {
    const done = await eventually(
      async () =>
        (await scans('ports')).find((s) => s.id > after && s.status !== 'running' && s.status !== 'queued'),
      SCAN_WAIT_MS,
      what,
      500,
    );
    await eventually(idle, SCAN_WAIT_MS, 'the scanner to be idle', 500);
    if (done.status !== 'finished')
      throw new Error(`port scan #${done.id} ${done.status}; service log:\n${svc.log.slice(-3000)}`);
    return done.id;
  };
  let lastPortScan = 0;
  const rescan = async (mac: string) => {
    const r = await svc.api(`api/devices/${mac}/scan`, { method: 'POST', body: '{}' });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    lastPortScan = await portScanDone(lastPortScan, `the port scan of ${mac}`);
  };
  const groups = async (mac: string) =>
    (await svc.api<{ items: GroupJson[] }>(`api/findings/groups?mac=${mac}&limit=100`)).body.items;
  const device = async (mac: string) => (await svc.api<DeviceJson>(`api/devices/${mac}`)).body;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'lsn-tls-'));
    makeTlsCerts(certDir);
    lan = await SimLan.create({
      hosts: [
        { ...NAS, services: [ssh('SSH-2.0-OpenSSH_7.2p2', 22), http('Apache/2.4.49 (Unix)', 80)] },
        ...TLS_HOSTS.map((h) => ({
          name: h.name,
          mac: h.mac,
          ip: h.ip,
          services: h === HOSTILE.host ? [ssh(NON_UTF8_SSH, 22)] : [],
        })),
      ],
    });
    for (const h of TLS_HOSTS) await startTlsListener(lan, h.name, h.kind, certDir);
    await startTlsListener(lan, HOSTILE.host.name, 'hostile', certDir, HOSTILE.port);
    svc = await ServiceProcess.start(lan, {
      startTimeoutMs: 60_000, // a loaded machine takes its time to open the database and load the CVE data
      flags: serviceFlags({
        ports: '22,80,443,2222,8443',
        extra: ['--tls-checks', 'true', '--cert-expiry-days', '30'],
      }),
    });
    // a fresh install port-scans what its first sweep found
    lastPortScan = await portScanDone(0, 'the first port scan after install');
    const first = (await svc.api<{ items: Array<Record<string, unknown>> }>('api/scans?limit=5')).body.items;
    const batches = svc.log.split('\n').filter((l) => /port scan #\d+/.test(l));
    console.log(
      `[findings-lan] set up in ${Math.round((Date.now() - t0) / 1000)} s; first port scan ${first[0]?.duration_ms} ms:\n${batches.join('\n').slice(0, 3000)}`,
    );
  }, 240_000);

  afterAll(async () => {
    svc?.cleanup();
    await lan?.destroy();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    console.log(`[findings-lan] whole file ${Math.round((Date.now() - t0) / 1000)} s`);
  }, 60_000);

  it('the NAS shows ≤ 3 finding groups with CVE-2021-41773 in the first and no ssh-agent CVE', async () => {
    const d = await device(NAS.mac);
    expect(d.ports.map((p) => `${p.port} ${p.product} ${p.version}`)).toEqual([
      '22 OpenSSH 7.2p2',
      '80 Apache httpd 2.4.49',
    ]);
    const all = (await svc.api<{ total: number }>(`api/findings?mac=${NAS.mac}&limit=1`)).body.total;
    const g = await groups(NAS.mac);
    console.log(
      `[findings-lan] NAS: ${all} findings in ${g.length} groups: ${g.map((x) => x.title).join(' | ')}`,
    );
    expect(g.length).toBeLessThanOrEqual(3);
    expect(g[0]!.findings.map((f) => f.cve)).toContain('CVE-2021-41773');
    expect(g[0]!.findings[0]!.known_exploited).toBe(true);
    expect(g[0]!.device_name).not.toBe(NAS.mac);
    const cves = g.flatMap((x) => x.findings.map((f) => f.cve));
    expect(cves).not.toContain('CVE-2023-38408');
    expect(cves).not.toContain('CVE-2016-10009');
    expect(d.risk).toBe('critical');
  });

  it(
    'accepting the first group drops the risk; a new Apache version brings it back',
    async () => {
      const before = await device(NAS.mac);
      const first = (await groups(NAS.mac))[0]!;
      const r = await svc.api('api/findings/accepts', {
        method: 'POST',
        body: JSON.stringify({
          mac: NAS.mac,
          scope: 'group',
          target: first.key,
          reason: 'LAN only; firmware update booked',
        }),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const muted = await device(NAS.mac);
      expect(muted.risk_score).toBeLessThan(before.risk_score);
      const g = await groups(NAS.mac);
      expect(g.find((x) => x.key === first.key)?.accepted).toBe(true);
      expect(g[0]!.key).not.toBe(first.key); // accepted groups sort last

      await lan.setBanner(NAS.name, 80, 'Apache/2.4.50 (Unix)');
      await rescan(NAS.mac);
      const back = await groups(NAS.mac);
      expect(back[0]!.accepted).toBe(false);
      expect(back[0]!.version).toBe('2.4.50');
      expect(back[0]!.findings.map((f) => f.cve)).toContain('CVE-2021-42013');
      const after = await device(NAS.mac);
      expect(after.risk).toBe('critical');
      expect(after.risk_score).toBeGreaterThan(muted.risk_score);
    },
    SCAN_WAIT_MS * 2,
  );

  it('the three TLS listeners raise cert_expiring, cert_expired and weak_tls; the certificate is shown', async () => {
    const kinds = async (mac: string) => (await groups(mac)).flatMap((g) => g.findings.map((f) => f.kind));
    const [soon, expired, old] = TLS_HOSTS;
    expect(await kinds(soon.mac)).toContain('cert_expiring');
    expect(await kinds(soon.mac)).not.toContain('weak_tls');
    expect(await kinds(expired.mac)).toContain('cert_expired');
    expect(await kinds(old.mac)).toContain('weak_tls');
    expect(await kinds(old.mac)).not.toContain('cert_expired');
    const tls = (await svc.api<{ items: TlsJson[] }>(`api/devices/${soon.mac}/tls`)).body.items;
    expect(tls).toHaveLength(1);
    expect(tls[0]!.subject).toContain('CN=nas-soon.lan');
    expect(tls[0]!.self_signed).toBe(true);
    const days = (Date.parse(tls[0]!.not_after!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(9);
    expect(days).toBeLessThan(11);
    const oldTls = (await svc.api<{ items: TlsJson[] }>(`api/devices/${old.mac}/tls`)).body.items;
    expect(oldTls[0]!.protocols).toEqual(['TLSv1.0']);
  });

  it('a hostile certificate (markup, escape sequence, 64 kB SAN list) and a non-UTF-8 banner: stored bounded and clean', async () => {
    const hostile = HOSTILE.host;
    const tls = (await svc.api<{ items: TlsJson[] }>(`api/devices/${hostile.mac}/tls`)).body.items;
    expect(tls.map((x) => x.port)).toEqual([443, HOSTILE.port]);
    const t = tls.find((x) => x.port === HOSTILE.port)!;
    expect(t.subject).toContain('<img src=x onerror=alert(1)>'); // kept as data, escaped where shown
    expect(t.subject!.length).toBeLessThanOrEqual(256);
    expect(t.san!.length).toBeLessThanOrEqual(1024);
    expect(t.san).toMatch(/^DNS:h0\.x+\.lan, DNS:h1\./);
    // the certificate nmap was served really carries a SAN list over 64 kB
    const der = Buffer.from(
      readFileSync(join(certDir, 'hostile.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''),
      'base64',
    );
    expect(der.length).toBeGreaterThan(64 * 1024);
    expect(HOSTILE_SAN_COUNT).toBeGreaterThan(2000);
    const control = /[\u0000-\u001f\u007f-\u009f]/;
    expect(control.test(`${t.subject}${t.issuer}${t.san}`)).toBe(false);
    const d = await device(hostile.mac);
    const sshPort = d.ports.find((p) => p.port === 22);
    expect(sshPort, JSON.stringify(d.ports)).toMatchObject({ service: 'ssh', product: 'OpenSSH' });
    // the bytes that are not UTF-8 arrive as replacement or Latin-1 characters, the markup as text, no ESC
    expect(sshPort!.version).toMatch(/^8\.4p1 Debian 5\+deb11u3 .*<script>x<\/script>$/);
    expect(JSON.stringify(d.ports)).not.toMatch(control);
  });

  it(
    'a port opened after the expected ports were set raises unexpected_port',
    async () => {
      const put = await svc.api<{ ports: string[] }>(`api/devices/${NAS.mac}/expected-ports`, {
        method: 'PUT',
        body: JSON.stringify({ from_current: true }),
      });
      expect(put.status).toBe(200);
      expect(put.body.ports).toEqual(['tcp/22', 'tcp/80']);
      expect((await groups(NAS.mac)).some((g) => g.kind === 'unexpected_port')).toBe(false);
      await lan.openPort(NAS.name, ssh('SSH-2.0-OpenSSH_9.6p1', 2222));
      await rescan(NAS.mac);
      const u = (await groups(NAS.mac)).filter((g) => g.kind === 'unexpected_port');
      expect(u.map((g) => g.findings[0]!.port)).toEqual([2222]);
      const changes = (
        await svc.api<{ items: Array<{ type: string; after?: { port?: number } }> }>(
          `api/changes?type=unexpected_port&mac=${NAS.mac}&limit=10`,
        )
      ).body.items;
      expect(changes.map((c) => c.after?.port)).toEqual([2222]);
      console.log(`[findings-lan] acceptance done after ${Math.round((Date.now() - t0) / 1000)} s`);
    },
    SCAN_WAIT_MS,
  );
}, [opensslAvailable()]);
