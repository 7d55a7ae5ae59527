/** The order and the footer of `lan-sentinel findings`. Pure. */
import type { FindingJson } from '../api/schemas.js';
import { SEVERITY_RANK } from '../vocabulary.js';

/** How many findings the human table shows unless `--limit N` or `--all` says otherwise. */
export const FINDINGS_SHOWN = 40;

type Sortable = Pick<
  FindingJson,
  'id' | 'active' | 'known_exploited' | 'severity' | 'cvss' | 'device_name' | 'mac' | 'port'
>;

/**
 * The order of the listing: active before resolved, known exploited first, then severity, then CVSS (the order
 * everywhere, DESIGN §6), then device (by name, then MAC), then port, then id: within one severity and score a
 * device's findings stand together and the order is the same from run to run.
 */
export function compareFindings(a: Sortable, b: Sortable): number {
  const device = (f: Sortable) => (f.device_name ?? f.mac).toLowerCase();
  return (
    Number(b.active) - Number(a.active) ||
    Number(b.known_exploited) - Number(a.known_exploited) ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (b.cvss ?? -1) - (a.cvss ?? -1) ||
    device(a).localeCompare(device(b)) ||
    a.mac.localeCompare(b.mac) ||
    (a.port ?? 65536) - (b.port ?? 65536) ||
    a.id - b.id
  );
}

export function sortFindings<T extends Sortable>(items: readonly T[]): T[] {
  return [...items].sort(compareFindings);
}

/**
 * The lines under the table: how many there are, which of them are shown, and how to see the rest.
 * `shown` is the number of rows printed (the first ones of the order).
 */
export function findingsFooter(total: number, shown: number): string {
  const legend = '(KEV = known exploited)';
  const details = 'details: lan-sentinel devices show <device>';
  if (shown >= total) return `${total} findings ${legend}; ${details}`;
  return [
    `${total} findings, showing 1–${shown} ${legend}`,
    `the rest: --limit N or --all (--json lists all); ${details}`,
  ].join('\n');
}
