import { describe, expect, it } from 'vitest';
import type { DevicePort } from '../../src/inventory/types.js';
import { matchService } from '../../src/threats/cveMatch.js';
import { compileCveFile, loadShippedCves } from '../../src/threats/cveRules.js';
import { evaluateDevice } from '../../src/threats/evaluate.js';
import { matchPortRule, PORT_RULES } from '../../src/threats/portRules.js';
import { riskScore } from '../../src/threats/risk.js';
import type { Finding } from '../../src/threats/types.js';

const MAC = 'aa:bb:cc:dd:ee:01';
const T = '2026-01-01T00:00:00.000Z';
const port = (p: Partial<DevicePort> & { port: number }): DevicePort => ({
  protocol: 'tcp',
  cpe: [],
  firstSeen: T,
  lastSeen: T,
  ...p,
});
const cves = loadShippedCves().rules;
const evalPorts = (...ports: DevicePort[]) => evaluateDevice({ mac: MAC, ports }, { cves });
const cveIds = (fs: Finding[]) => fs.filter((f) => f.kind === 'vulnerable_version').map((f) => f.cve);

describe('shipped CVE data file', () => {
  const set = loadShippedCves();
  it('validates and is big enough: ≥150 entries across ≥25 products', () => {
    expect(set.rules.length).toBeGreaterThanOrEqual(150);
    const products = new Set(set.rules.flatMap((r) => r.products.map((p) => p.key)));
    expect(products.size).toBeGreaterThanOrEqual(25);
  });
  it('contains the required CVEs', () => {
    const ids = new Set(set.rules.map((r) => r.id));
    for (const id of [
      'CVE-2024-6387',
      'CVE-2018-15473',
      'CVE-2023-38408',
      'CVE-2021-41773',
      'CVE-2021-42013',
      'CVE-2011-2523',
      'CVE-2015-3306',
      'CVE-2017-7494',
      'CVE-2017-14491',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });
  it('every entry has a summary, remediation and a severity consistent with its CVSS score', () => {
    for (const r of set.rules) {
      expect(r.summary.length).toBeGreaterThan(10);
      expect(r.remediation).not.toContain('{fixed}');
      if (r.cvss !== undefined) {
        const want = r.cvss >= 9 ? 'critical' : r.cvss >= 7 ? 'high' : r.cvss >= 4 ? 'medium' : 'low';
        expect(r.severity, r.id).toBe(want);
      }
    }
  });
  it('rejects a malformed file with a message naming the problem', () => {
    expect(() =>
      compileCveFile({
        version: 1,
        updated: '2025-01-01',
        products: {},
        entries: [{ id: 'CVE-1', affects: [] }],
      }),
    ).toThrow(/CVE data file is invalid: entries\.0/);
    expect(() =>
      compileCveFile({
        version: 1,
        updated: '2025-01-01',
        products: {},
        entries: [
          {
            id: 'CVE-2020-0001',
            affects: [{ product: 'nope', ranges: [{ fixed: '1.0' }] }],
            severity: 'high',
            knownExploited: false,
            summary: 'x',
            remediation: 'y',
          },
        ],
      }),
    ).toThrow(/unknown product "nope"/);
  });
});

describe('risky-port rules', () => {
  it('has at least 25 rules, each with a severity and a remediation', () => {
    expect(PORT_RULES.length).toBeGreaterThanOrEqual(25);
    for (const r of PORT_RULES) {
      expect(r.remediation.length).toBeGreaterThan(30);
      expect(r.why.length).toBeGreaterThan(20);
    }
    expect(new Set(PORT_RULES.map((r) => r.id)).size).toBe(PORT_RULES.length);
  });
  it.each([
    [{ protocol: 'tcp', port: 23, service: 'telnet' }, 'telnet'],
    [{ protocol: 'tcp', port: 2323, service: 'telnet' }, 'telnet'],
    [{ protocol: 'tcp', port: 8023, service: 'telnet' }, 'telnet'],
    [{ protocol: 'tcp', port: 23 }, 'telnet'],
    [{ protocol: 'tcp', port: 2375, service: 'docker' }, 'docker-api'],
    [{ protocol: 'tcp', port: 445, service: 'microsoft-ds' }, 'smb'],
    [{ protocol: 'udp', port: 137, service: 'netbios-ns' }, 'netbios'],
    [{ protocol: 'tcp', port: 5901, service: 'vnc' }, 'vnc'],
    [{ protocol: 'tcp', port: 6379, service: 'redis', product: 'Redis key-value store' }, 'redis'],
    [{ protocol: 'tcp', port: 7000, service: 'redis' }, 'redis'],
    [{ protocol: 'tcp', port: 9200, service: 'http', product: 'Elasticsearch REST API' }, 'elasticsearch'],
    [{ protocol: 'tcp', port: 5555, service: 'freeciv' }, 'adb'],
    [{ protocol: 'tcp', port: 1883, service: 'mqtt' }, 'mqtt-plain'],
    [{ protocol: 'udp', port: 161, service: 'snmp' }, 'snmp'],
    [{ protocol: 'tcp', port: 554, service: 'rtsp' }, 'rtsp'],
    [{ protocol: 'tcp', port: 9100, service: 'jetdirect' }, 'raw-print'],
    [{ protocol: 'tcp', port: 513, service: 'login' }, 'rsh'],
    [{ protocol: 'tcp', port: 5000, service: 'upnp', product: 'MiniUPnP' }, 'upnp'],
  ] as const)('%o → %s', (p, id) => {
    expect(matchPortRule(p)?.rule.id).toBe(id);
  });
  it.each([
    // ssh on port 23 is not telnet
    [{ protocol: 'tcp', port: 23, service: 'ssh' }],
    // MQTT over TLS is fine
    [{ protocol: 'tcp', port: 8883, service: 'mqtt', tunnel: 'ssl' }],
    [{ protocol: 'tcp', port: 1883, service: 'mqtt', tunnel: 'ssl' }],
    // port 5000 alone is often Synology DSM or a dev server, not UPnP
    [{ protocol: 'tcp', port: 5000, service: 'http' }],
    [{ protocol: 'tcp', port: 5000 }],
    // syslog on udp/514 is not rsh
    [{ protocol: 'udp', port: 514, service: 'syslog' }],
    [{ protocol: 'tcp', port: 443, service: 'https' }],
    [{ protocol: 'tcp', port: 22, service: 'ssh', product: 'OpenSSH' }],
  ] as const)('no finding for %o', (p) => {
    expect(matchPortRule(p)).toBeNull();
  });
});

describe('CVE matching', () => {
  it('old OpenSSH 7.2p2 gets CVE-2018-15473 and friends; ssh-agent/client CVEs never match the listening sshd', () => {
    const fs = evalPorts(
      port({
        port: 22,
        service: 'ssh',
        product: 'OpenSSH',
        version: '7.2p2',
        cpe: ['cpe:/a:openbsd:openssh:7.2p2'],
      }),
    );
    const ids = cveIds(fs);
    expect(ids).toContain('CVE-2018-15473');
    expect(ids).toContain('CVE-2016-6210');
    expect(ids).not.toContain('CVE-2023-38408'); // ssh-agent: a client-side part
    expect(ids).not.toContain('CVE-2016-10009'); // ssh-agent PKCS#11 loading
    expect(ids).not.toContain('CVE-2024-6387'); // 7.2 is between 4.4 and 8.5: not affected by regreSSHion
    expect(fs.filter((f) => f.component !== 'module').every((f) => f.confidence === 1)).toBe(true);
    expect(fs.find((f) => f.cve === 'CVE-2018-15473')?.key).toBe('cve:CVE-2018-15473:tcp/22');
  });
  it('OpenSSH 7.7p1 is inside "through 7.7"', () => {
    const ids = cveIds(evalPorts(port({ port: 22, product: 'OpenSSH', version: '7.7p1' })));
    expect(ids).toContain('CVE-2018-15473');
    expect(cveIds(evalPorts(port({ port: 22, product: 'OpenSSH', version: '7.8p1' })))).not.toContain(
      'CVE-2018-15473',
    );
  });
  it('OpenSSH 8.9p1 Ubuntu-3ubuntu0.1 matches regreSSHion with lowered confidence', () => {
    const fs = evalPorts(
      port({
        port: 22,
        service: 'ssh',
        product: 'OpenSSH',
        version: '8.9p1 Ubuntu-3ubuntu0.1',
        extrainfo: 'Ubuntu Linux; protocol 2.0',
        cpe: ['cpe:/a:openbsd:openssh:8.9p1', 'cpe:/o:linux:linux_kernel'],
      }),
    );
    const f = fs.find((x) => x.cve === 'CVE-2024-6387');
    expect(f).toBeDefined();
    expect(f?.confidence).toBe(0.5);
    expect(f?.detail).toMatch(/backported/);
    expect(cveIds(fs)).not.toContain('CVE-2018-15473');
  });
  it('regreSSHion boundaries: 8.4p1 and 9.8p1 are clean, 4.3p2 is affected', () => {
    const has = (v: string) =>
      cveIds(evalPorts(port({ port: 22, product: 'OpenSSH', version: v }))).includes('CVE-2024-6387');
    expect(has('8.4p1')).toBe(false);
    expect(has('8.5p1')).toBe(true);
    expect(has('9.7p1')).toBe(true);
    expect(has('9.8p1')).toBe(false);
    expect(has('4.3p2')).toBe(true);
    expect(has('4.4p1')).toBe(false);
  });
  it('nginx 1.25.3 is clean', () => {
    expect(
      cveIds(
        evalPorts(
          port({
            port: 80,
            service: 'http',
            product: 'nginx',
            version: '1.25.3',
            cpe: ['cpe:/a:igor_sysoev:nginx:1.25.3'],
          }),
        ),
      ),
    ).toEqual([]);
  });
  it('vsftpd 2.3.4 is critical (backdoor) and vsftpd 3.0.5 has no backdoor finding', () => {
    const fs = evalPorts(
      port({
        port: 21,
        service: 'ftp',
        product: 'vsftpd',
        version: '2.3.4',
        cpe: ['cpe:/a:vsftpd:vsftpd:2.3.4'],
      }),
    );
    const f = fs.find((x) => x.cve === 'CVE-2011-2523');
    expect(f?.severity).toBe('critical');
    expect(f?.cvss).toBeGreaterThanOrEqual(9.8);
    expect(riskScore(fs).level).toBe('critical');
    expect(cveIds(evalPorts(port({ port: 21, product: 'vsftpd', version: '3.0.5' })))).not.toContain(
      'CVE-2011-2523',
    );
  });
  it('Apache 2.4.49 → CVE-2021-41773 and CVE-2021-42013; 2.4.50 only -42013; 2.4.51 neither', () => {
    const ids = (v: string) =>
      cveIds(
        evalPorts(
          port({ port: 80, product: 'Apache httpd', version: v, cpe: [`cpe:/a:apache:http_server:${v}`] }),
        ),
      );
    expect(ids('2.4.49')).toEqual(expect.arrayContaining(['CVE-2021-41773', 'CVE-2021-42013']));
    expect(ids('2.4.50')).toContain('CVE-2021-42013');
    expect(ids('2.4.50')).not.toContain('CVE-2021-41773');
    expect(ids('2.4.51')).not.toContain('CVE-2021-42013');
    expect(ids('2.4.51')).not.toContain('CVE-2021-41773');
  });
  it('ProFTPD 1.3.5 → CVE-2015-3306, 1.3.5a not; Samba 4.6.3 → SambaCry, 4.6.4 not; dnsmasq 2.77 → CVE-2017-14491', () => {
    expect(cveIds(evalPorts(port({ port: 21, product: 'ProFTPD', version: '1.3.5' })))).toContain(
      'CVE-2015-3306',
    );
    expect(cveIds(evalPorts(port({ port: 21, product: 'ProFTPD', version: '1.3.5a' })))).not.toContain(
      'CVE-2015-3306',
    );
    expect(cveIds(evalPorts(port({ port: 445, product: 'Samba smbd', version: '4.6.3' })))).toContain(
      'CVE-2017-7494',
    );
    expect(cveIds(evalPorts(port({ port: 445, product: 'Samba smbd', version: '4.6.4' })))).not.toContain(
      'CVE-2017-7494',
    );
    expect(cveIds(evalPorts(port({ port: 445, product: 'Samba smbd', version: '3.4.17' })))).not.toContain(
      'CVE-2017-7494',
    );
    expect(
      cveIds(evalPorts(port({ protocol: 'udp', port: 53, product: 'dnsmasq', version: '2.77' }))),
    ).toContain('CVE-2017-14491');
    expect(
      cveIds(evalPorts(port({ protocol: 'udp', port: 53, product: 'dnsmasq', version: '2.78' }))),
    ).not.toContain('CVE-2017-14491');
  });
  it('matches on CPE alone when the product name is unfamiliar', () => {
    const ms = matchService(
      {
        protocol: 'tcp',
        port: 22,
        product: 'SSH server',
        version: '7.2p2',
        cpe: ['cpe:2.3:a:openbsd:openssh:7.2p2:*:*:*:*:*:*:*'],
      },
      cves,
    );
    expect(ms.map((m) => m.rule.id)).toContain('CVE-2018-15473');
    expect(ms[0]?.via).toBe('cpe');
  });
  it('finds OpenSSL from the web server extrainfo', () => {
    const ids = cveIds(
      evalPorts(
        port({ port: 443, product: 'Apache httpd', version: '2.4.62', extrainfo: '(Unix) OpenSSL/1.0.1f' }),
      ),
    );
    expect(ids).toContain('CVE-2014-0160');
  });
  it('MariaDB behind the MySQL banner is matched as MariaDB, not MySQL', () => {
    const ms = matchService(
      { protocol: 'tcp', port: 3306, product: 'MySQL', version: '5.5.5-10.2.36-MariaDB', cpe: [] },
      cves,
    );
    expect(ms.map((m) => m.rule.id)).toContain('CVE-2021-27928');
    expect(ms.every((m) => m.product.key === 'mariadb')).toBe(true);
    // 5.5.5 is a fake MySQL version: the MySQL ranges (e.g. CVE-2016-6662 < 5.5.52) must not fire
    expect(ms.map((m) => m.rule.id)).not.toContain('CVE-2016-6662');
    // nmap's CPE for it carries the same fake version: still MariaDB, never MySQL 5.5.5
    const viaCpe = matchService(
      {
        protocol: 'tcp',
        port: 3306,
        product: 'MySQL',
        version: '5.5.5-10.2.36-MariaDB',
        cpe: ['cpe:/a:mysql:mysql:5.5.5-10.2.36-mariadb'],
      },
      cves,
    );
    expect(viaCpe.map((m) => m.rule.id)).toContain('CVE-2021-27928');
    expect(viaCpe.every((m) => m.product.key === 'mariadb')).toBe(true);
    expect(viaCpe.map((m) => m.rule.id)).not.toContain('CVE-2016-6662');
  });
  it('false-positive guards: unknown product, missing version, imprecise version, too-short version', () => {
    expect(cveIds(evalPorts(port({ port: 8080, product: 'Acme Toaster httpd', version: '2.4.49' })))).toEqual(
      [],
    );
    expect(cveIds(evalPorts(port({ port: 22, product: 'OpenSSH' })))).toEqual([]);
    expect(
      cveIds(
        evalPorts(
          port({ port: 445, product: 'Samba smbd', version: '3.X - 4.X', cpe: ['cpe:/a:samba:samba'] }),
        ),
      ),
    ).toEqual([]);
    expect(
      cveIds(evalPorts(port({ port: 5432, product: 'PostgreSQL DB', version: '9.6.0 or later' }))),
    ).toEqual([]);
    expect(cveIds(evalPorts(port({ port: 80, product: 'Apache httpd', version: '2.4' })))).toEqual([]);
    // "Node.js Express framework" must not be treated as a Node.js version
    expect(
      matchService(
        { protocol: 'tcp', port: 3000, product: 'Node.js Express framework', version: '4.17.1', cpe: [] },
        cves,
      ).every((m) => m.product.key === 'express'),
    ).toBe(true);
  });
});

describe('riskScore', () => {
  const f = (severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({
    key: `k${Math.random()}`,
    mac: MAC,
    kind: 'risky_port',
    severity,
    title: 't',
    detail: 'd',
    remediation: 'r',
    confidence: 1,
    ...extra,
  });
  it('is 0/none without findings', () => {
    expect(riskScore([])).toEqual({ score: 0, level: 'none' });
  });
  it('follows the most severe finding', () => {
    expect(riskScore([f('low')])).toEqual({ score: 25, level: 'low' });
    expect(riskScore([f('medium')])).toEqual({ score: 50, level: 'medium' });
    expect(riskScore([f('high')])).toEqual({ score: 75, level: 'high' });
    expect(riskScore([f('critical', { cvss: 9.8 })])).toEqual({ score: 98, level: 'critical' });
    expect(riskScore([f('info')]).level).toBe('none');
  });
  it('adds a diminishing share of further findings but never exceeds the worst severity level', () => {
    const many = Array.from({ length: 30 }, () => f('medium'));
    const r = riskScore(many);
    expect(r.score).toBeGreaterThan(50);
    expect(r.score).toBeLessThan(61);
    expect(r.level).toBe('medium');
    expect(riskScore([f('high'), f('high')]).score).toBe(83);
  });
  it('weights by confidence and adds a known-exploited bonus', () => {
    expect(riskScore([f('critical', { cvss: 9.8, confidence: 0.5 })])).toEqual({
      score: 49,
      level: 'medium',
    });
    expect(riskScore([f('high', { cvss: 7.5, knownExploited: true })])).toEqual({ score: 85, level: 'high' });
    expect(riskScore([f('critical', { cvss: 9.8, knownExploited: true })]).score).toBe(100);
  });
});
