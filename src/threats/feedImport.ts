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
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { type CveRuleRow, CveRulesRepo } from '../store/cveRulesRepo.js';
import type { Db } from '../store/db.js';
import { stripControl } from '../util/text.js';
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

/**
 * Bounds of one feed file (DESIGN §6). Generous for real NVD/KEV files (an NVD yearly file has ~40,000
 * records, the KEV catalogue ~1,500), small enough that a hostile file cannot exhaust memory or slow every
 * later import down. A file that breaks one of these is refused whole, with the field named; nothing of it
 * is stored. Odd single values inside a record (a CVSS outside 0–10, an over-long version or CPE) are
 * bounded per value instead (NVD_BOUNDS): the value is dropped or the match skipped, with a note.
 */
export const FEED_LIMITS = {
  /** the file as given, and after gunzip */
  bytes: 64 * 1024 * 1024,
  records: 250_000,
  /** CPE matches of one NVD record (over all its configurations and nodes) */
  cpeMatchesPerRecord: 10_000,
  /** version ranges of one record of a LAN Sentinel rules file */
  rangesPerRecord: 5_000,
  descriptionsPerRecord: 50,
  nameChars: 256,
} as const;

const MIB = 1024 * 1024;
const L = FEED_LIMITS;
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

const cpeMatchSchema = z.looseObject({
  vulnerable: z.boolean(),
  criteria: z.string(),
  versionStartIncluding: z.string().optional(),
  versionStartExcluding: z.string().optional(),
  versionEndIncluding: z.string().optional(),
  versionEndExcluding: z.string().optional(),
});
const cvssSchema = z
  .array(
    z.looseObject({
      type: z.string().optional(),
      cvssData: z.looseObject({
        baseScore: z.number('must be a number'),
        baseSeverity: z.string().optional(),
      }),
      baseSeverity: z.string().optional(),
    }),
  )
  .max(100, 'at most 100 metrics')
  .optional();
const nvdRecordSchema = z.looseObject({
  cve: z
    .looseObject({
      id: z.string(),
      descriptions: z
        .array(z.looseObject({ lang: z.string(), value: z.string() }))
        .max(L.descriptionsPerRecord, `at most ${L.descriptionsPerRecord} descriptions`)
        .default([]),
      metrics: z
        .looseObject({ cvssMetricV31: cvssSchema, cvssMetricV30: cvssSchema, cvssMetricV2: cvssSchema })
        .default({}),
      configurations: z
        .array(
          z.looseObject({
            nodes: z
              .array(
                z.looseObject({
                  cpeMatch: z
                    .array(cpeMatchSchema)
                    .max(L.cpeMatchesPerRecord, `at most ${L.cpeMatchesPerRecord} CPE matches`)
                    .default([]),
                }),
              )
              .max(1_000, 'at most 1000 nodes')
              .default([]),
          }),
        )
        .max(1_000, 'at most 1000 configurations')
        .default([]),
      cisaExploitAdd: z.string().optional(),
    })
    .superRefine((cve, ctx) => {
      let n = 0;
      for (const c of cve.configurations) for (const node of c.nodes) n += node.cpeMatch.length;
      if (n > L.cpeMatchesPerRecord)
        ctx.addIssue({
          code: 'custom',
          path: ['configurations'],
          message: `at most ${L.cpeMatchesPerRecord} CPE matches per record (got ${n})`,
        });
    }),
});
const nvdSchema = z.looseObject({
  format: z.string().optional(),
  vulnerabilities: z.array(z.unknown()).max(L.records, `at most ${L.records} records`),
});
const kevRecordSchema = z.looseObject({
  cveID: z.string(),
  vendorProject: text(L.nameChars).default(''),
  product: text(L.nameChars).default(''),
  vulnerabilityName: text(L.nameChars * 4).optional(),
  dateAdded: z.string().optional(),
});
const kevSchema = z.looseObject({
  catalogVersion: z.string().optional(),
  vulnerabilities: z.array(z.unknown()).max(L.records, `at most ${L.records} records`),
});

/** "vulnerabilities[3].cve.metrics.cvssMetricV31[0].cvssData.baseScore" */
function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

function valueAt(doc: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

/** What a refused value was, short: a number as written, a string's or array's length. */
function gotText(v: unknown): string {
  if (typeof v === 'number') return ` (got ${String(v)})`;
  if (typeof v === 'string') return v.length > 40 ? ` (got ${v.length} characters)` : ` (got "${v}")`;
  if (Array.isArray(v)) return ` (got ${v.length})`;
  return '';
}

/** One clear line per problem: where, what is allowed, what was there. */
function issueText(doc: unknown, prefix: ReadonlyArray<PropertyKey>, issue: z.core.$ZodIssue): string {
  const path = [...prefix, ...issue.path];
  const got = issue.message.includes('(got ') ? '' : gotText(valueAt(doc, path));
  return `${pathText(path)}: ${issue.message}${got}`;
}

export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}

