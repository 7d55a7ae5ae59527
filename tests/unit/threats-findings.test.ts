import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, type Db, openDatabase } from '../../src/store/db.js';
import { FindingsRepo, findingChanges } from '../../src/store/findingsRepo.js';
import { evaluateDevice } from '../../src/threats/evaluate.js';
import { importFeed, loadCveRules, parseFeed } from '../../src/threats/feedImport.js';
import type { Finding } from '../../src/threats/types.js';
import { silentLogger } from '../../src/util/logger.js';

const MAC = 'aa:bb:cc:dd:ee:02';
const FEEDS = join(import.meta.dirname, '../fixtures/feeds');
let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-threats-'));
  db = openDatabase(join(dir, 'db.sqlite'), silentLogger);
  db.prepare(
    "INSERT INTO devices (mac, first_seen, last_seen) VALUES (?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
  ).run(MAC);
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

const telnet: Finding = {
  key: 'port:tcp/23',
  mac: MAC,
  kind: 'risky_port',
  severity: 'high',
  title: 'Telnet is open (tcp/23)',
  detail: 'd',
  remediation: 'Turn off Telnet.',
  port: 23,
  protocol: 'tcp',
  confidence: 1,
};
const ftp: Finding = { ...telnet, key: 'port:tcp/21', severity: 'medium', title: 'FTP (tcp/21)', port: 21 };

describe('FindingsRepo.reconcile', () => {
  it('detects, keeps, resolves and re-opens findings', () => {
    const repo = new FindingsRepo(db);
    const t1 = new Date('2026-02-01T10:00:00Z');
    const r1 = repo.reconcile(MAC, [telnet, ftp], t1);
    expect(r1.detected.map((f) => f.key).sort()).toEqual(['port:tcp/21', 'port:tcp/23']);
    expect(r1.resolved).toEqual([]);
    expect(repo.activeCountAtLeast('medium')).toBe(2);
    expect(repo.activeCountAtLeast('high')).toBe(1);

    const t2 = new Date('2026-02-01T11:00:00Z');
    const r2 = repo.reconcile(MAC, [telnet, ftp], t2);
    expect(r2).toEqual({ detected: [], resolved: [] });
    const active = repo.forDevice(MAC);
    expect(active[0]?.key).toBe('port:tcp/23'); // most severe first
    expect(active[0]?.firstSeen).toBe(t1.toISOString());
    expect(active[0]?.lastSeen).toBe(t2.toISOString());

    const t3 = new Date('2026-02-01T12:00:00Z');
    const r3 = repo.reconcile(MAC, [ftp], t3);
    expect(r3.detected).toEqual([]);
    expect(r3.resolved.map((f) => f.key)).toEqual(['port:tcp/23']);
    expect(r3.resolved[0]?.resolvedAt).toBe(t3.toISOString());
    expect(repo.active({ mac: MAC }).map((f) => f.key)).toEqual(['port:tcp/21']);
    expect(repo.list({ status: 'resolved' }).map((f) => f.key)).toEqual(['port:tcp/23']);

    const t4 = new Date('2026-02-01T13:00:00Z');
    const r4 = repo.reconcile(MAC, [telnet, ftp], t4);
    expect(r4.detected.map((f) => f.key)).toEqual(['port:tcp/23']);
    expect(r4.detected[0]?.resolvedAt).toBeNull();
    expect(r4.detected[0]?.firstSeen).toBe(t4.toISOString());
    expect(repo.list({ status: 'all' })).toHaveLength(2);
  });

  it('produces threat_detected / threat_resolved changes in plain language', () => {
    const repo = new FindingsRepo(db);
    const dev = { mac: MAC, ip: '10.213.0.5', name: 'Living room camera', hostname: null, vendor: 'Acme' };
    const now = new Date('2026-02-01T10:00:00Z');
    const r1 = repo.reconcile(MAC, [telnet], now);
    const c1 = findingChanges(dev, r1.detected, r1.resolved, now);
    expect(c1).toHaveLength(1);
    expect(c1[0]).toMatchObject({ type: 'threat_detected', severity: 'high', mac: MAC, ip: '10.213.0.5' });
    expect(c1[0]?.message).toContain('Living room camera: Telnet is open');
    const r2 = repo.reconcile(MAC, [], now);
    const c2 = findingChanges(dev, r2.detected, r2.resolved, now);
    expect(c2.map((c) => c.type)).toEqual(['threat_resolved']);
    expect(c2[0]?.message).toContain('resolved');
  });

  it('findings go with the device when it is forgotten', () => {
    new FindingsRepo(db).reconcile(MAC, [telnet], new Date());
    db.prepare('DELETE FROM devices WHERE mac = ?').run(MAC);
    expect(new FindingsRepo(db).list()).toEqual([]);
  });
});

