/**
 * CVE component precision (issue 15): a table of (banner, CVE, expected verdict) rows run through the real
 * matcher and the shipped data. "match" = listed at full confidence; "module" = listed as "only if <part> is
 * enabled" at lower confidence; "no" = never listed (client-only parts, other version lines, fixed
 * releases, vague banners). At least half the rows are true negatives.
 */
import { describe, expect, it } from 'vitest';
import type { DevicePort } from '../../src/inventory/types.js';
import { MODULE_CONFIDENCE } from '../../src/threats/cveMatch.js';
import { loadShippedCves } from '../../src/threats/cveRules.js';
import { evaluateDevice } from '../../src/threats/evaluate.js';
import { findingWeight } from '../../src/threats/risk.js';

type Verdict = 'match' | 'module' | 'no';
interface Row {
  banner: string;
  port: number;
  product: string;
  version: string;
  cpe?: string;
  cve: string;
  want: Verdict;
}
const r = (
  port: number,
  product: string,
  version: string,
  cve: string,
  want: Verdict,
  cpe?: string,
): Row => ({
  banner: `${product} ${version}`,
  port,
  product,
  version,
  cve,
  want,
  ...(cpe ? { cpe } : {}),
});

const TABLE: Row[] = [
  // OpenSSH: the daemon's own flaws match; ssh-agent / client parts never do
  r(22, 'OpenSSH', '7.2p2', 'CVE-2018-15473', 'match', 'cpe:/a:openbsd:openssh:7.2p2'),
  r(22, 'OpenSSH', '7.2p2', 'CVE-2016-6210', 'match'),
  r(22, 'OpenSSH', '7.2p2', 'CVE-2023-38408', 'no', 'cpe:/a:openbsd:openssh:7.2p2'),
  r(22, 'OpenSSH', '7.2p2', 'CVE-2016-10009', 'no'),
  r(22, 'OpenSSH', '8.3p1', 'CVE-2021-28041', 'no'),
  r(22, 'OpenSSH', '7.2p2', 'CVE-2016-10012', 'module'),
  r(22, 'OpenSSH', '7.2p2', 'CVE-2024-6387', 'no'), // 7.2 is outside regreSSHion's ranges
  r(22, 'OpenSSH', '9.2p1', 'CVE-2024-6387', 'match'),
  r(22, 'OpenSSH', '9.8p1', 'CVE-2024-6387', 'no'), // fixed release
  r(22, 'OpenSSH', '7.2p2', 'CVE-2016-3115', 'no'), // fixed in 7.2p2 itself
  // Apache httpd: core flaws match, module flaws are conditional
  r(80, 'Apache httpd', '2.4.49', 'CVE-2021-41773', 'match', 'cpe:/a:apache:http_server:2.4.49'),
  r(80, 'Apache httpd', '2.4.49', 'CVE-2021-42013', 'match'),
  r(80, 'Apache httpd', '2.4.50', 'CVE-2021-41773', 'no'), // 2.4.49 only
  r(80, 'Apache httpd', '2.4.49', 'CVE-2024-38475', 'module'),
  r(80, 'Apache httpd', '2.4.49', 'CVE-2021-44790', 'module'),
  r(80, 'Apache httpd', '2.4.49', 'CVE-2021-40438', 'no'), // fixed in 2.4.49
  r(80, 'Apache httpd', '2.4', 'CVE-2021-41773', 'no'), // too vague a banner
  r(80, 'Apache httpd', '2.2.34', 'CVE-2021-42013', 'no'), // other version line
  r(80, 'Apache httpd', '2.4.62', 'CVE-2024-38475', 'no'),
  // nginx: mp4 / resolver / HTTP/2 are optional
  r(80, 'nginx', '1.14.0', 'CVE-2018-16845', 'module'),
  r(80, 'nginx', '1.18.0', 'CVE-2021-23017', 'module'),
  r(80, 'nginx', '1.25.3', 'CVE-2023-44487', 'no'),
  r(80, 'nginx', '1.12.0', 'CVE-2017-7529', 'match'),
  r(80, 'nginx', '1.12.1', 'CVE-2017-7529', 'no'),
  // BusyBox: the udhcpc DHCP client is not the listening telnetd/httpd
  r(23, 'BusyBox telnetd', '1.24.1', 'CVE-2016-2147', 'no'),
  r(23, 'BusyBox telnetd', '1.29.3', 'CVE-2018-20679', 'no'),
  r(23, 'BusyBox telnetd', '1.29.3', 'CVE-2019-5747', 'no'),
  // Dropbear: scp client and dropbearconvert are not sshd
  r(22, 'Dropbear sshd', '2019.78', 'CVE-2020-36254', 'no'),
  r(22, 'Dropbear sshd', '2016.72', 'CVE-2016-7407', 'no'),
  // Samba: the client tools are not smbd; vfs_fruit is optional
  r(445, 'Samba smbd', '4.5.10', 'CVE-2017-12150', 'no'),
  r(445, 'Samba smbd', '4.13.5', 'CVE-2021-44142', 'module'),
  r(445, 'Samba smbd', '4.13.17', 'CVE-2021-44142', 'no'),
  // ProFTPD mod_copy
  r(21, 'ProFTPD', '1.3.5', 'CVE-2015-3306', 'module'),
  r(21, 'ProFTPD', '1.3.5a', 'CVE-2015-3306', 'no'),
  // PostgreSQL: libpq client flaw
  r(5432, 'PostgreSQL DB', '13.5', 'CVE-2025-1094', 'no'),
  // vsftpd backdoor, a plain server match
  r(21, 'vsftpd', '2.3.4', 'CVE-2011-2523', 'match'),
  r(21, 'vsftpd', '3.0.3', 'CVE-2011-2523', 'no'),
];

