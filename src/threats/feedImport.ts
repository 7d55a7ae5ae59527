/**
 * Offline CVE feed import (`lan-sentinel cve import <file>`): an NVD CVE API 2.0 JSON document
 * (`{format: "NVD_CVE", vulnerabilities: [{cve: {...}}]}`) or the CISA Known Exploited Vulnerabilities catalogue
 * (`{catalogVersion, vulnerabilities: [{cveID, vendorProject, product, ...}]}`). Records are stored in the
 * cve_rules table and merged with the shipped data file by loadCveRules(). Never touches the network.
 *
 * NVD: every vulnerable application CPE match with a version bound (versionStart…/versionEnd…, or an exact
 * version in the criteria) becomes a product range; matches for "all versions" are skipped (they would flag
 * every install). Products known to the shipped file keep their nmap names; others match on CPE only.
 * KEV: the catalogue has no versions, so it only marks rules as known-exploited. Entries for CVEs we have no
 * rule for are kept and apply as soon as a rule for them appears (e.g. after an NVD import).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Db } from '../store/db.js';
import type { Severity } from '../vocabulary.js';
import {
  type CveComponent,
  type CveRule,
  compileCveFile,
  compileProduct,
  cveIdSchema,
  loadShippedCves,
  mergeRules,
  type ProductDef,
} from './cveRules.js';
import type { VersionRange } from './version.js';

const MAX_FEED_BYTES = 512 * 1024 * 1024;

const cpeMatchSchema = z
  .object({
    vulnerable: z.boolean(),
    criteria: z.string(),
    versionStartIncluding: z.string().optional(),
    versionStartExcluding: z.string().optional(),
    versionEndIncluding: z.string().optional(),
    versionEndExcluding: z.string().optional(),
  })
  .passthrough();
const cvssSchema = z
  .array(
    z
      .object({
        type: z.string().optional(),
        cvssData: z.object({ baseScore: z.number(), baseSeverity: z.string().optional() }).passthrough(),
        baseSeverity: z.string().optional(),
      })
      .passthrough(),
  )
  .optional();
const nvdSchema = z
  .object({
    format: z.string().optional(),
    vulnerabilities: z.array(
      z
        .object({
          cve: z
            .object({
              id: z.string(),
              descriptions: z
                .array(z.object({ lang: z.string(), value: z.string() }).passthrough())
                .default([]),
              metrics: z
                .object({ cvssMetricV31: cvssSchema, cvssMetricV30: cvssSchema, cvssMetricV2: cvssSchema })
                .passthrough()
                .default({}),
              configurations: z
                .array(
                  z
                    .object({
                      nodes: z
                        .array(z.object({ cpeMatch: z.array(cpeMatchSchema).default([]) }).passthrough())
                        .default([]),
                    })
                    .passthrough(),
                )
                .default([]),
              cisaExploitAdd: z.string().optional(),
            })
            .passthrough(),
        })
        .passthrough(),
    ),
  })
  .passthrough();
const kevSchema = z
  .object({
    catalogVersion: z.string().optional(),
    vulnerabilities: z.array(
      z
        .object({
          cveID: z.string(),
          vendorProject: z.string().default(''),
          product: z.string().default(''),
          vulnerabilityName: z.string().optional(),
          dateAdded: z.string().optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

/** What an imported record stores in cve_rules.data. */
interface StoredNvdRule {
  id: string;
  products: { key: string; def: ProductDef; ranges: VersionRange[] }[];
  firstFixed: string[];
  cvss?: number;
  severity: Severity;
  knownExploited: boolean;
  /** absent in rows stored before components existed: "server" */
  component?: CveComponent;
  part?: string;
  summary: string;
  remediation: string;
}
interface StoredKev {
  id: string;
  knownExploited: true;
  vendorProject: string;
  product: string;
  name?: string;
}

export interface ImportResult {
  format: 'nvd' | 'kev' | 'rules';
  added: number;
  updated: number;
  skipped: number;
  /** a few reasons for skipped records, for the CLI */
  notes: string[];
}

/**
 * Bounds on what one NVD record may bring in (the file is input from outside): longer or stranger values skip
 * the match (or the record) instead of being stored, so a record with absurd values cannot bloat the rules
 * table, slow every version comparison of every scan, or push odd text into titles.
 */
export const NVD_BOUNDS = {
  criteria: 512,
  version: 64,
  productName: 80,
  rangesPerProduct: 64,
  productsPerRule: 16,
  firstFixed: 8,
} as const;
const VERSION_TEXT = /^[A-Za-z0-9][A-Za-z0-9._+~:-]*$/;

