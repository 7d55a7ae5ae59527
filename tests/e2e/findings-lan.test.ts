/**
 * Issue 15 on the simulated LAN with the real nmap: the NAS (Apache 2.4.49 + OpenSSH 7.2p2 emulators) is
 * port-scanned and its findings grouped; three TLS listeners made with Debian's openssl (certificate expiring
 * in 10 days, an expired one, one offering TLS 1.0) are scanned with ssl-cert + ssl-enum-ciphers and raise
 * cert_expiring, cert_expired and weak_tls; a port opened after expected ports were set raises
 * unexpected_port. The time the TLS scripts add is measured against the same scan without them (reported in
 * artifacts/tls-timing.json, never asserted).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Device, DevicePort } from '../../src/inventory/types.js';
import { buildPortScanArgs } from '../../src/scan/nmapArgs.js';
import { isPrivileged } from '../../src/scan/nmapRunner.js';
import { parseNmapXml } from '../../src/scan/nmapXml.js';
import type { ScanHost } from '../../src/scan/types.js';
import { tlsFactsOf } from '../../src/service/threatAssessor.js';
import { loadShippedCves } from '../../src/threats/cveRules.js';
import { evaluateDevice } from '../../src/threats/evaluate.js';
import { groupFindings } from '../../src/threats/groups.js';
import { tlsFindings } from '../../src/threats/tls.js';
import type { StoredFinding } from '../../src/threats/types.js';
import { describeLan } from '../lan/requireLan.js';
import { banner, http, ssh } from '../lan/services.js';
import { SimLan } from '../lan/sim-lan.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IP_BIN = '/usr/sbin/ip';
const NAS = { name: 'nas', mac: '00:11:32:aa:bb:10', ip: 10 };
const TLS_HOSTS = [
  { name: 'tls-soon', mac: '02:00:00:00:15:01', ip: 31 },
  { name: 'tls-expired', mac: '02:00:00:00:15:02', ip: 32 },
  { name: 'tls-old', mac: '02:00:00:00:15:03', ip: 33 },
];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore', timeout: 60_000 });
}

/** Certificates with Debian's openssl: 10 days left, expired (via `openssl ca` dates), one valid for a year. */
function makeCerts(dir: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'soon.key',
      '-out',
      'soon.pem',
      '-days',
      '10',
      '-subj',
      '/CN=nas-soon.lan',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'old.key',
      '-out',
      'old.pem',
      '-days',
      '365',
      '-subj',
      '/CN=old-tls.lan',
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
      'rsa:2048',
      '-nodes',
      '-keyout',
      'expired.key',
      '-out',
      'expired.csr',
      '-subj',
      '/CN=expired.lan',
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

describeLan('findings on the simulated LAN (issue 15)', () => {
  let lan: SimLan;
  let dir: string;
  const servers: ChildProcess[] = [];
  const rules = loadShippedCves().rules;
  const figures: Record<string, number> = {};

  async function scan(
    ips: string[],
    ports: string[],
    tls: boolean,
  ): Promise<{ hosts: ScanHost[]; ms: number }> {
    const argv = buildPortScanArgs({
      targets: ips,
      profile: 'custom',
      ports,
      privileged: isPrivileged(),
      tlsScripts: tls,
      assumeUp: true,
    });
    const r = await lan.execInScanner('nmap', argv, { timeoutMs: 240_000, check: true });
    const parsed = parseNmapXml(r.stdout, 'ports', ips);
    if (!parsed.ok) throw new Error(parsed.error);
    return { hosts: parsed.result.hosts, ms: r.durationMs };
  }
  const portsOf = (h: ScanHost, at: string): DevicePort[] =>
    h.ports
      .filter((p) => p.state === 'open')
      .map((p) => ({
        protocol: p.protocol,
        port: p.port,
        ...(p.service?.name ? { service: p.service.name } : {}),
        ...(p.service?.product ? { product: p.service.product } : {}),
        ...(p.service?.version ? { version: p.service.version } : {}),
        ...(p.service?.extrainfo ? { extrainfo: p.service.extrainfo } : {}),
        cpe: p.service?.cpe ?? [],
        firstSeen: at,
        lastSeen: at,
      }));
  const stored = (fs: ReturnType<typeof evaluateDevice>): StoredFinding[] =>
    fs.map((f, i) => ({ ...f, id: i + 1, firstSeen: '', lastSeen: '', resolvedAt: null }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsn-tls-'));
    makeCerts(dir);
    lan = await SimLan.create({
      hosts: [
        { ...NAS, services: [ssh('SSH-2.0-OpenSSH_7.2p2', 22), http('Apache/2.4.49 (Unix)', 80)] },
        ...TLS_HOSTS.map((h) => ({ ...h, services: [] })),
      ],
    });
    const serve = (host: string, extra: string[]) => {
      const child = spawn(
        IP_BIN,
        [
          'netns',
          'exec',
          lan.host(host).ns,
          'openssl',
          's_server',
          '-accept',
          '443',
          '-www',
          '-quiet',
          ...extra,
        ],
        {
          cwd: dir,
          stdio: 'ignore',
        },
      );
      servers.push(child);
    };
    serve('tls-soon', ['-cert', 'soon.pem', '-key', 'soon.key']);
    serve('tls-expired', ['-cert', 'expired.pem', '-key', 'expired.key']);
    // TLS 1.0 only: Debian 12's openssl needs security level 0 for it
    serve('tls-old', ['-cert', 'old.pem', '-key', 'old.key', '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0']);
    await new Promise((r) => setTimeout(r, 1500));
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await lan?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (Object.keys(figures).length) {
      mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
      writeFileSync(join(ROOT, 'artifacts/tls-timing.json'), `${JSON.stringify(figures, null, 2)}\n`);
      console.log('[findings-lan figures]', figures);
    }
  });

  it('the NAS shows ≤ 3 finding groups, CVE-2021-41773 in the first, no ssh-agent CVE', async () => {
    const ip = lan.ip(NAS.ip);
    const { hosts } = await scan([ip], ['22', '80'], false);
    const h = hosts.find((x) => x.ip === ip)!;
    const ports = portsOf(h, new Date().toISOString());
    expect(ports.map((p) => `${p.port} ${p.product} ${p.version}`)).toEqual([
      '22 OpenSSH 7.2p2',
      '80 Apache httpd 2.4.49',
    ]);
    const fs = evaluateDevice({ mac: NAS.mac, ports }, { cves: rules });
    const groups = groupFindings(stored(fs));
    figures.nas_findings = fs.length;
    figures.nas_groups = groups.length;
    expect(groups.length).toBeLessThanOrEqual(3);
    expect(groups[0]!.findings.map((f) => f.cve)).toContain('CVE-2021-41773');
    const cves = fs.map((f) => f.cve);
    expect(cves).not.toContain('CVE-2023-38408');
    expect(cves).not.toContain('CVE-2016-10009');
  }, 240_000);

  it('the three TLS listeners raise cert_expiring, cert_expired and weak_tls; the scripts’ time is measured', async () => {
    const ips = TLS_HOSTS.map((h) => lan.ip(h.ip));
    const plain = await scan(ips, ['443'], false);
    const withTls = await scan(ips, ['443'], true);
    figures.tls_hosts = ips.length;
    figures.scan_without_tls_scripts_ms = Math.round(plain.ms);
    figures.scan_with_tls_scripts_ms = Math.round(withTls.ms);
    figures.tls_scripts_added_ms = Math.round(withTls.ms - plain.ms);
    expect(plain.hosts.flatMap((h) => h.ports).some((p) => p.tls)).toBe(false);
    const now = new Date();
    const kinds: Record<string, string[]> = {};
    for (const [i, spec] of TLS_HOSTS.entries()) {
      const h = withTls.hosts.find((x) => x.ip === ips[i])!;
      const facts = tlsFactsOf(h, now.toISOString());
      expect(facts.length, spec.name).toBe(1);
      kinds[spec.name] = facts.flatMap((f) => tlsFindings(spec.mac, f, now, 30)).map((f) => f.kind);
      if (spec.name === 'tls-soon') {
        expect(facts[0]!.subject).toContain('nas-soon.lan');
        expect(facts[0]!.selfSigned).toBe(true);
        const days = (Date.parse(facts[0]!.notAfter!) - now.getTime()) / 86_400_000;
        expect(days).toBeGreaterThan(9);
        expect(days).toBeLessThan(11);
      }
      if (spec.name === 'tls-old') expect(facts[0]!.protocols).toContain('TLSv1.0');
    }
    expect(kinds['tls-soon']).toContain('cert_expiring');
    expect(kinds['tls-soon']).not.toContain('weak_tls');
    expect(kinds['tls-expired']).toContain('cert_expired');
    expect(kinds['tls-old']).toContain('weak_tls');
    expect(kinds['tls-old']).not.toContain('cert_expired');
  }, 300_000);

  it('a port opened after the expected ports were set raises unexpected_port', async () => {
    const ip = lan.ip(NAS.ip);
    const first = await scan([ip], ['22', '80', '8081'], false);
    const at = new Date().toISOString();
    const expected = new Set(portsOf(first.hosts[0]!, at).map((p) => `${p.protocol}/${p.port}`)); // "accept what is open now"
    expect([...expected]).toEqual(['tcp/22', 'tcp/80']);
    const before = evaluateDevice(
      { mac: NAS.mac, ports: portsOf(first.hosts[0]!, at) } as Pick<Device, 'mac' | 'ports'>,
      { cves: rules },
      { expectedPorts: expected },
    );
    expect(before.some((f) => f.kind === 'unexpected_port')).toBe(false);
    await lan.openPort('nas', banner(8081, 'hello\r\n'));
    const second = await scan([ip], ['22', '80', '8081'], false);
    const after = evaluateDevice(
      { mac: NAS.mac, ports: portsOf(second.hosts[0]!, at) },
      { cves: rules },
      { expectedPorts: expected },
    );
    const u = after.filter((f) => f.kind === 'unexpected_port');
    expect(u.map((f) => f.port)).toEqual([8081]);
  }, 240_000);
});
