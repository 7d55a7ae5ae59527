/**
 * Issue 13 finding 5: a CVE feed is bounded (file size, records, CPE matches/ranges per record, string
 * lengths, CVSS 0–10); a file that breaks a bound is refused whole with the field named and nothing stored;
 * gzip is accepted (and a gzip bomb refused); text from a feed is stripped of control/bidi characters.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, type Db, openDatabase } from '../../src/store/db.js';
import {
  FEED_LIMITS,
  FeedError,
  importFeed,
  loadCveRules,
  readFeedFile,
} from '../../src/threats/feedImport.js';
import { silentLogger } from '../../src/util/logger.js';

const FEEDS = join(import.meta.dirname, '../fixtures/feeds');

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-feed-'));
  db = openDatabase(join(dir, 'test.db'), silentLogger);
});
afterEach(() => {
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

interface Match {
  vulnerable: boolean;
  criteria: string;
  versionEndExcluding?: string;
}
/** One NVD record for a lighttpd-like product; `over` replaces parts of it. */
function record(id: string, over: { score?: number; matches?: Match[]; description?: string } = {}) {
  return {
    cve: {
      id,
      descriptions: [{ lang: 'en', value: over.description ?? `Fixture flaw ${id} in Example Widget.` }],
      metrics: {
        cvssMetricV31: [{ cvssData: { baseScore: over.score ?? 9.8, baseSeverity: 'CRITICAL' } }],
      },
      configurations: [
        {
          nodes: [
            {
              cpeMatch: over.matches ?? [
                {
                  vulnerable: true,
                  criteria: 'cpe:2.3:a:example:widget:*:*:*:*:*:*:*:*',
                  versionEndExcluding: '2.0',
                },
              ],
            },
          ],
        },
      ],
    },
  };
}
const nvd = (...records: unknown[]) =>
  JSON.stringify({ format: 'NVD_CVE', version: '2.0', vulnerabilities: records });
const stored = () => (db.prepare('SELECT count(*) AS n FROM cve_rules').get() as { n: number }).n;

function refusal(input: string | Uint8Array): string {
  try {
    importFeed(db, input);
  } catch (err) {
    expect(err).toBeInstanceOf(FeedError);
    return (err as Error).message;
  }
  throw new Error('the feed was accepted');
}

