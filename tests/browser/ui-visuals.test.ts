// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * The pictures in real Chromium: the overview's trend charts, the network map (the seeded LAN and 250 devices),
 * the device page with its kind, and a port scan in progress (the real ScanCoordinator driving the fake nmap
 * binary slowly, so the progress bar can be seen moving). Desktop and phone, light and dark; screenshots in
 * artifacts/screenshots/visual-*.png. The map's render time is reported (artifacts/ui-visuals.json), never
 * asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/agent.js';
import { loadAgentOptions } from '../../src/agent/config.js';
import { findingsPort } from '../../src/api/adapters.js';
import { buildApp } from '../../src/api/app.js';
import { SessionAuth } from '../../src/api/session.js';
import { AgentHub } from '../../src/hub/agents.js';
import { lookupVendor } from '../../src/inventory/vendor.js';
import { MqttPublisher } from '../../src/mqtt/client.js';
import type { ScanHost } from '../../src/scan/types.js';
import { ScanCoordinator } from '../../src/service/scanCoordinator.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { FindingsRepo } from '../../src/store/findingsRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { systemClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { startAedes, waitFor } from '../helpers/aedesBroker.js';
import { SEED_MACS, type Seeded, seedDb } from '../helpers/seedDb.js';
import {
  CHROMIUM,
  chromiumAvailable,
  ensureUiBuilt,
  LAUNCH_ARGS,
  ROOT,
  SHOTS,
  UI_DIR,
} from '../helpers/uiBrowser.js';

if (!chromiumAvailable && process.env.CI === 'true')
  throw new Error(`UI browser tests need Chromium at ${CHROMIUM}; refusing to skip under CI`);

const FAKE_NMAP = join(ROOT, 'tests/fixtures/bin/nmap');

interface Svc {
  url: string;
  seeded: Seeded;
  bus: EventBus;
  sessions: SessionAuth;
  coordinator: ScanCoordinator;
  close(): Promise<void>;
}

/** The standalone service over a seeded store, with a real coordinator that runs the fake nmap. */
async function start(extraDevices: number, scanGenerated = false): Promise<Svc> {
  const seeded = seedDb({ extraDevices, scanGenerated });
  const store = seeded.store;
  const bus = new EventBus(() => {});
  const hosts: Record<string, string> = {};
  for (const d of store.devices.all()) if (d.online && d.ip) hosts[d.ip] = d.mac;
  Object.assign(process.env, {
    FAKE_NMAP_MODE: 'hosts',
    FAKE_NMAP_HOSTS: JSON.stringify(hosts),
    FAKE_NMAP_STEP_MS: '250',
  });
  const coordinator = new ScanCoordinator({
    store,
    bus,
    clock: systemClock,
    logger: silentLogger,
    targets: () => ({ targets: ['10.213.0.0/22'], exclude: [], attached: true }),
    settings: {
      nmapPath: FAKE_NMAP,
      privileged: true,
      considerHome: 180,
      portProfile: 'top100',
      ports: [],
      sweepTimeoutMs: 20_000,
      hostTimeoutSec: 5,
      portScanPauseMs: 600,
      portScanBatch: 2,
      dnsTimeoutMs: 100,
      gatewayIp: () => '10.213.0.1',
    },
    resolver: async () => [],
  });
  const sessions = new SessionAuth();
  const app = await buildApp({
    store,
    findings: findingsPort(new FindingsRepo(store.db)),
    keys: new KeysRepo(store.db),
    audit: new AuditRepo(store.db),
    sessions,
    bus,
    scanner: coordinator,
    network: { gatewayIp: () => '10.213.0.1', subnets: () => ['10.213.0.0/22'] },
    config: {
      mode: 'standalone',
      requireApiKey: false,
      settingsSummary: { targets: ['10.213.0.0/22'] },
      rateLimitPerMinute: 100_000,
    },
    logger: silentLogger,
    clock: systemClock,
    uiDir: UI_DIR,
    version: '0.0.0-test',
    sseHeartbeatMs: 2000,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
  return {
    url,
    seeded,
    bus,
    sessions,
    coordinator,
    async close() {
      await coordinator.stop();
      await app.close();
      seeded.close();
    },
  };
}

/** a phone in dark mode (the screenshots' small-screen case) */
const PHONE_DARK = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  colorScheme: 'dark',
} as const;

const describeBrowser = chromiumAvailable ? describe : describe.skip;

describeBrowser('pictures: trends, map, kinds, scan progress', () => {
  let browser: Browser;
  let lan: Svc;
  let big: Svc;
  const errors: string[] = [];
  const figures: Record<string, number> = {};

  async function signedIn(svc: Svc, ctx: BrowserContext, hash: string): Promise<Page> {
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${svc.url}login?token=${svc.sessions.issueLoginToken()}`);
    await page.goto(`${svc.url}${hash}`);
    return page;
  }

  const shot = (page: Page, name: string, fullPage = false) =>
    page.screenshot({ path: join(SHOTS, `visual-${name}.png`), fullPage });

  /**
   * The map's draw time: from the moment both the data and the chart library were there to the graph on the
   * canvas (`ls-chart-drawn`); `cold` adds the lazy library load. Read from the page's performance marks.
   */
  async function mapTimes(page: Page): Promise<{ draw: number; cold: number }> {
    await expect
      .poll(() => page.evaluate(() => performance.getEntriesByName('ls-chart-drawn:network-map').length), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    return page.evaluate(() => {
      const at = (n: string) => performance.getEntriesByName(n).pop()?.startTime ?? 0;
      const data = at('ls-map-data');
      const lib = at('ls-chart-lib:network-map');
      const drawn = at('ls-chart-drawn:network-map');
      return { draw: Math.round(drawn - Math.max(data, lib)), cold: Math.round(drawn - data) };
    });
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureUiBuilt();
    lan = await start(20);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await lan?.close();
    await big?.close();
    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    writeFileSync(join(ROOT, 'artifacts/ui-visuals.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log('UI visuals figures:', figures);
  });

  it('overview trends: desktop light/dark and phone', async () => {
    for (const [name, opts] of [
      ['overview-light', { viewport: { width: 1280, height: 1000 }, colorScheme: 'light' }],
      ['overview-dark', { viewport: { width: 1280, height: 1000 }, colorScheme: 'dark' }],
      [
        'overview-phone',
        { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, colorScheme: 'light' },
      ],
    ] as const) {
      const ctx = await browser.newContext(opts);
      const page = await signedIn(lan, ctx, '#/');
      await expect.poll(() => page.locator('ls-trends ls-chart canvas').count(), { timeout: 20_000 }).toBe(4);
      // the 90-day window asks for day points
      await page.locator('ls-trends button', { hasText: '90 days' }).click();
      await expect
        .poll(() => page.locator('ls-trends figcaption').first().innerText(), { timeout: 10_000 })
        .toContain('devices online');
      await page.locator('ls-trends').scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      await shot(page, name, name === 'overview-phone');
      // recent changes are summaries: at most two lines each (long remediation texts made a 6,800 px phone page)
      const tallest = await page.locator('ls-dashboard li.change .msg').evaluateAll((els) =>
        Math.max(
          ...els.map((e) => {
            const el = e as unknown as { clientHeight: number };
            const lh = Number.parseFloat(
              (
                globalThis as unknown as { getComputedStyle(x: unknown): { lineHeight: string } }
              ).getComputedStyle(e).lineHeight,
            );
            return el.clientHeight / lh;
          }),
        ),
      );
      expect(tallest).toBeLessThanOrEqual(2.05);
      const overflow = await page.evaluate(() => {
        const g = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return g.document.documentElement.scrollWidth - g.innerWidth;
      });
      expect(overflow).toBeLessThanOrEqual(1);
      await ctx.close();
    }
  }, 120_000);

  it('map of the seeded LAN: gateway, kinds, search, click opens the device', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const page = await signedIn(lan, ctx, '#/map');
    const t = await mapTimes(page);
    figures.map_seeded_draw_ms = t.draw;
    figures.map_seeded_first_view_ms = t.cold;
    const devices = lan.seeded.store.devices.query({ limit: 1 }).total;
    // every device but the gateway is a device node; the gateway is the centre
    await expect.poll(() => page.locator('ls-map-page h1').innerText()).toContain(`(${devices - 1} devices)`);
    await page.waitForTimeout(200);
    await shot(page, 'map-lan-light');
    await page.locator('ls-map-page input[type="search"]').fill('camera');
    await expect
      .poll(() => page.locator('ls-map-page [role="status"]').innerText())
      .toMatch(/[1-9]\d* found/);
    await page.waitForTimeout(300);
    await shot(page, 'map-lan-search');
    // a click on a device node: the page opens that device (ECharts hands the node's data to the page)
    await page.locator('ls-map-page ls-chart').evaluate((el, mac) => {
      el.dispatchEvent(new CustomEvent('chart-click', { detail: { id: mac } }));
    }, SEED_MACS.camera);
    await expect.poll(() => decodeURIComponent(page.url())).toContain(`#/devices/${SEED_MACS.camera}`);
    await ctx.close();
    const dark = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const dp = await signedIn(lan, dark, '#/map');
    await mapTimes(dp);
    await dp.waitForTimeout(200);
    await shot(dp, 'map-lan-dark');
    await dark.close();
  }, 120_000);

  it('map of 250 devices: readable, and how long it takes to draw', async () => {
    big = await start(245, true);
    const total = big.seeded.store.devices.query({ limit: 1 }).total;
    expect(total).toBeGreaterThanOrEqual(250);
    for (const [name, opts] of [
      ['map-250-light', { viewport: { width: 1440, height: 1000 }, colorScheme: 'light' }],
      ['map-250-dark', { viewport: { width: 1440, height: 1000 }, colorScheme: 'dark' }],
      [
        'map-250-phone',
        { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, colorScheme: 'dark' },
      ],
    ] as const) {
      const ctx = await browser.newContext(opts);
      const page = await signedIn(big, ctx, '#/map');
      const t = await mapTimes(page);
      if (name === 'map-250-light') {
        // the map's own data as the page gets it: 250 devices in every risk colour, some not scanned yet
        const risks = await page.evaluate(async () => {
          const r = await fetch('api/map', { credentials: 'same-origin' });
          const m = (await r.json()) as { nodes: { type: string; risk: string | null }[] };
          const c: Record<string, number> = {};
          for (const n of m.nodes) if (n.type === 'device') c[String(n.risk)] = (c[String(n.risk)] ?? 0) + 1;
          return c;
        });
        console.log('[ui-visuals] map of 250: devices per risk', JSON.stringify(risks));
        for (const level of ['critical', 'high', 'none', 'unknown'])
          expect(risks[level] ?? 0).toBeGreaterThan(5);
      }
      figures[`${name}_draw_ms`] = t.draw;
      figures[`${name}_first_view_ms`] = t.cold;
      // warm: a search redraws the whole graph with the library loaded
      await page.locator('ls-map-page input[type="search"]').fill('10.213.1.1');
      await expect.poll(() => page.locator('ls-map-page [role="status"]').innerText()).toContain('found');
      await page.waitForTimeout(300);
      figures[`${name}_search_redraw_ms`] = await page.evaluate(() => {
        const search = performance.getEntriesByName('ls-map-search').pop()?.startTime ?? 0;
        const drawn = performance.getEntriesByName('ls-chart-drawn:network-map').pop()?.startTime ?? 0;
        return Math.round(drawn - search);
      });
      await page.locator('ls-map-page input[type="search"]').fill('');
      await page.waitForTimeout(400);
      await shot(page, name);
      await ctx.close();
    }
  }, 120_000);

  it('map with a satellite agent: the agent is its own branch, its VLAN and devices under it', async () => {
    // the real path: an Agent (scripted scanner) uploads a sweep of its VLAN through a broker (aedes) to the
    // hub's AgentHub, which ingests it into the service's store
    const broker = await startAedes();
    const pub = new MqttPublisher({ url: broker.url, statusTopic: 'lan_sentinel/status' });
    const hub = new AgentHub({
      mqtt: pub,
      store: lan.seeded.store,
      bus: lan.bus,
      clock: systemClock,
      logger: silentLogger,
      known: ['iot'],
      ctx: { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: 'test' },
      considerHome: 180,
      lookupVendor,
    });
    const vlan: ScanHost[] = [
      ['24:0a:c4:20:00:01', 'esp-plug'],
      ['24:0a:c4:20:00:02', 'esp-light'],
      ['5c:aa:fd:20:00:03', 'sonos-kitchen'],
      ['f4:f5:d8:20:00:04', 'nest-hall'],
      ['00:17:88:20:00:05', 'hue-bridge'],
      ['c8:2b:96:20:00:06', 'tuya-sensor'],
    ].map(([mac, name], i) => ({
      ip: `10.213.200.${10 + i}`,
      mac: mac as string,
      hostnames: [`${name}.iot.lan`],
      status: 'up' as const,
      ports: [],
      portsScanned: false,
    }));
    const agent = new Agent({
      options: loadAgentOptions(
        [
          ...['--agent-id', 'iot', '--mqtt-url', broker.url, '--subnets', '10.213.200.0/24'],
          ...['--sweep-interval', '3600', '--port-scan-schedule', '', '--no-scan-new-devices'],
        ],
        {},
      ),
      scan: async (kind, targets) => {
        const at = Date.now();
        return {
          ok: true,
          result: {
            kind,
            targets,
            startedAt: new Date(at - 2000),
            finishedAt: new Date(at),
            hosts: vlan,
            hostsUp: vlan.length,
            hostsTotal: 254,
          },
        };
      },
      clock: systemClock,
      logger: silentLogger,
      version: 'test',
    });
    try {
      await hub.start();
      pub.start();
      await pub.waitConnected();
      agent.start();
      await waitFor(() => agent.stats().acked === 1, 'the agent sweep ingested and acknowledged', 15_000);
      await hub.idle();
      for (const h of vlan) expect(lan.seeded.store.agents.agentOf(h.mac!)).toBe('iot');
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
      const page = await signedIn(lan, ctx, '#/map');
      await mapTimes(page);
      // what is drawn: the graph's own nodes and links as the chart holds them
      const drawn = await page.locator('ls-map-page ls-chart').evaluate((el) => {
        const chart = (
          el as unknown as {
            chart: {
              getOption(): {
                series: Array<{
                  data: Array<{
                    id: string;
                    name: string;
                    x: number;
                    y: number;
                    label?: { formatter?: unknown };
                  }>;
                  links: Array<{ source: string; target: string }>;
                }>;
              };
            };
          }
        ).chart;
        const s = chart.getOption().series[0]!;
        // the label as drawn (a formatter function when it has a second line)
        const text = (d: (typeof s.data)[number]) =>
          typeof d.label?.formatter === 'function' ? String((d.label.formatter as () => string)()) : d.name;
        return {
          nodes: s.data.map((d) => ({ id: d.id, name: d.name, text: text(d), x: d.x, y: d.y })),
          links: s.links,
        };
      });
      const node = (id: string) => drawn.nodes.find((n) => n.id === id);
      const agentNode = node('agent:iot');
      expect(agentNode?.name).toBe('Agent iot');
      // its health and device count on the map, next to its name
      expect(agentNode?.text).toBe(`Agent iot\nonline · ${vlan.length} devices`);
      // the branch: gateway - agent - the agent's VLAN - its devices
      expect(drawn.links).toContainEqual({ source: 'agent:iot', target: 'gateway' });
      expect(drawn.links).toContainEqual({ source: 'subnet:10.213.200.0/24', target: 'agent:iot' });
      expect(drawn.links.filter((l) => l.target === 'agent:iot').map((l) => l.source)).toEqual([
        'subnet:10.213.200.0/24',
      ]);
      for (const h of vlan) {
        expect(node(h.mac!), h.mac).toBeDefined();
        expect(drawn.links).toContainEqual({ source: h.mac, target: 'subnet:10.213.200.0/24' });
      }
      // the hub's own LAN stays on the gateway, not under the agent
      expect(drawn.links).toContainEqual({ source: 'subnet:10.213.0.0/22', target: 'gateway' });
      // placed between the gateway (0,0) and its VLAN's cluster
      const vlanNode = node('subnet:10.213.200.0/24')!;
      expect(Math.hypot(agentNode!.x, agentNode!.y)).toBeLessThan(Math.hypot(vlanNode.x, vlanNode.y));
      // the agent's health is on the map: its label says online and how many devices it reports
      const m = await page.evaluate(async () => {
        const r = await fetch('api/map', { credentials: 'same-origin' });
        return (await r.json()) as { nodes: Array<{ id: string; online: boolean | null; devices: number }> };
      });
      expect(m.nodes.find((n) => n.id === 'agent:iot')).toMatchObject({ online: true, devices: vlan.length });
      await page.waitForTimeout(300);
      await shot(page, 'map-agent-light');
      await ctx.close();
      const dark = await browser.newContext(PHONE_DARK);
      const dp = await signedIn(lan, dark, '#/map');
      await mapTimes(dp);
      await dp.waitForTimeout(300);
      await shot(dp, 'map-agent-phone-dark');
      await dark.close();
    } finally {
      await agent.stop();
      await hub.stop();
      await pub.close(1000);
      await broker.close();
    }
  }, 120_000);

  it('device page with its kind, and a port scan in progress (overview and scan page)', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
    const page = await signedIn(lan, ctx, `#/devices/${SEED_MACS.nas}`);
    await expect
      .poll(() => page.locator('#device-kind').innerText(), { timeout: 15_000 })
      .toMatch(/NAS|sure|set by you/);
    // first seen 3 hours ago: the presence bar opens on 24 h (not a sliver at the end of 7 days); a pick sticks
    const pressed = () => page.locator('#sec-presence button[aria-pressed="true"]').innerText();
    await expect.poll(pressed).toBe('24 h');
    await page.locator('#sec-presence button', { hasText: '7 days' }).click();
    await expect.poll(pressed).toBe('7 days');
    await page.locator('#sec-presence button', { hasText: '24 h' }).click();
    await shot(page, 'device-light', true);
    // a port scan of every online device in batches of 2 with pauses: minutes of progress to look at
    const r = lan.coordinator.request?.({ kind: 'ports', reason: 'ui' });
    const id = r?.scanId;
    expect(id).toBeGreaterThan(0);
    await page.goto(`${lan.url}#/`);
    await expect
      .poll(() => page.locator('ls-dashboard ls-scan-progress').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('ls-dashboard ls-scan-progress .line').first().innerText(), {
        timeout: 20_000,
      })
      .toMatch(/[1-9]\d*\s*(of|\/)\s*\d+/);
    await shot(page, 'scan-progress-overview');
    await page.goto(`${lan.url}#/scans/${id}`);
    await expect
      .poll(() => page.locator('ls-scan-page ls-scan-progress').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.waitForTimeout(1200);
    await shot(page, 'scan-progress-page');
    await ctx.close();
    const dark = await browser.newContext(PHONE_DARK);
    const dp = await signedIn(lan, dark, `#/scans/${id}`);
    await expect
      .poll(() => dp.locator('ls-scan-page ls-scan-progress').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await shot(dp, 'scan-progress-phone-dark');
    await dp.goto(`${lan.url}#/devices/${SEED_MACS.camera}`);
    await expect.poll(() => dp.locator('#device-kind').count(), { timeout: 15_000 }).toBe(1);
    await shot(dp, 'device-phone-dark', true);
    await dark.close();
  }, 120_000);

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
