/**
 * The install baseline (DESIGN §5) and the first-start port scan, kept in `meta`:
 * - `install_state`: `pending` (fresh database, waiting for its first successful sweep), `applied`, or
 *   `existing` (a database that had an inventory before this feature, or a salvaged one: never a baseline).
 * - `install_baseline_at` / `install_baseline_macs`: when the baseline was taken and which devices it holds.
 * - `initial_port_scan`: `pending` until every online device of the baseline has had a port scan.
 * A baseline is taken at most once per database: nothing resets `install_state`.
 */
import type { Db } from './db.js';

export type InstallState = 'pending' | 'applied' | 'existing';

export interface InstallInfo {
  state: InstallState;
  baselineAt: string | null;
  baselineMacs: string[];
  initialPortScanPending: boolean;
}

export class InstallRepo {
  constructor(private readonly db: Db) {}

  private get(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return r?.value ?? null;
  }

  private set(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /**
   * Decide once per database whether it is a fresh install: no install state yet, no device and no
   * successful sweep, and not salvaged from a damaged file. Returns the (possibly just decided) info and
   * whether this call decided it.
   */
  initialize(opts: { salvaged?: boolean } = {}): { info: InstallInfo; decided: boolean } {
    return this.db
      .transaction(() => {
        if (this.get('install_state') !== null) return { info: this.info(), decided: false };
        const devices = (this.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
        const sweeps = (
          this.db
            .prepare("SELECT count(*) AS n FROM scans WHERE kind = 'sweep' AND status = 'success'")
            .get() as {
            n: number;
          }
        ).n;
        const fresh = devices === 0 && sweeps === 0 && !opts.salvaged;
        this.set('install_state', fresh ? 'pending' : 'existing');
        return { info: this.info(), decided: true };
      })
      .immediate();
  }

  info(): InstallInfo {
    const state = (this.get('install_state') ?? 'existing') as InstallState;
    const macs = this.get('install_baseline_macs');
    return {
      state,
      baselineAt: this.get('install_baseline_at'),
      baselineMacs: macs ? (JSON.parse(macs) as string[]) : [],
      initialPortScanPending: this.get('initial_port_scan') === 'pending',
    };
  }

  /** Whether the next successful sweep takes the baseline. */
  baselinePending(): boolean {
    return this.get('install_state') === 'pending';
  }

  /** Record the baseline (call inside the sweep's transaction). */
  applyBaseline(macs: string[], now: Date): void {
    this.set('install_state', 'applied');
    this.set('install_baseline_at', now.toISOString());
    this.set('install_baseline_macs', JSON.stringify(macs));
    this.set('initial_port_scan', 'pending');
  }

  /** Devices found right after the baseline sweep by another means (NDP: IPv6-only hosts) join the baseline. */
  extendBaseline(macs: readonly string[]): void {
    const have = this.info().baselineMacs;
    this.set('install_baseline_macs', JSON.stringify([...new Set([...have, ...macs])]));
  }

  finishInitialPortScan(now: Date): void {
    this.set('initial_port_scan', now.toISOString());
  }

  /** Baseline devices still not marked known (the "Trust all N devices found at install" action). */
  untrustedBaseline(): string[] {
    const macs = this.info().baselineMacs;
    if (macs.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT mac FROM devices WHERE known = 0 AND mac IN (SELECT value FROM json_each(?)) ORDER BY mac`,
      )
      .all(JSON.stringify(macs)) as Array<{ mac: string }>;
    return rows.map((r) => r.mac);
  }

  /** Online, not ignored devices with an IP that never had a successful port scan. */
  unscanned(): Array<{ mac: string; ip: string; baseline: boolean }> {
    const baseline = new Set(this.info().baselineMacs);
    const rows = this.db
      .prepare(
        `SELECT mac, ip FROM devices WHERE online = 1 AND ignored = 0 AND ip IS NOT NULL AND ports_scanned_at IS NULL
           AND mac NOT IN (SELECT mac FROM agent_devices)
         ORDER BY mac`,
      )
      .all() as Array<{ mac: string; ip: string }>;
    return rows.map((r) => ({ mac: r.mac, ip: r.ip, baseline: baseline.has(r.mac) }));
  }
}
