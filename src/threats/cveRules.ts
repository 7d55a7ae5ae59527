/**
 * The CVE rule set: the shipped data file (src/threats/data/cves.json, validated with zod at load time)
 * merged with rules imported from NVD/KEV feed files or added by the user (cve_rules table).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CVE_COMPONENTS, type CveComponent, SEVERITIES, type Severity } from '../vocabulary.js';
import type { VersionRange } from './version.js';

export { CVE_COMPONENTS, type CveComponent };

const versionText = z.string().min(1).max(64);

export const rangeSchema = z
  .object({
    introduced: versionText.optional(),
    fixed: versionText.optional(),
    lastAffected: versionText.optional(),
  })
  .strict()
  .refine((r) => r.fixed !== undefined || r.lastAffected !== undefined, {
    message: 'a range needs "fixed" (exclusive) or "lastAffected" (inclusive)',
  });

export const productSchema = z
  .object({
    name: z.string().min(1).max(100),
    /** case-insensitive regular expressions matched against nmap's product name */
    nmap: z.array(z.string().min(1).max(200)),
    /** "vendor:product" pairs as they appear in CPE 2.2/2.3 strings */
    cpe: z.array(
      z.string().regex(/^[a-z0-9_.\-~%!]+:[a-z0-9_.\-~%!]+$/, 'expected "vendor:product" in lowercase'),
    ),
    /** minimum number of numeric version components for a version to count as exact (e.g. 3 for "2.4.49") */
    precision: z.number().int().min(1).max(4).default(1),
    remediation: z.string().min(1).max(600).optional(),
  })
  .strict();

export const cveIdSchema = z.string().regex(/^CVE-\d{4}-\d{4,8}$/, 'expected a CVE id such as CVE-2024-6387');

export const entrySchema = z
  .object({
    id: cveIdSchema,
    affects: z
      .array(z.object({ product: z.string().min(1), ranges: z.array(rangeSchema).min(1) }).strict())
      .min(1),
    firstFixed: z.array(versionText).optional(),
    cvss: z.number().min(0).max(10).optional(),
    severity: z.enum(SEVERITIES),
    knownExploited: z.boolean(),
    /**
     * Where the flaw lives: the listening server itself, a client-only part (ssh-agent, the scp client, a
     * DHCP client: never matched to a listening service), or an optional module/setting (`part` names it:
     * shown as "only if <part> is enabled", lower confidence).
     */
    component: z.enum(CVE_COMPONENTS).default('server'),
    part: z.string().min(1).max(80).optional(),
    summary: z.string().min(1).max(600),
    remediation: z.string().min(1).max(800),
  })
  .strict()
  .refine((e) => e.component === 'server' || e.part !== undefined, {
    message: 'a "client" or "module" component needs "part" (e.g. "ssh-agent", "mod_lua")',
    path: ['part'],
  });

export const cveFileSchema = z
  .object({
    version: z.number().int().min(1),
    updated: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    source: z.string().optional(),
    products: z.record(z.string(), productSchema),
    entries: z.array(entrySchema),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.entries.forEach((e, i) => {
      if (seen.has(e.id))
        ctx.addIssue({ code: 'custom', path: ['entries', i, 'id'], message: `duplicate ${e.id}` });
      seen.add(e.id);
      for (const a of e.affects) {
        if (!f.products[a.product]) {
          ctx.addIssue({
            code: 'custom',
            path: ['entries', i, 'affects'],
            message: `${e.id} names unknown product "${a.product}"`,
          });
        }
      }
    });
  });

export type CveFile = z.infer<typeof cveFileSchema>;
export type ProductDef = z.infer<typeof productSchema>;

/** A product a rule applies to, with its matchers compiled. */
export interface RuleProduct {
  key: string;
  name: string;
  nmap: RegExp[];
  cpe: string[];
  precision: number;
  ranges: VersionRange[];
}