function refused(what: string, doc: unknown, prefix: ReadonlyArray<PropertyKey>, err: z.ZodError): FeedError {
  const first = err.issues.slice(0, 3).map((i) => issueText(doc, prefix, i));
  const more = err.issues.length > 3 ? ` (and ${err.issues.length - 3} more)` : '';
  return new FeedError(`${what} refused, nothing imported: ${first.join('; ')}${more}`);
}

/**
 * The feed file's bytes as text: gzip (by its magic bytes, whatever the file is called) is unpacked, never
 * beyond FEED_LIMITS.bytes; a UTF-8 byte order mark is dropped.
 */
export function decodeFeed(input: Uint8Array | string): string {
  if (typeof input === 'string') {
    if (input.length > L.bytes) throw new FeedError(`the feed file is larger than ${L.bytes / MIB} MiB`);
    return input;
  }
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.byteLength > L.bytes)
    throw new FeedError(
      `the feed file is larger than ${L.bytes / MIB} MiB (${Math.ceil(buf.byteLength / MIB)} MiB)`,
    );
  let raw = buf;
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      raw = gunzipSync(buf, { maxOutputLength: L.bytes });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
        throw new FeedError(`the feed unpacks to more than ${L.bytes / MIB} MiB; import a smaller file`);
      throw new FeedError(`the feed looks gzip-compressed but cannot be unpacked: ${e.message}`);
    }
  }
  const s = raw.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

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
  /** the import's stamp (meta cve_import_last.time) */
  time: string;
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
  const f = stripControl(criteria).slice(8).split(':');
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
  const t = stripControl(s.replace(/\s+/g, ' ')).trim();
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
  cve: z.infer<typeof nvdRecordSchema>['cve'],
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
  | { format: 'nvd'; rules: StoredNvdRule[]; skipped: string[]; warnings?: string[] }
  | { format: 'rules'; rules: StoredNvdRule[]; skipped: string[]; warnings?: string[] }
  | { format: 'kev'; entries: StoredKev[]; skipped: string[]; warnings?: string[] };

/** Every record of `vulnerabilities`, each checked against `schema`; the first bad one refuses the file. */
function records<T extends z.ZodType>(what: string, doc: unknown, list: unknown[], schema: T): z.output<T>[] {
  const out: z.output<T>[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = schema.safeParse(list[i]);
    if (!r.success) throw refused(what, doc, ['vulnerabilities', i], r.error);
    out.push(r.data);
  }
  return out;
}

/**
 * Recognise and parse a feed file (JSON text or its bytes, gzip accepted). Throws FeedError with a message
 * naming what was expected, or the field that broke a bound, and what was there.
 */