describe('feed bounds (issue 13 finding 5)', () => {
  it('a CVSS score outside 0–10 is no score: the note names the field, the severity comes from the label', () => {
    const r = importFeed(db, nvd(record('CVE-2099-1000'), record('CVE-2099-1001', { score: -1e308 })));
    expect(r).toMatchObject({ added: 2 });
    expect(r.notes).toContain(
      'CVE-2099-1001: vulnerabilities[1] cvssMetricV31[0].baseScore -1e+308 is outside 0–10; ignored',
    );
    const rule = loadCveRules(db).find((x) => x.id === 'CVE-2099-1001');
    expect(rule?.cvss).toBeUndefined();
    // a critical device stays critical (the finding said -1e308 turned it into "none")
    expect(rule?.severity).toBe('critical');
    expect(importFeed(db, nvd(record('CVE-2099-1003', { score: 10 })))).toMatchObject({ added: 1 });
    expect(loadCveRules(db).find((x) => x.id === 'CVE-2099-1003')).toMatchObject({ cvss: 10 });
  });

  it('a 100 kB version string is not stored (the match is skipped); a long description is cut', () => {
    const long = 'x'.repeat(100_000);
    const r = importFeed(
      db,
      nvd(
        record('CVE-2099-1010', {
          matches: [
            {
              vulnerable: true,
              criteria: 'cpe:2.3:a:example:widget:*:*:*:*:*:*:*:*',
              versionEndExcluding: long,
            },
          ],
        }),
        record('CVE-2099-1011', { description: long }),
      ),
    );
    expect(r).toMatchObject({ added: 1, skipped: 1 });
    expect(r.notes).toContain('CVE-2099-1010: no application CPE with a version bound');
    const rows = db.prepare('SELECT data FROM cve_rules').all() as { data: string }[];
    expect(rows.every((x) => x.data.length < 2_000)).toBe(true);
  });

  it('one record with 200,000 ranges is refused (it would slow every later import down)', () => {
    const matches: Match[] = Array.from({ length: 200_000 }, (_, i) => ({
      vulnerable: true,
      criteria: `cpe:2.3:a:example:widget:1.${i}:*:*:*:*:*:*:*`,
    }));
    const msg = refusal(nvd(record('CVE-2099-1020'), record('CVE-2099-1021', { matches })));
    expect(msg).toContain(
      `vulnerabilities[1].cve.configurations[0].nodes[0].cpeMatch: at most ${FEED_LIMITS.cpeMatchesPerRecord} CPE matches (got 200000)`,
    );
    // spread over many nodes, the per-record total still counts
    const spread = record('CVE-2099-1022');
    spread.cve.configurations[0]!.nodes = Array.from({ length: 11 }, () => ({
      cpeMatch: matches.slice(0, 1_000),
    }));
    expect(refusal(nvd(spread))).toContain(
      `vulnerabilities[0].cve.configurations: at most ${FEED_LIMITS.cpeMatchesPerRecord} CPE matches per record (got 11000)`,
    );
    expect(stored()).toBe(0);
  });

  it('too many records, and a rules file with too many ranges, are refused', () => {
    const many = `{"format":"NVD_CVE","vulnerabilities":[${Array(FEED_LIMITS.records + 1)
      .fill('{}')
      .join(',')}]}`;
    expect(refusal(many)).toContain(
      `NVD feed refused, nothing imported: vulnerabilities: at most ${FEED_LIMITS.records} records`,
    );
    const rules = {
      version: 1,
      updated: '2099-01-01',
      products: { widget: { name: 'Widget', nmap: ['^Widget$'], cpe: ['example:widget'] } },
      entries: [
        {
          id: 'CVE-2099-1030',
          affects: [
            {
              product: 'widget',
              ranges: Array.from({ length: FEED_LIMITS.rangesPerRecord + 1 }, (_, i) => ({
                lastAffected: `1.${i}`,
              })),
            },
          ],
          severity: 'high',
          knownExploited: false,
          summary: 's',
          remediation: 'r',
        },
      ],
    };
    expect(refusal(JSON.stringify(rules))).toContain(
      `entries[0].affects: at most ${FEED_LIMITS.rangesPerRecord} version ranges per record`,
    );
    const kev = JSON.stringify({
      catalogVersion: '1',
      vulnerabilities: [{ cveID: 'CVE-2099-1031', vendorProject: 'v'.repeat(1000), product: 'p' }],
    });
    expect(refusal(kev)).toContain('vulnerabilities[0].vendorProject: must be at most 256 characters');
    expect(stored()).toBe(0);
  });

  it('.gz files are accepted by content; a gzip bomb and an over-size file are refused', async () => {
    const gz = gzipSync(readFileSync(join(FEEDS, 'nvd-cve-2.0-sample.json')));
    expect(importFeed(db, gz)).toMatchObject({ format: 'nvd', added: 2, updated: 1, skipped: 1 });
    // 65 MiB of spaces packs into ~65 kB
    const bomb = gzipSync(Buffer.alloc(FEED_LIMITS.bytes + 1024 * 1024, 0x20));
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    expect(refusal(bomb)).toBe('the feed unpacks to more than 64 MiB; import a smaller file');
    expect(refusal(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toMatch(
      /looks gzip-compressed but cannot be unpacked/,
    );
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, FEED_LIMITS.bytes + 1);
    await expect(readFeedFile(big)).rejects.toThrow(`${big} is larger than 64 MiB (65 MiB)`);
  });

  it('control and bidi characters in feed text are stripped before they are stored', () => {
    importFeed(
      db,
      nvd(
        record('CVE-2099-1040', {
          description: 'Safe\u202e txt.exe\u0000 flaw\u001b[31m in \u2066Widget\u2069',
        }),
      ),
    );
    const rule = loadCveRules(db).find((r) => r.id === 'CVE-2099-1040');
    expect(rule?.summary).toBe('Safe txt.exe flaw[31m in Widget');
  });
});