/** One CVE rule as the matcher uses it. */
export interface CveRule {
  id: string;
  products: RuleProduct[];
  firstFixed: string[];
  cvss?: number;
  severity: Severity;
  knownExploited: boolean;
  /** server (default), client (never matched to a listening service) or module (needs `part` enabled) */
  component: CveComponent;
  /** the client part or optional module/setting, e.g. "ssh-agent", "mod_lua" */
  part?: string;
  summary: string;
  remediation: string;
  source: 'shipped' | 'nvd' | 'kev' | 'user';
}

export interface CveRuleSet {
  version: number;
  updated: string;
  rules: CveRule[];
  products: Record<string, ProductDef>;
}

export function compileProduct(key: string, def: ProductDef, ranges: VersionRange[]): RuleProduct {
  return {
    key,
    name: def.name,
    nmap: def.nmap.map((re) => new RegExp(re, 'i')),
    cpe: def.cpe.map((c) => c.toLowerCase()),
    precision: def.precision,
    ranges,
  };
}

/** Validate a parsed data file and compile it. Throws with the zod issues when the file is malformed. */
export function compileCveFile(data: unknown): CveRuleSet {
  const parsed = cveFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new Error(`CVE data file is invalid: ${issues}`);
  }
  const f = parsed.data;
  const rules: CveRule[] = f.entries.map((e) => ({
    id: e.id,
    products: e.affects.map((a) => compileProduct(a.product, f.products[a.product] as ProductDef, a.ranges)),
    firstFixed: e.firstFixed ?? [],
    ...(e.cvss !== undefined ? { cvss: e.cvss } : {}),
    severity: e.severity,
    knownExploited: e.knownExploited,
    component: e.component,
    ...(e.part !== undefined ? { part: e.part } : {}),
    summary: e.summary,
    remediation: e.remediation,
    source: 'shipped',
  }));
  return { version: f.version, updated: f.updated, rules, products: f.products };
}

let shipped: CveRuleSet | null = null;

/** The CVE file shipped with the program (cached). Works from src/ (tsx, tests) and dist/ (build copies data/). */
export function loadShippedCves(): CveRuleSet {
  if (shipped) return shipped;
  const candidates = [
    new URL('./data/cves.json', import.meta.url),
    new URL('../../src/threats/data/cves.json', import.meta.url),
  ];
  let lastErr: unknown;
  for (const url of candidates) {
    try {
      const text = readFileSync(url, 'utf8');
      shipped = compileCveFile(JSON.parse(text));
      return shipped;
    } catch (err) {
      lastErr = err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`CVE data file not found next to the program: ${String(lastErr)}`);
}

/**
 * Merge extra rules (imported feeds, user rules) over the shipped ones: same CVE id → the extra rule's
 * products/ranges are added, knownExploited is OR-ed, a CVSS score fills a missing one.
 */
export function mergeRules(base: CveRule[], extra: CveRule[]): CveRule[] {
  const byId = new Map<string, CveRule>();
  for (const r of base) byId.set(r.id, { ...r, products: [...r.products] });
  for (const r of extra) {
    const cur = byId.get(r.id);
    if (!cur) {
      byId.set(r.id, { ...r, products: [...r.products] });
      continue;
    }
    const products = [...cur.products];
    for (const p of r.products) {
      const at = products.findIndex((q) => q.cpe.some((c) => p.cpe.includes(c)));
      const same = products[at];
      if (!same) products.push(p);
      // the curated shipped ranges win; two imported rules for one product add up
      else if (cur.source !== 'shipped') products[at] = { ...same, ranges: [...same.ranges, ...p.ranges] };
    }
    byId.set(r.id, {
      ...cur,
      // the curated component wins over an imported record's guess
      ...(cur.source !== 'shipped' && r.component !== 'server'
        ? { component: r.component, ...(r.part !== undefined ? { part: r.part } : {}) }
        : {}),
      products,
      knownExploited: cur.knownExploited || r.knownExploited,
      ...(cur.cvss === undefined && r.cvss !== undefined ? { cvss: r.cvss, severity: r.severity } : {}),
    });
  }
  return [...byId.values()];
}
