/**
 * The HA `threats` attribute (device state = device_tracker attributes): it lists finding groups, known exploited
 * first, stays under HA's 16 KiB attribute limit, and never drops a known-exploited CVE however many findings a
 * device has.
 */
import { describe, expect, it } from 'vitest';
import { deviceState, STATE_BUDGET_BYTES, THREATS_MAX } from '../../src/ha/states.js';
import type { Device, Severity } from '../../src/inventory/types.js';
import type { StoredFinding } from '../../src/threats/types.js';

const MAC = '00:11:32:aa:bb:10';
const T = '2026-12-01T00:00:00.000Z';
const device: Device = {
  mac: MAC,
  ip: '10.0.0.10',
  hostname: 'nas.lan',
  name: 'NAS',
  vendor: 'Synology',
  randomized: false,
  online: true,
  presence: 'home',
  firstSeen: T,
  lastSeen: T,
  ports: [],
  risk: 'critical',
  riskScore: 100,
  known: true,
} as unknown as Device;

let id = 0;
function cveFinding(
  product: number,
  n: number,
  kev: boolean,
  severity: Severity,
  cvss: number,
): StoredFinding {
  const cve = `CVE-20${10 + (product % 15)}-${String(10000 + product * 100 + n)}`;
  return {
    id: ++id,
    key: `cve:${cve}:tcp/${8000 + product}`,
    mac: MAC,
    kind: 'vulnerable_version',
    severity,
    title: `${cve} in Product ${product} ${'with a very long title '.repeat(8)}`,
    detail: 'd',
    remediation: 'r',
    port: 8000 + product,
    protocol: 'tcp',
    cve,
    cvss,
    knownExploited: kev,
    confidence: 1,
    group: `cve:product_${product}@1.0`,
    product: `product_${product}`,
    productName: `Product ${product} ${'x'.repeat(60)}`,
    version: '1.0',
    fixed: '2.0',
    firstSeen: T,
    lastSeen: T,
    resolvedAt: null,
  };
}

describe('HA threats attribute', () => {
  it('60 groups, 120 known-exploited CVEs among 1,500: every known-exploited CVE listed, groups KEV first, < 16 KiB', () => {
    const findings: StoredFinding[] = [];
    const kevIds = new Set<string>();
    for (let p = 0; p < 60; p++) {
      // every third product has known-exploited CVEs, at medium severity (so severity alone would sort them last)
      const kevCount = p % 3 === 0 ? 6 : 0;
      for (let n = 0; n < 25; n++) {
        const kev = n < kevCount;
        const f = cveFinding(p, n, kev, kev ? 'medium' : 'critical', kev ? 5 : 9.8);
        if (kev) kevIds.add(f.cve!);
        findings.push(f);
      }
    }
    expect(kevIds.size).toBe(120);
    const s = deviceState(device, findings);
    const bytes = Buffer.byteLength(JSON.stringify(s));
    expect(bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    expect(bytes).toBeLessThan(16 * 1024);
    const listed = new Set(s.threats.flatMap((t) => t.cves));
    for (const c of kevIds) expect(listed.has(c), c).toBe(true);
    // the 20 known-exploited groups come first, before the critical ones without a known exploit
    const firstPlain = s.threats.findIndex((t) => t.known_exploited === 0);
    expect(firstPlain === -1 || firstPlain >= 20).toBe(true);
    expect(s.threats.slice(0, 20).every((t) => t.known_exploited === 6)).toBe(true);
    // counts stay honest when ids are left out
    for (const t of s.threats) expect(t.cves.length + t.more).toBe(25);
  });

  it('75 groups that each hold a known-exploited CVE: titles shorten, no group and no such CVE is dropped', () => {
    const findings = Array.from({ length: 75 }, (_, p) => [
      cveFinding(p, 0, true, 'high', 8),
      cveFinding(p, 1, false, 'high', 7),
    ]).flat();
    const s = deviceState(device, findings);
    expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    expect(s.threats).toHaveLength(75);
    for (const f of findings.filter((x) => x.knownExploited))
      expect(
        s.threats.some((t) => t.cves.includes(f.cve!)),
        f.cve,
      ).toBe(true);
  });

  it('a small device lists each group once with its CVEs, KEV first inside the group, at most THREATS_MAX groups', () => {
    const findings = [
      cveFinding(1, 0, false, 'critical', 9.8),
      cveFinding(1, 1, true, 'high', 7.5),
      cveFinding(2, 0, false, 'high', 8.1),
      ...Array.from({ length: 30 }, (_, i) => cveFinding(10 + i, 0, false, 'low', 3)),
    ];
    const s = deviceState(device, findings);
    expect(s.threats.length).toBe(THREATS_MAX);
    expect(s.threats[0]!.known_exploited).toBe(1);
    expect(s.threats[0]!.cves[0]).toBe(findings[1]!.cve);
    expect(s.threats[0]!.cve).toBe(findings[1]!.cve);
    expect(s.threats[0]!.title).toMatch(
      /^Update Product 1 x+ 1\.0 to 2\.0 or newer — fixes 2 CVEs, 1 known exploited$/,
    );
  });

  it('accepted findings are not threats', () => {
    const f = cveFinding(1, 0, true, 'critical', 9.8);
    const s = deviceState(device, [
      { ...f, accepted: { id: 1, reason: 'r', expiresAt: null, by: 'u', at: T } },
    ]);
    expect(s.threats).toEqual([]);
  });
});
