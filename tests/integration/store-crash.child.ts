/**
 * Child process for store-crash.test.ts: writes sweeps of HOSTS hosts in a loop until killed.
 * argv: <db file> <first second offset>. Prints "ok <scanId>" after each committed sweep.
 */

import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import type { ScanHost } from '../../src/scan/types.js';
import { openStore } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

export const HOSTS = 50;
const file = process.argv[2]!;
let s = Number(process.argv[3] ?? 0);
const store = openStore(file, silentLogger);
const T0 = Date.parse('2026-03-01T00:00:00Z');
for (let n = 0; n < 100_000; n++) {
  s += 60;
  const now = new Date(T0 + s * 1000);
  const hosts: ScanHost[] = [];
  for (let i = 0; i < HOSTS; i++) {
    // rotate IPs and presence so every sweep produces changes and history rows
    const o = (i + n) % 200;
    hosts.push({
      ip: `10.213.7.${1 + o}`,
      mac: `b8:27:eb:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
      hostnames: [`host-${i}-${n}`],
      status: 'up',
      ports: [],
      portsScanned: false,
    });
  }
  const id = store.scans.start('sweep', ['10.213.7.0/24'], 'crash-test', null, now);
  ingestSweep(
    store,
    id,
    {
      kind: 'sweep',
      targets: ['10.213.7.0/24'],
      startedAt: now,
      finishedAt: now,
      hosts,
      hostsUp: HOSTS,
      hostsTotal: 256,
    },
    { now, considerHome: 60, lookupVendor },
  );
  process.stdout.write(`ok ${id} ${s}\n`);
}