describe('offline feed import', () => {
  it('imports an NVD CVE 2.0 file: new rules match, all-versions records are skipped', async () => {
    const summary = importFeed(db, readFileSync(join(FEEDS, 'nvd-cve-2.0-sample.json')));
    expect(summary).toMatchObject({ format: 'nvd', added: 2, updated: 1, skipped: 1 });
    const rules = loadCveRules(db);
    const widget = rules.find((r) => r.id === 'CVE-2099-0001');
    expect(widget).toMatchObject({ severity: 'critical', cvss: 9.8, knownExploited: false, source: 'nvd' });
    const dev = (product: string, version: string, cpe: string[] = []) => ({
      mac: MAC,
      ports: [{ protocol: 'tcp' as const, port: 8443, product, version, cpe, firstSeen: '', lastSeen: '' }],
    });
    // CPE-only product: matched through nmap's CPE, with the NVD range
    const hit = evaluateDevice(dev('Widget', '3.1.0', ['cpe:/a:example:widget_server:3.1.0']), {
      cves: rules,
    });
    expect(hit.map((f) => f.cve)).toContain('CVE-2099-0001');
    const miss = evaluateDevice(dev('Widget', '3.2.1', ['cpe:/a:example:widget_server:3.2.1']), {
      cves: rules,
    });
    expect(miss.map((f) => f.cve)).not.toContain('CVE-2099-0001');
    // a known product keeps its nmap name matching; cisaExploitAdd sets the KEV flag
    const ssh = evaluateDevice(dev('OpenSSH', '9.9p1'), { cves: rules }).find(
      (f) => f.cve === 'CVE-2099-0002',
    );
    expect(ssh?.knownExploited).toBe(true);
    expect(rules.some((r) => r.id === 'CVE-2099-0003')).toBe(false);
  });

  it('imports the CISA KEV catalogue: marks existing rules exploited, keeps unknown ones for later', async () => {
    const before = loadCveRules(db).find((r) => r.id === 'CVE-2011-2523');
    expect(before?.knownExploited).toBe(false);
    const summary = importFeed(db, readFileSync(join(FEEDS, 'cisa-kev-sample.json')));
    expect(summary).toMatchObject({ format: 'kev', added: 0, updated: 1, skipped: 2 });
    expect(loadCveRules(db).find((r) => r.id === 'CVE-2011-2523')?.knownExploited).toBe(true);
    // the KEV entry for CVE-2099-0001 applies once the NVD record arrives
    importFeed(db, readFileSync(join(FEEDS, 'nvd-cve-2.0-sample.json')));
    expect(loadCveRules(db).find((r) => r.id === 'CVE-2099-0001')?.knownExploited).toBe(true);
  });

  it('re-importing the same NVD file updates instead of adding', () => {
    const text = JSON.stringify(parseFeed('{"format":"NVD_CVE","vulnerabilities":[]}'));
    expect(text).toContain('nvd');
    const nvd = `{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-2099-0001","descriptions":[],"configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:example:w:*:*:*:*:*:*:*:*","versionEndExcluding":"2.0"}]}]}]}}]}`;
    expect(importFeed(db, nvd)).toMatchObject({ added: 1, updated: 0 });
    expect(importFeed(db, nvd)).toMatchObject({ added: 0, updated: 1 });
  });

  it('rejects files that are not a feed, naming what is expected', () => {
    expect(() => importFeed(db, 'not json')).toThrow(/not JSON/);
    expect(() => importFeed(db, '{"hello": 1}')).toThrow(/NVD CVE API 2\.0 .* or the CISA KEV catalogue/);
    expect(() => importFeed(db, '{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":5}}]}')).toThrow(
      /NVD feed refused, nothing imported: vulnerabilities\[0\]\.cve\.id/,
    );
  });
});