/** A version bound as NVD writes it, or undefined when it is absent or absurd (too long, odd characters). */
function boundVersion(v: string | undefined): string | undefined | null {
  if (v === undefined) return undefined;
  return v.length <= NVD_BOUNDS.version && VERSION_TEXT.test(v) ? v : null;
}

/** A CVSS base score is 0–10; anything else (negative, 1e9) is not a score. */
export function boundCvss(score: unknown): number | undefined {
  return typeof score === 'number' && Number.isFinite(score) && score >= 0 && score <= 10 ? score : undefined;
}

function cpeParts(
  criteria: string,
): { part: string; vendor: string; product: string; version: string } | null {
  if (criteria.length > NVD_BOUNDS.criteria || !criteria.startsWith('cpe:2.3:')) return null;
  const f = criteria.slice(8).split(':');
  if (f.length < 4 || !f[0] || !f[1] || !f[2]) return null;
  return { part: f[0], vendor: f[1].toLowerCase(), product: f[2].toLowerCase(), version: f[3] ?? '*' };
}

function severityFrom(label: string | undefined, score: number | undefined): Severity {
  const l = label?.toLowerCase();
  if (l === 'critical' || l === 'high' || l === 'medium' || l === 'low') return l;
  if (score === undefined) return 'medium';
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : score > 0 ? 'low' : 'info';
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/**
 * NVD records do not say which part of a product a flaw lives in; the description usually does. Client-only
 * parts first (they must never match a listening server), then an Apache/lighttpd/ProFTPD-style module name.
 */
const CLIENT_PARTS: [RegExp, string][] = [
  [/\bssh-agent\b/i, 'ssh-agent'],
  [/\b(?:the )?(scp|sftp|ssh) client\b/i, 'the $1 client'],
  [/\b(?:udhcpc|dhcp client)\b/i, 'the DHCP client'],
  [/\blibpq\b/i, 'libpq clients'],
];
export function inferComponent(description: string): { component: CveComponent; part?: string } {
  for (const [re, part] of CLIENT_PARTS) {
    const m = re.exec(description);
    if (m) return { component: 'client', part: part.replace('$1', m[1] ?? '') };
  }
  const mod = /\b(mod_[a-z0-9_]{2,40})\b/.exec(description);
  if (mod?.[1]) return { component: 'module', part: mod[1] };
  return { component: 'server' };
}

function nvdRecordToRule(
  cve: z.infer<typeof nvdSchema>['vulnerabilities'][number]['cve'],
  known: Map<string, [string, ProductDef]>,
): StoredNvdRule | string {
  if (!cveIdSchema.safeParse(cve.id).success) return `${clip(cve.id, 40)}: not a CVE id`;
  const byKey = new Map<string, { key: string; def: ProductDef; ranges: VersionRange[] }>();
  for (const conf of cve.configurations) {
    for (const node of conf.nodes) {
      for (const m of node.cpeMatch) {
        if (!m.vulnerable) continue;
        const c = cpeParts(m.criteria);
        if (c?.part !== 'a') continue;
        const range: VersionRange = {};
        if (c.version !== '*' && c.version !== '-') {
          const v = boundVersion(c.version.replace(/\\/g, ''));
          if (!v) continue;
          range.introduced = v;
          range.lastAffected = v;
        } else {
          const start = boundVersion(m.versionStartIncluding ?? m.versionStartExcluding);
          const endEx = boundVersion(m.versionEndExcluding);
          const endIn = boundVersion(m.versionEndIncluding);
          if (start === null || endEx === null || endIn === null) continue; // an absurd bound: skip the match
          if (start) range.introduced = start;
          if (endEx) range.fixed = endEx;
          else if (endIn) range.lastAffected = endIn;
          if (!range.fixed && !range.lastAffected) continue; // "all versions": too broad to match on
        }
        const cpeKey = `${c.vendor}:${c.product}`;
        const shipped = known.get(cpeKey);
        if (!byKey.has(cpeKey) && byKey.size >= NVD_BOUNDS.productsPerRule) continue;
        const entry = byKey.get(cpeKey) ?? {
          key: shipped?.[0] ?? cpeKey,
          def: shipped?.[1] ?? {
            name: clip(c.product.replace(/_/g, ' '), NVD_BOUNDS.productName),
            nmap: [],
            cpe: [cpeKey],
            precision: 1,
          },
          ranges: [],
        };
        if (entry.ranges.length >= NVD_BOUNDS.rangesPerProduct) continue;
        entry.ranges.push(range);
        byKey.set(cpeKey, entry);
      }
    }
  }
  if (byKey.size === 0) return `${cve.id}: no application CPE with a version bound`;
  const metric =
    cve.metrics.cvssMetricV31?.[0] ?? cve.metrics.cvssMetricV30?.[0] ?? cve.metrics.cvssMetricV2?.[0];
  const score = boundCvss(metric?.cvssData.baseScore);
  const label = metric?.cvssData.baseSeverity ?? metric?.baseSeverity;
  const desc = cve.descriptions.find((d) => d.lang === 'en')?.value ?? cve.descriptions[0]?.value ?? cve.id;
  const products = [...byKey.values()];
  const firstFixed = [
    ...new Set(products.flatMap((p) => p.ranges.map((r) => r.fixed).filter((x): x is string => !!x))),
  ].slice(0, NVD_BOUNDS.firstFixed);
  const names = products.map((p) => p.def.name).join(', ');
  const fixText = firstFixed.length
    ? `${firstFixed.join(' / ')} or newer`
    : 'a release that fixes this issue';
  return {
    id: cve.id,
    products,
    firstFixed,
    ...(score !== undefined ? { cvss: score } : {}),
    severity: severityFrom(label, score),
    knownExploited: cve.cisaExploitAdd !== undefined,
    ...inferComponent(desc),
    summary: clip(desc, 400),
    remediation: `Update ${names} to ${fixText} (system or firmware updates), and keep the service off the internet until then.`,
  };
}

export type ParsedFeed =
  | { format: 'nvd'; rules: StoredNvdRule[]; skipped: string[] }
  | { format: 'rules'; rules: StoredNvdRule[]; skipped: string[] }
  | { format: 'kev'; entries: StoredKev[]; skipped: string[] };

/** Recognise and parse a feed file. Throws with a message naming what was expected. */
export function parseFeed(fileText: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(fileText);
  } catch (err) {
    throw new Error(`feed file is not JSON: ${(err as Error).message}`);
  }
  const rec = (doc ?? {}) as Record<string, unknown>;
  const vulns = Array.isArray(rec.vulnerabilities) ? (rec.vulnerabilities as unknown[]) : null;
  const first = (vulns?.[0] ?? {}) as Record<string, unknown>;
  const looksNvd = rec.format === 'NVD_CVE' || (vulns !== null && typeof first.cve === 'object');
  const looksKev = rec.catalogVersion !== undefined || (vulns !== null && typeof first.cveID === 'string');
  if (Array.isArray(rec.entries) && typeof rec.products === 'object') {
    // a LAN Sentinel rules file (the shipped data file's format, with "component"/"part"): all or nothing
    const set = compileCveFile(doc);
    const products = (rec.products ?? {}) as Record<string, ProductDef>;
    const rules: StoredNvdRule[] = set.rules.map((r) => ({
      id: r.id,
      products: r.products.map((p) => ({
        key: p.key,
        def: { ...(products[p.key] as ProductDef), precision: p.precision },
        ranges: p.ranges,
      })),
      firstFixed: r.firstFixed,
      ...(r.cvss !== undefined ? { cvss: r.cvss } : {}),
      severity: r.severity,
      knownExploited: r.knownExploited,
      component: r.component,
      ...(r.part !== undefined ? { part: r.part } : {}),
      summary: r.summary,
      remediation: r.remediation,
    }));
    return { format: 'rules', rules, skipped: [] };
  }
  if (looksNvd) {
    const parsed = nvdSchema.safeParse(doc);
    if (!parsed.success)
      throw new Error(
        `NVD feed is malformed: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      );
    const known = new Map<string, [string, ProductDef]>();
    for (const [k, def] of Object.entries(loadShippedCves().products))
      for (const c of def.cpe) known.set(c, [k, def]);
    const rules: StoredNvdRule[] = [];
    const skipped: string[] = [];
    for (const v of parsed.data.vulnerabilities) {
      const r = nvdRecordToRule(v.cve, known);
      if (typeof r === 'string') skipped.push(r);
      else rules.push(r);
    }
    return { format: 'nvd', rules, skipped };
  }
  if (looksKev) {
    const parsed = kevSchema.safeParse(doc);
    if (!parsed.success)
      throw new Error(
        `KEV catalogue is malformed: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      );
    const entries: StoredKev[] = [];
    const skipped: string[] = [];
    for (const v of parsed.data.vulnerabilities) {
      if (!cveIdSchema.safeParse(v.cveID).success) {
        skipped.push(`${clip(v.cveID, 40)}: not a CVE id`);
        continue;
      }
      entries.push({
        id: v.cveID,
        knownExploited: true,
        vendorProject: clip(v.vendorProject, 100),
        product: clip(v.product, 100),
        ...(v.vulnerabilityName ? { name: clip(v.vulnerabilityName, 200) } : {}),
      });
    }
    return { format: 'kev', entries, skipped };
  }
  throw new Error(
    'unrecognised feed file: expected an NVD CVE API 2.0 JSON document ({"format":"NVD_CVE","vulnerabilities":[{"cve":…}]}) or the CISA KEV catalogue ({"catalogVersion":…,"vulnerabilities":[{"cveID":…}]})',
  );
}

