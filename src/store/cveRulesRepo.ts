/**
 * Imported CVE rules (cve_rules: NVD records, KEV flags, user rules files) and the two meta rows that tell
 * the running service about imports: `cve_import_last` (written by whoever imported: the CLI in another
 * process or the service's own API) and `cve_rules_active` (written by the service once it has loaded
 * the rules of that import, so the CLI can say truthfully that they are active).
 */
import type { Db } from './db.js';

export type CveRuleSource = 'nvd' | 'kev' | 'user';

export interface CveRuleRow {
  cve_id: string;
  source: CveRuleSource;
  data: string;
}

export interface CveImportStamp {
  time: string;
  format: string;
  added: number;
  updated: number;
  skipped: number;
}

export interface CveRulesActive {
  /** the `cve_import_last.time` the service has applied ('' = none yet) */
  import: string;
  /** CVE rules in force in the running service */
  count: number;
  pid: number;
  at: string;
}

const SET_META =
  'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

export class CveRulesRepo {
  constructor(private readonly db: Db) {}

  all(): CveRuleRow[] {
    return this.db.prepare('SELECT cve_id, source, data FROM cve_rules').all() as CveRuleRow[];
  }

  ids(sources: CveRuleSource[]): Set<string> {
    const rows = this.db
      .prepare(`SELECT cve_id FROM cve_rules WHERE source IN (${sources.map(() => '?').join(', ')})`)
      .all(...sources) as { cve_id: string }[];
    return new Set(rows.map((r) => r.cve_id));
  }

  /** One transaction: every row of an import, then the import stamp (all or nothing). */
  upsertImport(rows: CveRuleRow[], stamp: CveImportStamp): void {
    const upsert = this.db.prepare(
      `INSERT INTO cve_rules (cve_id, source, data, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (cve_id, source) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
    );
    this.db
      .transaction(() => {
        for (const r of rows) upsert.run(r.cve_id, r.source, r.data, stamp.time);
        this.db.prepare(SET_META).run('cve_import_last', JSON.stringify(stamp));
      })
      .immediate();
  }

  lastImport(): CveImportStamp | null {
    return this.meta<CveImportStamp>('cve_import_last');
  }

  active(): CveRulesActive | null {
    return this.meta<CveRulesActive>('cve_rules_active');
  }

  setActive(a: CveRulesActive): void {
    this.db.prepare(SET_META).run('cve_rules_active', JSON.stringify(a));
  }

  /** Changes whenever another connection (another process) has committed since the last call. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  private meta<T>(key: string): T | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    if (!r) return null;
    try {
      return JSON.parse(r.value) as T;
    } catch {
      return null;
    }
  }
}
