/**
 * Notifications and webhooks about findings follow the order used everywhere: known exploited first, then
 * severity, then CVSS. The NAS of issue 15 (Apache 2.4.49 + OpenSSH 7.2p2) is assessed by the real threat
 * assessor over a temp-file SQLite store with the shipped CVE data; its threat changes go, in the order the
 * service emits them on the bus, to the real Alerts module with the fake HA websocket server (real protocol) and a
 * loopback webhook receiver.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/alerts.js';
import type { HaLink } from '../../src/ha/link.js';
import { connectHa } from '../../src/ha/websocket.js';
import type { Change, DevicePort } from '../../src/inventory/types.js';
import { createThreatAssessor } from '../../src/service/threatAssessor.js';
import { FindingsRepo } from '../../src/store/findingsRepo.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { escapeMarkdown } from '../../src/util/text.js';
import { SEVERITY_RANK } from '../../src/vocabulary.js';
import { type Harness, MACS, makeHarness } from '../helpers/apiFixtures.js';
import { FakeHaServer } from '../helpers/fakeHaServer.js';

const T = '2026-12-01T00:00:00.000Z';
const nasPorts: DevicePort[] = [
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
    version: '2.4.49',
    cpe: ['cpe:/a:apache:http_server:2.4.49'],
    firstSeen: T,
    lastSeen: T,
  },
];

interface After {
  cve: string | null;
  known_exploited: boolean;
  severity: keyof typeof SEVERITY_RANK;
  cvss: number | null;
}

let h: Harness;
let ha: FakeHaServer;
let link: HaLink;
let rx: Server;
let rxUrl: string;
const hooks: Array<{ message: string; event_type: string }> = [];
let changes: Change[];

function makeAlerts(): Alerts {
  return new Alerts({
    db: h.store.db,
    clock: new ManualClock(Date.parse('2026-12-01T12:00:00Z')),
    logger: silentLogger,
    ha: link,
    notifyServices: ['notify.mobile_app_pixel_8'],
    trustDevice: () => {},
    getDevice: (mac) => h.store.devices.get(mac),
    flood: { max: 1000, windowSec: 600 },
    webhookBaseDelayMs: 5,
  });
}

/** Emit like the service's bus does: every change handed over in order, not awaited one by one. */
async function emit(alerts: Alerts, list: Change[]): Promise<void> {
  await Promise.all(list.map((c) => alerts.handleChange(c)));
}

beforeAll(async () => {
  h = await makeHarness();
  const assessor = createThreatAssessor({
    store: h.store,
    db: h.store.db,
    findings: new FindingsRepo(h.store.db),
    logger: silentLogger,
  });
  h.store.devices.setPorts(MACS.nas, nasPorts);
  changes = assessor.assess([MACS.nas], new Date()).changes.filter((c) => c.type === 'threat_detected');
  ha = await FakeHaServer.start({ token: 'tok', services: ['notify.mobile_app_pixel_8'] });
  link = await connectHa({ url: ha.url, token: 'tok', logger: silentLogger });
  rx = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      hooks.push(JSON.parse(body) as { message: string; event_type: string });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  rxUrl = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  link?.close();
  await ha?.close();
  await new Promise((r) => rx?.close(r));
  await h?.close();
});

describe('findings → notifications and webhooks, known exploited first', () => {
  it('the assessor emits the NAS threat changes known exploited first, then severity, then CVSS', () => {
    const after = changes.map((c) => c.after as unknown as After);
    expect(after.length).toBeGreaterThan(30);
    const kev = after.filter((a) => a.known_exploited).map((a) => a.cve);
    expect(kev).toContain('CVE-2021-41773');
    // every known-exploited change comes before every other one
    expect(after.findIndex((a) => !a.known_exploited)).toBe(kev.length);
    for (let i = kev.length + 1; i < after.length; i++) {
      const [p, q] = [after[i - 1]!, after[i]!];
      const bySeverity = SEVERITY_RANK[p.severity] - SEVERITY_RANK[q.severity];
      expect(
        bySeverity > 0 || (bySeverity === 0 && (p.cvss ?? -1) >= (q.cvss ?? -1)),
        `${p.cve} before ${q.cve}`,
      ).toBe(true);
    }
  });

  it('with a dedup window (the default rules) the one notification and the one webhook name a known-exploited CVE', async () => {
    const alerts = makeAlerts();
    await alerts.start();
    for (const r of alerts.rules.listRules()) alerts.rules.deleteRule(r.id);
    const hook = alerts.webhooks.create({ name: 'receiver', url: rxUrl }, new Date());
    alerts.rules.createRule(
      {
        name: 'findings',
        enabled: true,
        types: ['threat_detected'],
        minSeverity: 'info',
        channels: ['ha', 'webhook'],
        webhookIds: [hook.id],
        dedupWindowSec: 3600,
      },
      new Date(),
    );
    await emit(alerts, changes);
    await alerts.stop();
    const phone = ha.calls.filter((c) => c.service === 'mobile_app_pixel_8');
    expect(phone).toHaveLength(1);
    const kevCves = changes
      .map((c) => c.after as unknown as After)
      .filter((a) => a.known_exploited)
      .map((a) => a.cve!);
    const named = (text: string) => kevCves.some((c) => text.includes(c));
    expect(named(String(phone[0]!.service_data.message)), String(phone[0]!.service_data.message)).toBe(true);
    expect(hooks).toHaveLength(1);
    expect(named(hooks[0]!.message), hooks[0]!.message).toBe(true);
    expect(alerts.rules.list({ limit: 500 }).filter((e) => e.status === 'suppressed_dedup').length).toBe(
      changes.length - 1,
    );
  });

  it('without dedup every notification goes out, known-exploited ones first', async () => {
    ha.calls.length = 0;
    hooks.length = 0;
    const alerts = makeAlerts();
    await alerts.start();
    for (const r of alerts.rules.listRules()) alerts.rules.deleteRule(r.id);
    alerts.rules.createRule(
      {
        name: 'every finding',
        enabled: true,
        types: ['threat_detected'],
        minSeverity: 'info',
        channels: ['ha'],
        dedupWindowSec: 0,
      },
      new Date(),
    );
    await emit(alerts, changes);
    await alerts.stop();
    const messages = ha.calls
      .filter((c) => c.service === 'mobile_app_pixel_8')
      .map((c) => String(c.service_data.message));
    expect(messages).toHaveLength(changes.length);
    const kevCount = changes.filter((c) => (c.after as unknown as After).known_exploited).length;
    // HA renders the notification as Markdown: the text arrives escaped (issue 13), reading back as the change message
    expect(messages).toEqual(changes.map((c) => escapeMarkdown(c.message)));
    expect(messages.slice(0, kevCount).every((m) => m.includes('CVE-2021-4') || m.includes('CVE-'))).toBe(
      true,
    );
    expect(messages.findIndex((m) => m.includes('CVE-2021-41773'))).toBeLessThan(kevCount);
  });
});