/** Parse a feed and merge it into the cve_rules table. */
export function importFeed(db: Db, fileText: string, now: Date = new Date()): ImportResult {
  const feed = parseFeed(fileText);
  const t = now.toISOString();
  const shippedIds = new Set(loadShippedCves().rules.map((r) => r.id));
  const stored = new Set(
    (
      db.prepare("SELECT cve_id FROM cve_rules WHERE source IN ('nvd', 'user')").all() as { cve_id: string }[]
    ).map((r) => r.cve_id),
  );
  const upsert = db.prepare(
    `INSERT INTO cve_rules (cve_id, source, data, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (cve_id, source) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
  );
  let added = 0;
  let updated = 0;
  let skipped = feed.skipped.length;
  const notes = feed.skipped.slice(0, 5);
  db.transaction(() => {
    if (feed.format !== 'kev') {
      for (const r of feed.rules) {
        if (shippedIds.has(r.id) || stored.has(r.id)) updated++;
        else added++;
        upsert.run(r.id, feed.format === 'nvd' ? 'nvd' : 'user', JSON.stringify(r), t);
      }
    } else {
      const hadKev = new Set(
        (db.prepare("SELECT cve_id FROM cve_rules WHERE source = 'kev'").all() as { cve_id: string }[]).map(
          (r) => r.cve_id,
        ),
      );
      for (const e of feed.entries) {
        const ruleExists = shippedIds.has(e.id) || stored.has(e.id);
        upsert.run(e.id, 'kev', JSON.stringify(e), t);
        if (ruleExists) updated++;
        else if (!hadKev.has(e.id)) {
          skipped++;
          if (notes.length < 5) notes.push(`${e.id}: no version rule yet (kept; applies once a rule exists)`);
        }
      }
    }
    db.prepare(
      "INSERT INTO meta (key, value) VALUES ('cve_import_last', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(JSON.stringify({ time: t, format: feed.format, added, updated, skipped }));
  }).immediate();
  return { format: feed.format, added, updated, skipped, notes };
}

/** Shipped rules merged with imported/user rules and KEV flags from the database. */
export function loadCveRules(db: Db): CveRule[] {
  const rows = db.prepare('SELECT cve_id, source, data FROM cve_rules').all() as {
    cve_id: string;
    source: 'nvd' | 'kev' | 'user';
    data: string;
  }[];
  const extra: CveRule[] = [];
  const kev = new Set<string>();
  for (const row of rows) {
    try {
      if (row.source === 'kev') {
        kev.add(row.cve_id);
        continue;
      }
      const r = JSON.parse(row.data) as StoredNvdRule;
      extra.push({
        id: r.id,
        products: r.products.map((p) => compileProduct(p.key, p.def, p.ranges)),
        firstFixed: r.firstFixed,
        // rows stored before the bounds: an absurd score is dropped, long text cut
        ...(boundCvss(r.cvss) !== undefined ? { cvss: r.cvss } : {}),
        severity: r.severity,
        knownExploited: r.knownExploited,
        component: r.component === 'client' || r.component === 'module' ? r.component : 'server',
        ...(typeof r.part === 'string' ? { part: r.part.slice(0, 80) } : {}),
        summary: clip(String(r.summary), 600),
        remediation: clip(String(r.remediation), 800),
        source: row.source,
      });
    } catch {
      // a damaged row must not take the whole rule set down; it is simply not used
    }
  }
  const merged = mergeRules(loadShippedCves().rules, extra);
  return merged.map((r) => (kev.has(r.id) && !r.knownExploited ? { ...r, knownExploited: true } : r));
}

/** CLI entry: import a feed file and describe the result in one or two lines. */
export async function runCveImport(db: Db, filePath: string): Promise<string> {
  const buf = await readFile(filePath);
  if (buf.byteLength > MAX_FEED_BYTES)
    throw new Error(`${filePath} is larger than ${MAX_FEED_BYTES / 1024 / 1024} MiB`);
  const r = importFeed(db, buf.toString('utf8'));
  const what =
    r.format === 'nvd'
      ? 'NVD CVE feed'
      : r.format === 'rules'
        ? 'LAN Sentinel rules file'
        : 'CISA KEV catalogue';
  const total = loadCveRules(db).length;
  const lines = [
    `Imported ${what} from ${filePath}: ${r.added} added, ${r.updated} updated, ${r.skipped} skipped. ${total} CVE rules are now active.`,
  ];
  if (r.notes.length) lines.push(`Skipped, for example: ${r.notes.join('; ')}`);
  return lines.join('\n');
}
