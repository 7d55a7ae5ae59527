/**
 * Finding groups, accepts (mutes) and expected ports through the real API, the real threat assessor (shipped
 * CVE data) and a temp-file SQLite store: the NAS of issue 15 (Apache 2.4.49 + OpenSSH 7.2p2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsPort } from '../../src/api/adapters.js';
import type { FindingsPort } from '../../src/api/ports.js';
import type { AcceptJson, FindingGroupJson, List } from '../../src/api/schemas.js';
import { deviceState } from '../../src/ha/states.js';
import { ingestSweep } from '../../src/inventory/ingestSweep.js';
import type { Change, DevicePort } from '../../src/inventory/types.js';
import { createThreatAssessor } from '../../src/service/threatAssessor.js';
import { FindingsRepo } from '../../src/store/findingsRepo.js';
import { type Harness, host, INGRESS, MACS, makeHarness, result } from '../helpers/apiFixtures.js';

let h: Harness;
let repo: FindingsRepo;
let real: FindingsPort;
const emitted: Change[] = [];
// the harness builds the app before the store exists for us: delegate to the real port once it does
const lazy: FindingsPort = {
  list: (q) => real.list(q),
  groups: (q) => real.groups(q),
  accepts: (m) => real.accepts(m),
  accept: (a, by, now) => real.accept(a, by, now),
  revoke: (id, now) => real.revoke(id, now),
  expectedPorts: (m) => real.expectedPorts(m),
  setExpectedPorts: (m, p, now) => real.setExpectedPorts(m, p, now),
  activeCountByMac: (m) => real.activeCountByMac(m),
  activeCountBySeverity: () => real.activeCountBySeverity(),
  tls: (m) => real.tls(m),
};

const T = '2026-12-01T00:00:00.000Z';
const nasPorts = (apache: string): DevicePort[] => [
  {
    protocol: 'tcp',
    port: 22,
    service: 'ssh',
    product: 'OpenSSH',
    version: '7.2p2',
    cpe: ['cpe:/a:openbsd:openssh:7.2p2'],
    firstSeen: T,
    lastSeen: T,
  },
  {
    protocol: 'tcp',
    port: 80,
    service: 'http',
    product: 'Apache httpd',
    version: apache,
    extrainfo: '(Unix)',
    cpe: [`cpe:/a:apache:http_server:${apache}`],
    firstSeen: T,
    lastSeen: T,
  },
];

const get = (url: string) => h.app.inject({ method: 'GET', url, ...INGRESS });
const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  h.app.inject({ method, url, ...INGRESS, ...(payload !== undefined ? { payload: payload as object } : {}) });
const groups = async (q = '') =>
  (await get(`/api/findings/groups?mac=${MACS.nas}${q}`)).json() as List<FindingGroupJson>;
const risk = () => h.store.devices.get(MACS.nas)!;

let assess: (mac: string) => void;
beforeAll(async () => {
  h = await makeHarness({ deps: { findings: lazy } });
  repo = new FindingsRepo(h.store.db);
  const threats = createThreatAssessor({
    store: h.store,
    db: h.store.db,
    findings: repo,
    logger: (await import('../../src/util/logger.js')).silentLogger,
  });
  assess = (mac) => {
    const r = threats.assess([mac], new Date());
    emitted.push(...r.changes);
  };
  real = findingsPort(repo, { db: h.store.db, reassess: assess });
  h.store.devices.setPorts(MACS.nas, nasPorts('2.4.49'));
  assess(MACS.nas);
});
afterAll(async () => {
  await h.close();
});

describe('finding groups', () => {
  it('the NAS shows at most 3 groups, CVE-2021-41773 in the first, no ssh-agent CVE', async () => {
    const all = (await get('/api/findings?mac=' + MACS.nas + '&limit=500')).json() as List<{
      cve: string | null;
    }>;
    const g = await groups();
    expect(all.total).toBeGreaterThan(30); // one card per CVE before grouping
    expect(g.total).toBeLessThanOrEqual(3);
    expect(g.items[0]!.findings.map((f) => f.cve)).toContain('CVE-2021-41773');
    expect(g.items[0]!.title).toMatch(
      /^Update Apache httpd 2\.4\.49 to 2\.4\.\d+ or newer — fixes \d+ CVEs, \d known exploited$/,
    );
    expect(g.items[0]!.device_name).toBe('NAS');
    const cves = g.items.flatMap((x) => x.findings.map((f) => f.cve));
    expect(cves).not.toContain('CVE-2023-38408');
    expect(cves).not.toContain('CVE-2016-10009');
    // known exploited first inside the group, then severity, then CVSS
    const kev = g.items[0]!.findings.map((f) => f.known_exploited);
    expect(kev.indexOf(false)).toBeGreaterThan(kev.lastIndexOf(true));
    // module-dependent CVEs are marked and weigh less
    const mod = g.items.flatMap((x) => x.findings).find((f) => f.component === 'module');
    expect(mod?.part).toBeTruthy();
    expect(mod!.confidence).toBeLessThan(1);
  });

  it('the HA threats attribute lists the groups, under 16 KiB, every known-exploited CVE kept', () => {
    const s = deviceState(risk(), repo.forDevice(MACS.nas));
    expect(s.threats.length).toBeLessThanOrEqual(3);
    expect(s.threats[0]!.cves).toContain('CVE-2021-41773');
    expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThan(16 * 1024);
  });

  it('rejects bad queries', async () => {
    expect((await get('/api/findings/groups?accepted=maybe')).statusCode).toBe(400);
  });
});

describe('accepts', () => {
  it('accepting a group drops the risk, is listed as accepted and audited; a new version brings it back', async () => {
    const before = risk();
    expect(before.risk).toBe('critical');
    const first = (await groups()).items[0]!;
    const countBefore = repo.activeCountsByMac([MACS.nas]).get(MACS.nas)!;
    const threatsBefore = repo.activeCountAtLeast('medium');
    const bad = await send('POST', '/api/findings/accepts', {
      mac: MACS.nas,
      scope: 'group',
      target: first.key,
    });
    expect(bad.statusCode).toBe(400); // no reason
    const missing = await send('POST', '/api/findings/accepts', {
      mac: MACS.nas,
      scope: 'group',
      target: 'cve:nope',
      reason: 'x',
    });
    expect(missing.statusCode).toBe(404);
    const r = await send('POST', '/api/findings/accepts', {
      mac: MACS.nas,
      scope: 'group',
      target: first.key,
      reason: 'LAN only, firmware update scheduled',
    });
    expect(r.statusCode).toBe(201);
    const a = r.json() as AcceptJson;
    expect(a.version).toBe('2.4.49');
    const after = risk();
    expect(after.riskScore).toBeLessThan(before.riskScore);
    const g = await groups();
    expect(g.items.at(-1)).toMatchObject({ key: first.key, accepted: true });
    expect(g.items[0]!.accepted).toBe(false);
    expect((await groups('&accepted=exclude')).items.map((x) => x.key)).not.toContain(first.key);
    expect(repo.activeCountsByMac([MACS.nas]).get(MACS.nas)).toBe(countBefore - first.findings.length);
    const mediumUp = first.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info').length;
    expect(repo.activeCountAtLeast('medium')).toBe(threatsBefore - mediumUp); // hub threats_active
    expect(deviceState(after, repo.forDevice(MACS.nas)).threats.map((t) => t.key)).not.toContain(first.key);
    expect(h.audit.list({ action: 'finding.accept', target: MACS.nas }).total).toBe(1);
    expect(
      ((await get('/api/findings/accepts')).json() as List<AcceptJson>).items.map((x) => x.id),
    ).toContain(a.id);

    // the banner version changes: the group is back and the risk with it
    h.store.devices.setPorts(MACS.nas, nasPorts('2.4.50'));
    assess(MACS.nas);
    const back = await groups();
    expect(back.items[0]!.accepted).toBe(false);
    expect(back.items[0]!.version).toBe('2.4.50');
    expect(risk().risk).toBe('critical');
    // the accept ended with the version: the old version returning does not mute again
    expect(
      ((await get('/api/findings/accepts')).json() as List<AcceptJson>).items.map((x) => x.id),
    ).not.toContain(a.id);
  });

  it('an accept with an expiry stops applying after it; revoke brings findings back at once', async () => {
    h.store.devices.setPorts(MACS.nas, nasPorts('2.4.49'));
    assess(MACS.nas);
    const first = (await groups()).items[0]!;
    const past = await send('POST', '/api/findings/accepts', {
      mac: MACS.nas,
      scope: 'group',
      target: first.key,
      reason: 'r',
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(400);
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const r = await send('POST', '/api/findings/accepts', {
      mac: MACS.nas,
      scope: 'group',
      target: first.key,
      reason: 'until tonight',
      expires_at: soon,
    });
    expect(r.statusCode).toBe(201);
    const id = (r.json() as AcceptJson).id;
    expect(repo.forDevice(MACS.nas).filter((f) => f.accepted).length).toBe(first.findings.length);
    const later = new Date(Date.now() + 2 * 3_600_000);
    expect(repo.forDevice(MACS.nas, later).filter((f) => f.accepted).length).toBe(0);
    const scoreMuted = risk().riskScore;
    expect((await send('DELETE', `/api/findings/accepts/${id}`)).statusCode).toBe(200);
    expect(risk().riskScore).toBeGreaterThan(scoreMuted);
    expect((await send('DELETE', `/api/findings/accepts/${id}`)).statusCode).toBe(404);
  });

  it('accepting one finding mutes only it', async () => {
    const first = (await groups()).items[0]!;
    const f = first.findings[0]!;
    const r = await send('POST', '/api/findings/accepts', {
      mac: MACS.nas,
      scope: 'finding',
      target: f.key,
      reason: 'mitigated by WAF',
    });
    expect(r.statusCode).toBe(201);
    const g = (await groups()).items.find((x) => x.key === first.key)!;
    expect(g.accepted_count).toBe(1);
    expect(g.accepted).toBe(false);
    expect(g.findings.at(-1)!.accepted?.reason).toBe('mitigated by WAF');
  });
});

describe('expected ports', () => {
  it('"accept what is open now", then a newly opened port raises unexpected_port', async () => {
    const put = await send('PUT', `/api/devices/${MACS.nas}/expected-ports`, { from_current: true });
    expect(put.statusCode).toBe(200);
    expect(put.json().ports).toEqual(['tcp/22', 'tcp/80']);
    expect((await get(`/api/devices/${MACS.nas}/expected-ports`)).json().ports).toEqual(['tcp/22', 'tcp/80']);
    emitted.length = 0;
    h.store.devices.setPorts(MACS.nas, [
      ...nasPorts('2.4.49'),
      { protocol: 'tcp', port: 4444, service: 'krb524', cpe: [], firstSeen: T, lastSeen: T },
    ]);
    assess(MACS.nas);
    expect(emitted.map((c) => c.type)).toContain('unexpected_port');
    const g = (await groups()).items.find((x) => x.kind === 'unexpected_port');
    expect(g?.findings[0]?.port).toBe(4444);
    // by hand: 4444 allowed now, the finding resolves
    const hand = await send('PUT', `/api/devices/${MACS.nas}/expected-ports`, {
      ports: ['tcp/22', 'tcp/80', 'tcp/4444'],
    });
    expect(hand.statusCode).toBe(200);
    expect((await groups()).items.find((x) => x.kind === 'unexpected_port')).toBeUndefined();
    expect(h.audit.list({ action: 'device.expected_ports', target: MACS.nas }).total).toBe(2);
  });

  it('rejects bad port keys naming what is allowed', async () => {
    const r = await send('PUT', `/api/devices/${MACS.nas}/expected-ports`, { ports: ['22', 'tcp/70000'] });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('tcp/<port>');
    expect(
      (await send('PUT', `/api/devices/00:00:00:00:00:09/expected-ports`, { from_current: true })).statusCode,
    ).toBe(404);
  });
});

describe('finding device names', () => {
  it('a device with no name or hostname is named as everywhere else ("Synology NAS .11"), not null', async () => {
    const mac = '00:11:32:aa:bb:02';
    const now = new Date();
    const id = h.store.scans.start('sweep', ['10.213.0.0/24'], 'schedule', null, now);
    ingestSweep(h.store, id, result('sweep', now, [host('10.213.0.11', mac)]), {
      now,
      considerHome: 180,
      gatewayIp: '10.213.0.1',
      lookupVendor: () => 'Synology Incorporated',
    });
    h.store.devices.setPorts(mac, nasPorts('2.4.49'));
    assess(mac);
    const device = (await get(`/api/devices/${mac}`)).json() as {
      display_name: string;
      hostname: string | null;
    };
    expect(device.hostname).toBeNull();
    expect(device.display_name).toMatch(/^Synology .*\.11$/);
    const list = (await get(`/api/findings?mac=${mac}&limit=5`)).json() as List<{ device_name: string }>;
    expect(list.items.length).toBeGreaterThan(0);
    for (const f of list.items) expect(f.device_name).toBe(device.display_name);
    const g = (await get(`/api/findings/groups?mac=${mac}`)).json() as List<FindingGroupJson>;
    expect(g.items[0]!.device_name).toBe(device.display_name);
  });
});