export function parseFeed(input: Uint8Array | string): ParsedFeed {
  const fileText = decodeFeed(input);
  let doc: unknown;
  try {
    doc = JSON.parse(fileText);
  } catch (err) {
    throw new FeedError(`feed file is not JSON: ${(err as Error).message}`);
  }
  const rec = (doc ?? {}) as Record<string, unknown>;
  const vulns = Array.isArray(rec.vulnerabilities) ? (rec.vulnerabilities as unknown[]) : null;
  const first = (vulns?.[0] ?? {}) as Record<string, unknown>;
  const looksNvd = rec.format === 'NVD_CVE' || (vulns !== null && typeof first.cve === 'object');
  const looksKev = rec.catalogVersion !== undefined || (vulns !== null && typeof first.cveID === 'string');
  if (Array.isArray(rec.entries) && typeof rec.products === 'object') {
    // a LAN Sentinel rules file (the shipped data file's format, with "component"/"part"): all or nothing
    if (rec.entries.length > L.records)
      throw new FeedError(
        `rules file refused, nothing imported: entries: at most ${L.records} records (got ${rec.entries.length})`,
      );
    rec.entries.forEach((e, i) => {
      const affects = (e as { affects?: unknown } | null)?.affects;
      const n = Array.isArray(affects)
        ? affects.reduce<number>((sum, a) => {
            const ranges = (a as { ranges?: unknown } | null)?.ranges;
            return sum + (Array.isArray(ranges) ? ranges.length : 0);
          }, 0)
        : 0;
      if (n > L.rangesPerRecord)
        throw new FeedError(
          `rules file refused, nothing imported: entries[${i}].affects: at most ${L.rangesPerRecord} version ranges per record (got ${n})`,
        );
    });
    let set: ReturnType<typeof compileCveFile>;
    try {
      set = compileCveFile(doc);
    } catch (err) {
      throw new FeedError(`rules file refused, nothing imported: ${(err as Error).message}`);
    }
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
    const top = nvdSchema.safeParse(doc);
    if (!top.success) throw refused('NVD feed', doc, [], top.error);
    const list = records('NVD feed', doc, top.data.vulnerabilities, nvdRecordSchema);
    const known = new Map<string, [string, ProductDef]>();
    for (const [k, def] of Object.entries(loadShippedCves().products))
      for (const c of def.cpe) known.set(c, [k, def]);
    const rules: StoredNvdRule[] = [];
    const skipped: string[] = [];
    const warnings: string[] = [];
    list.forEach((v, i) => {
      const r = nvdRecordToRule(v.cve, known);
      if (typeof r === 'string') skipped.push(r);
      else rules.push(r);
      for (const key of ['cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2'] as const)
        (v.cve.metrics[key] ?? []).forEach((m, j) => {
          const score = m.cvssData.baseScore;
          if (boundCvss(score) === undefined)
            warnings.push(
              `${clip(v.cve.id, 30)}: vulnerabilities[${i}] ${key}[${j}].baseScore ${String(score).slice(0, 12)} is outside 0–10; ignored`,
            );
        });
    });
    return { format: 'nvd', rules, skipped, warnings };
  }
  if (looksKev) {
    const top = kevSchema.safeParse(doc);
    if (!top.success) throw refused('KEV catalogue', doc, [], top.error);
    const list = records('KEV catalogue', doc, top.data.vulnerabilities, kevRecordSchema);
    const entries: StoredKev[] = [];
    const skipped: string[] = [];
    for (const v of list) {
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
  throw new FeedError(
    'unrecognised feed file: expected an NVD CVE API 2.0 JSON document ({"format":"NVD_CVE","vulnerabilities":[{"cve":…}]}) or the CISA KEV catalogue ({"catalogVersion":…,"vulnerabilities":[{"cveID":…}]}), plain or .gz',
  );
}

/** Parse a feed and merge it into the cve_rules table (one transaction: all of it or, on error, nothing). */
export function importFeed(db: Db, input: Uint8Array | string, now: Date = new Date()): ImportResult {
  const feed = parseFeed(input);
  const repo = new CveRulesRepo(db);
  const t = now.toISOString();
  const shippedIds = new Set(loadShippedCves().rules.map((r) => r.id));
  const stored = repo.ids(['nvd', 'user']);
  let added = 0;
  let updated = 0;
  let skipped = feed.skipped.length;
  const notes = [...(feed.warnings ?? []), ...feed.skipped].slice(0, 5);
  const rows: CveRuleRow[] = [];
  if (feed.format !== 'kev') {
    for (const r of feed.rules) {
      if (shippedIds.has(r.id) || stored.has(r.id)) updated++;
      else added++;
      rows.push({ cve_id: r.id, source: feed.format === 'nvd' ? 'nvd' : 'user', data: JSON.stringify(r) });
    }
  } else {
    const hadKev = repo.ids(['kev']);
    for (const e of feed.entries) {
      const ruleExists = shippedIds.has(e.id) || stored.has(e.id);
      rows.push({ cve_id: e.id, source: 'kev', data: JSON.stringify(e) });
      if (ruleExists) updated++;
      else if (!hadKev.has(e.id)) {
        skipped++;
        if (notes.length < 5) notes.push(`${e.id}: no version rule yet (kept; applies once a rule exists)`);
      }
    }
  }
  repo.upsertImport(rows, { time: t, format: feed.format, added, updated, skipped });
  return { format: feed.format, added, updated, skipped, notes, time: t };
}

/** Shipped rules merged with imported/user rules and KEV flags from the database. */
export function loadCveRules(db: Db): CveRule[] {
  const rows = new CveRulesRepo(db).all();
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

export function feedKind(format: ImportResult['format']): string {
  return format === 'nvd'
    ? 'NVD CVE feed'
    : format === 'rules'
      ? 'LAN Sentinel rules file'
      : 'CISA KEV catalogue';
}

/** Reads a feed file for import; the size bound is checked before the whole file is read. */
export async function readFeedFile(filePath: string): Promise<Buffer> {
  const { size } = await stat(filePath);
  if (size > L.bytes)
    throw new FeedError(`${filePath} is larger than ${L.bytes / MIB} MiB (${Math.ceil(size / MIB)} MiB)`);
  return readFile(filePath);
}
