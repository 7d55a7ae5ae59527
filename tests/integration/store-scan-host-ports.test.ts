/**
 * A port scan's per-host result in `scan_hosts` (issue 18): stored as one compact row per port (protocol, port,
 * state, service name, product, version), read back with everything the scan detail, the host view, the CLI and
 * the compare view show; rows written before in the old shape (the parsed port objects) read as they always did.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareScans } from '../../src/inventory/compare.js';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import type { ScanHost, ScanPort, ScanResult } from '../../src/scan/types.js';
import { openStore, type Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/logger.js';

let dir: string;
let store: Store;
const at = (s: number) => new Date(Date.parse('2026-03-01T12:00:00Z') + s * 1000);
const NAS = '00:11:32:aa:bb:cc';

const ports: ScanPort[] = [
  {
    protocol: 'tcp',
    port: 22,
    state: 'open',
    service: {
      name: 'ssh',
      product: 'OpenSSH',
      version: '9.2p1',
      extrainfo: 'protocol 2.0',
      method: 'probed',
      conf: 10,
      cpe: ['cpe:/a:openbsd:openssh:9.2p1'],
    },
  },
  { protocol: 'tcp', port: 23, state: 'closed' },
  { protocol: 'udp', port: 5353, state: 'open|filtered', service: { name: 'mdns', cpe: [] } },
  { protocol: 'tcp', port: 443, state: 'open', httpTitle: 'NAS', service: { name: 'https', cpe: [] } },
];
const result = (kind: 'sweep' | 'ports', hosts: ScanHost[], s: number): ScanResult => ({
  kind,
  targets: ['10.213.1.5'],
  startedAt: at(s),
  finishedAt: at(s + 1),
  hosts,
  hostsUp: hosts.length,
  hostsTotal: 1,
});
const nas = (p: ScanPort[]): ScanHost => ({
  ip: '10.213.1.5',
  mac: NAS,
  hostnames: ['nas'],
  status: 'up',
  ports: p,
  portsScanned: true,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-scan-host-ports-'));
  store = openStore(join(dir, 'lan.db'), silentLogger);
  const id = store.scans.start('sweep', ['10.213.1.0/24'], 'schedule', null, at(0));
  ingestSweep(store, id, result('sweep', [nas([])], 0), { now: at(1), considerHome: 180, lookupVendor });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scan_hosts ports', () => {
  it('stores each port as one compact row and reads back what every view shows', () => {
    const id = store.scans.start('ports', ['10.213.1.5'], 'manual', null, at(10));
    ingestPortScan(store, id, result('ports', [nas(ports)], 10), at(11));
    const text = store.db.prepare('SELECT ports FROM scan_hosts WHERE scan_id = ?').pluck().get(id);
    expect(JSON.parse(text as string)).toEqual([
      ['tcp', 22, 'open', 'ssh', 'OpenSSH', '9.2p1'],
      ['tcp', 23, 'closed', null, null, null],
      ['udp', 5353, 'open|filtered', 'mdns', null, null],
      ['tcp', 443, 'open', 'https', null, null],
    ]);
    const host = store.scans.get(id)?.hosts[0];
    expect(host).toMatchObject({ mac: NAS, ip: '10.213.1.5', hostname: 'nas' });
    expect(
      host?.ports.map((p) => [
        p.protocol,
        p.port,
        p.state,
        p.service?.name ?? null,
        p.service?.product ?? null,
        p.service?.version ?? null,
      ]),
    ).toEqual([
      ['tcp', 22, 'open', 'ssh', 'OpenSSH', '9.2p1'],
      ['tcp', 23, 'closed', null, null, null],
      ['udp', 5353, 'open|filtered', 'mdns', null, null],
      ['tcp', 443, 'open', 'https', null, null],
    ]);
    expect(store.scans.hostResult(id, '10.213.1.5')?.host?.ports).toEqual(host?.ports);
    expect(store.scans.snapshot(id)?.hosts[0]?.ports).toEqual([
      { protocol: 'tcp', port: 22, service: 'ssh', product: 'OpenSSH', version: '9.2p1' },
      { protocol: 'tcp', port: 443, service: 'https' },
    ]);
  });

  it('reads a row of the old shape (parsed port objects) as before, and compares it with a new one', () => {
    const old = store.scans.start('ports', ['10.213.1.5'], 'manual', null, at(10));
    ingestPortScan(store, old, result('ports', [nas(ports)], 10), at(11));
    // the row as versions before this one wrote it
    store.db.prepare('UPDATE scan_hosts SET ports = ? WHERE scan_id = ?').run(JSON.stringify(ports), old);
    expect(store.scans.get(old)?.hosts[0]?.ports).toEqual(ports);
    const next = store.scans.start('ports', ['10.213.1.5'], 'manual', null, at(20));
    const changed: ScanPort[] = [
      {
        protocol: 'tcp',
        port: 22,
        state: 'open',
        service: { name: 'ssh', product: 'OpenSSH', version: '9.6', cpe: [] },
      },
      { protocol: 'tcp', port: 8080, state: 'open', service: { name: 'http', cpe: [] } },
    ];
    ingestPortScan(store, next, result('ports', [nas(changed)], 20), at(21));
    const cmp = compareScans(store.scans.snapshot(old)!, store.scans.snapshot(next)!);
    expect(cmp.newPorts.map((p) => p.port)).toEqual([8080]);
    expect(cmp.removedPorts.map((p) => p.port)).toEqual([443]);
    expect(cmp.serviceChanges.map((c) => [c.port, c.before?.version, c.after?.version])).toEqual([
      [22, '9.2p1', '9.6'],
    ]);
  });

  it('reads damaged rows as no ports', () => {
    const id = store.scans.start('ports', ['10.213.1.5'], 'manual', null, at(10));
    ingestPortScan(store, id, result('ports', [nas(ports)], 10), at(11));
    for (const bad of ['{', '"x"', '[["tcp"], ["icmp", 1, "open"], 7]']) {
      store.db.prepare('UPDATE scan_hosts SET ports = ? WHERE scan_id = ?').run(bad, id);
      expect(store.scans.get(id)?.hosts[0]?.ports).toEqual([]);
    }
  });
});