const rules = loadShippedCves().rules;
const T = '2026-01-01T00:00:00.000Z';
function verdict(row: Row): { got: Verdict; confidence?: number; detail?: string } {
  const port: DevicePort = {
    protocol: 'tcp',
    port: row.port,
    product: row.product,
    version: row.version,
    cpe: row.cpe ? [row.cpe] : [],
    firstSeen: T,
    lastSeen: T,
  };
  const f = evaluateDevice({ mac: 'aa:bb:cc:00:00:99', ports: [port] }, { cves: rules }).find(
    (x) => x.cve === row.cve,
  );
  if (!f) return { got: 'no' };
  return { got: f.component === 'module' ? 'module' : 'match', confidence: f.confidence, detail: f.detail };
}

describe('CVE component precision table', () => {
  it(`has at least 30 rows, half of them true negatives`, () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(30);
    expect(TABLE.filter((x) => x.want === 'no').length * 2).toBeGreaterThanOrEqual(TABLE.length);
    // every CVE in the table is in the shipped data (a negative must not pass because the entry is missing)
    const ids = new Set(rules.map((x) => x.id));
    for (const row of TABLE) expect(ids.has(row.cve), row.cve).toBe(true);
  });

  it.each(TABLE)('$banner on $port × $cve → $want', (row) => {
    const v = verdict(row);
    expect(v.got).toBe(row.want);
    if (v.got === 'module') {
      expect(v.confidence).toBeLessThanOrEqual(MODULE_CONFIDENCE);
      expect(v.detail).toMatch(/Only if .+ is enabled\./);
    }
    if (v.got === 'match') expect(v.confidence).toBe(1);
  });

  it('a module-dependent finding weighs less in the risk than the same one unconditional', () => {
    const base = { severity: 'critical' as const, cvss: 9.8 };
    expect(findingWeight({ ...base, confidence: MODULE_CONFIDENCE })).toBeLessThan(
      findingWeight({ ...base, confidence: 1 }),
    );
  });

  it('the shipped data marks its client-only and module entries (data v2)', () => {
    const by = (c: string) => rules.filter((x) => x.component === c).length;
    expect(by('client')).toBeGreaterThanOrEqual(13);
    expect(by('module')).toBeGreaterThanOrEqual(89);
    for (const x of rules.filter((y) => y.component !== 'server')) expect(x.part, x.id).toBeTruthy();
  });
});
