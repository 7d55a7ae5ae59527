import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_PEER } from '../../src/api/auth.js';
import { SessionAuth } from '../../src/api/session.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { systemClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { type IngressProxy, startIngressProxy } from '../helpers/ingressProxy.js';
import { HOSTILE_NAME, SEED_MACS, SEED_NAMES, type Seeded, seedDb } from '../helpers/seedDb.js';
import {
  CHROMIUM,
  chromiumAvailable,
  ensureUiBuilt,
  LAUNCH_ARGS,
  ROOT,
  SHOTS,
  UI_DIR,
} from '../helpers/uiBrowser.js';

const available = chromiumAvailable;
if (!available && process.env.CI === 'true') {
  throw new Error(
    `ingress UI browser tests need Chromium at ${CHROMIUM} (set CHROMIUM_PATH); refusing to skip under CI`,
  );
}

const CLI_TOKEN = `lst_${'u'.repeat(43)}`;

interface Service {
  seeded: Seeded;
  proxy: IngressProxy;
  /** the standalone listener (login link; API checks from the test with the CLI token) */
  direct: string;
  sessions: SessionAuth;
  scanRequests: string[];
  close(): Promise<void>;
}

async function startService(extraDevices: number): Promise<Service> {
  const { buildApp } = await import('../../src/api/app.js');
  const seeded = seedDb({ extraDevices });
  const scanRequests: string[] = [];
  const accepted = (what: string) => {
    scanRequests.push(what);
    // a real scanner answers every queued request with the id of its one scan record
    return { queued: true, position: 1, scanId: 1000 + scanRequests.length };
  };
  const { findingsPort } = await import('../../src/api/adapters.js');
  const { FindingsRepo } = await import('../../src/store/findingsRepo.js');
  const { localCvePort } = await import('../../src/service/cveFeeds.js');
  const { loadCveRules } = await import('../../src/threats/feedImport.js');
  const db = seeded.store.db;
  const deps = {
    store: seeded.store,
    findings: findingsPort(new FindingsRepo(db)),
    // the Settings page's CVE data card reads api/cve (the running service always has it)
    cve: localCvePort({ db, dataDir: seeded.dir, countRules: () => loadCveRules(db).length }),
    keys: new KeysRepo(seeded.store.db),
    audit: new AuditRepo(seeded.store.db),
    bus: new EventBus(),
    scanner: {
      requestSweep: (reason: string) => accepted(`sweep:${reason}`),
      requestPortScanAll: (reason: string) => accepted(`ports:${reason}`),
      requestDeviceScan: (mac: string, reason: string) => accepted(`device:${mac}:${reason}`),
      status: () => ({ running: false, kind: null, queue: 0 }),
    },
    // one satellite agent (DESIGN §16), as the hub's AgentHub lists it
    agents: {
      list: () => [
        {
          id: 'iot',
          configured: true,
          firstSeen: '2026-08-20T10:00:00.000Z',
          lastResultAt: new Date().toISOString(),
          lastRefusal: null,
          state: {
            online: true,
            health: 'online',
            last_heartbeat: new Date().toISOString(),
            last_sweep: new Date().toISOString(),
            last_error: null,
            version: '0.1.0',
            subnets: ['10.213.9.0/24'],
            devices: 7,
            devices_online: 6,
            queue_pending: 0,
            queue_dropped: 2,
            results: 42,
            refused: 1,
          },
        },
      ],
      scanNow: () => true,
      agentOf: () => null,
    },
    logger: silentLogger,
    clock: systemClock,
    uiDir: UI_DIR,
    version: '0.0.0-test',
    sseHeartbeatMs: 2000,
  };
  const settingsSummary = { sweep_interval: 60, consider_home: 180, subnets: ['10.213.0.0/22'] };
  // The add-on's ingress listener: only the Supervisor (172.30.32.2) can connect to it. The Supervisor cannot
  // run here, so every connection to this listener is given the Supervisor's peer address; the ingress-style
  // proxy adds X-Ingress-Path like HA does.
  const app = await buildApp({
    ...deps,
    config: {
      mode: 'addon',
      ingressOnly: true,
      requireApiKey: false,
      settingsSummary,
      // one HA user drives every page here; the limiter is tested by the API's own suite
      rateLimitPerMinute: 100_000,
    },
  });
  app.server.on('connection', (socket) =>
    Object.defineProperty(socket, 'remoteAddress', { value: INGRESS_PEER, configurable: true }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const proxy = await startIngressProxy({ host: '127.0.0.1', port });
  // Standalone: the same data served with the one-time login link and the CLI token (for checks from here)
  const sessions = new SessionAuth();
  const standalone = await buildApp({
    ...deps,
    sessions,
    cliToken: CLI_TOKEN,
    config: { mode: 'standalone', requireApiKey: false, settingsSummary, rateLimitPerMinute: 100_000 },
  });
  await standalone.listen({ host: '127.0.0.1', port: 0 });
  const standalonePort = (standalone.server.address() as AddressInfo).port;
  return {
    seeded,
    proxy,
    direct: `http://127.0.0.1:${standalonePort}/`,
    sessions,
    scanRequests,
    async close() {
      await proxy.close();
      await app.close();
      await standalone.close();
      seeded.close();
    },
  };
}

/**
 * Visible text of an element including every nested shadow root (innerText stops at shadow hosts).
 * Text nodes are concatenated, element boundaries become spaces, whitespace is collapsed.
 */
function deepText(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((root) => {
      type N = {
        nodeType: number;
        nodeName: string;
        data?: string;
        childNodes: ArrayLike<N>;
        shadowRoot?: N | null;
      };
      const walk = (n: N): string => {
        if (n.nodeType === 3) return n.data ?? '';
        if (n.nodeType !== 1 && n.nodeType !== 11) return '';
        if (n.nodeName === 'STYLE' || n.nodeName === 'SCRIPT' || n.nodeName === 'TEMPLATE') return '';
        const kids = Array.from((n.shadowRoot ?? n).childNodes);
        const inner = kids.map(walk).join('');
        return n.nodeType === 1 ? ` ${inner} ` : inner;
      };
      return walk(root as unknown as N)
        .replace(/\s+/g, ' ')
        .trim();
    });
}

/** Canvases ECharts drew inside the overview's trend charts (Playwright's CSS pierces shadow roots). */
function trendCanvases(page: Page): Promise<number> {
  return page.locator('ls-trends ls-chart canvas').count();
}

const describeBrowser = available ? describe : describe.skip;

describeBrowser('ingress UI in Chromium behind an ingress-style prefix', () => {
  let browser: Browser;
  let svc: Service;
  const consoleErrors: string[] = [];
  const figures: Record<string, number> = {};

  async function openPage(ctx: BrowserContext, hash: string): Promise<Page> {
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(`${svc.proxy.url}${hash}`);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureUiBuilt();
    svc = await startService(20);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
    if (Object.keys(figures).length) {
      mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
      writeFileSync(join(ROOT, 'artifacts/ui-perf.json'), `${JSON.stringify(figures, null, 2)}\n`);
      console.log('ingress UI figures:', figures);
    }
  });

  it('the devices table shows the seeded devices, search narrows it, hostile names stay text', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    const page = await openPage(ctx, '#/devices');
    const rows = page.locator('table#devices tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(svc.seeded.deviceCount);
    const tableText = await page.locator('table#devices').textContent();
    expect(tableText).toContain(SEED_NAMES.nas);
    expect(tableText).toContain(SEED_NAMES.camera);
    expect(tableText).toContain(SEED_MACS.phone);

    // The hostile name is shown literally and never becomes markup.
    const hostileRow = page.locator(`tr[data-mac="${SEED_MACS.hostile}"]`);
    await expect.poll(() => hostileRow.textContent()).toContain(HOSTILE_NAME);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)).toBeUndefined();

    await page.screenshot({ path: join(SHOTS, 'ui-devices-light.png'), fullPage: false });

    await page.locator('input[type="search"]').fill('living-room');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    expect(await rows.first().textContent()).toContain(SEED_NAMES.nas);
    // The view is reflected in the URL (reload-safe).
    expect(page.url()).toContain('#/devices?q=living-room');

    await page.locator('input[type="search"]').fill('no-such-device-xyz');
    await expect.poll(() => deepText(page, 'ls-state'), { timeout: 10_000 }).toContain('No device matches');
    await ctx.close();
  });

  it('the device page renames a device and the API returns the new name', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
    const page = await openPage(ctx, `#/devices/${SEED_MACS.nas}`);
    await expect
      .poll(() => page.locator('#device-name').textContent(), { timeout: 15_000 })
      .toBe(SEED_NAMES.nas);
    const body = await deepText(page, 'ls-device-page');
    expect(body).toContain('445/tcp');
    expect(body).toContain('Samba smbd 4.19');
    expect(body).toContain('10.213.0.10');

    await page.locator('#rename').click();
    await page.locator('#name-input').fill('NAS (renamed by test)');
    await page.locator('form.rename button[type="submit"]').click();
    await expect
      .poll(() => page.locator('#device-name').textContent(), { timeout: 10_000 })
      .toBe('NAS (renamed by test)');

    const res = await fetch(`${svc.direct}api/devices/${SEED_MACS.nas}`, {
      headers: { authorization: `Bearer ${CLI_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const device = (await res.json()) as { name: string | null; display_name: string };
    expect(device.name).toBe('NAS (renamed by test)');

    // Rescan goes to the scanner through the API.
    await page.getByRole('button', { name: 'Rescan ports' }).click();
    await expect.poll(() => svc.scanRequests.some((r) => r.startsWith(`device:${SEED_MACS.nas}`))).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'ui-device-light.png'), fullPage: true });
    await ctx.close();
  });

  it('a randomized device is explained as a private MAC', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await openPage(ctx, `#/devices/${SEED_MACS.phone}`);
    await expect
      .poll(() => deepText(page, 'ls-device-page'), { timeout: 15_000 })
      .toContain('Private/randomized MAC');
    await ctx.close();
  });

  it('compare shows the new port and the service change between two port scans', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'dark' });
    const { ports1, ports2 } = svc.seeded.scanIds;
    const page = await openPage(ctx, `#/scans/compare/${ports1}/${ports2}`);
    await expect
      .poll(() => deepText(page, 'ls-compare-page'), { timeout: 15_000 })
      .toContain('New ports (1)');
    const text = await deepText(page, 'ls-compare-page');
    expect(text).toMatch(/NEW\s*445\/tcp/i);
    expect(text).toContain('OpenSSH 8.9p1');
    expect(text).toContain('OpenSSH 9.6p1');
    await page.screenshot({ path: join(SHOTS, 'ui-compare-dark.png'), fullPage: true });
    await ctx.close();
  });

  it('overview renders (light and dark) and "Scan now" reaches the scanner', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: scheme });
      const page = await openPage(ctx, '#/');
      await expect.poll(() => deepText(page, 'ls-dashboard'), { timeout: 15_000 }).toContain('online now');
      // SSE connects (the brand dot turns green when the EventSource is open).
      await page.locator('nav .dot.open').waitFor({ timeout: 10_000 });
      // the trend charts: four ECharts canvases drawn from the seeded rollups
      await expect.poll(() => trendCanvases(page), { timeout: 20_000 }).toBe(4);
      expect(await deepText(page, 'ls-trends')).toContain('devices online');
      await page.screenshot({ path: join(SHOTS, `ui-dashboard-${scheme}.png`) });
      if (scheme === 'light') {
        await page.getByRole('button', { name: 'Scan now' }).click();
        await expect.poll(() => svc.scanRequests.some((r) => r.startsWith('sweep:'))).toBe(true);
      }
      await ctx.close();
    }
    const darkCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
    const dark = await openPage(darkCtx, '#/devices');
    await expect
      .poll(() => dark.locator('table#devices tbody tr').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await dark.screenshot({ path: join(SHOTS, 'ui-devices-dark.png') });
    await darkCtx.close();
  }, 90_000);

  it('works at phone width: the table collapses into cards', async () => {
    const ctx = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await openPage(ctx, '#/devices');
    const rows = page.locator('table#devices tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.locator('table#devices thead').isVisible()).toBe(false);
    // No horizontal scrolling of the page itself.
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as {
        innerWidth: number;
        document: { documentElement: { scrollWidth: number } };
      };
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(SHOTS, 'ui-devices-phone.png') });
    await page.goto(`${svc.proxy.url}#/devices/${SEED_MACS.camera}`);
    await expect
      .poll(() => page.locator('#device-name').textContent(), { timeout: 15_000 })
      .toBe(SEED_NAMES.camera);
    await page.screenshot({ path: join(SHOTS, 'ui-device-phone.png'), fullPage: true });
    await ctx.close();
  });

  it('every other page loads without errors', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await openPage(ctx, '#/');
    for (const [hash, el, text] of [
      ['#/scans', 'ls-scans-page', 'Sweep now'],
      [`#/scans/${svc.seeded.scanIds.ports2}`, 'ls-scan-page', '10.213.0.10'],
      ['#/changes', 'ls-changes-page', 'New device'],
      ['#/findings', 'ls-findings-page', 'Telnet is open'],
      ['#/audit', 'ls-audit-page', 'device.update'],
      ['#/keys', 'ls-keys-page', 'No API keys'],
      ['#/settings', 'ls-settings-page', 'sweep_interval'],
      ['#/settings', 'ls-settings-page', '6 online / 7'],
    ] as const) {
      await page.evaluate((h) => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = h;
      }, hash);
      await expect.poll(() => deepText(page, el), { timeout: 10_000 }).toContain(text);
    }
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/changes';
    });
    await expect
      .poll(() => page.locator('ls-changes-page ul.changes li').count(), { timeout: 10_000 })
      .toBeGreaterThan(5);
    await ctx.close();
  });

  it('reports the first render time with 1,000 devices', async () => {
    const big = await startService(1000);
    try {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      for (const [label, hash, rowsExpected] of [
        ['first_render_1000_devices_page100_ms', '#/devices', 100],
        ['first_render_1000_devices_page500_ms', '#/devices?limit=500', 500],
      ] as const) {
        const page = await ctx.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
        });
        const t0 = Date.now();
        await page.goto(`${big.proxy.url}${hash}`);
        await page.locator(`table#devices tbody tr >> nth=${rowsExpected - 1}`).waitFor({ timeout: 30_000 });
        figures[label] = Date.now() - t0;
        // In-page breakdown: when the devices response finished vs when the rows were on screen.
        const timing = await page.evaluate(() => {
          const now = performance.now();
          const api = performance
            .getEntriesByType('resource')
            .filter((e) => e.name.includes('api/devices?'))
            .pop() as { requestStart: number; responseEnd: number } | undefined;
          const mark = (n: string) => performance.getEntriesByName(n).pop()?.startTime ?? null;
          return {
            now,
            apiStart: api?.requestStart ?? null,
            apiEnd: api?.responseEnd ?? null,
            rendered: mark('ls-devices-rendered'),
            painted: mark('ls-devices-painted'),
          };
        });
        if (timing.rendered !== null) figures[`${label}_lit_rendered_at_ms`] = Math.round(timing.rendered);
        if (timing.painted !== null) figures[`${label}_painted_at_ms`] = Math.round(timing.painted);
        figures[`${label}_in_page`] = Math.round(timing.now);
        if (timing.apiEnd !== null && timing.apiStart !== null) {
          figures[`${label}_api_ms`] = Math.round(timing.apiEnd - timing.apiStart);
          figures[`${label}_render_after_data_ms`] = Math.round(timing.now - timing.apiEnd);
        }
        expect(await page.locator('h1').first().textContent()).toContain(`(${big.seeded.deviceCount})`);
        await page.close();
      }
      // Sorting the 1,000-device inventory by IP (numeric) and paging stays quick.
      const page = await ctx.newPage();
      await page.goto(`${big.proxy.url}#/devices?limit=500`);
      await page.locator('table#devices tbody tr >> nth=499').waitFor({ timeout: 30_000 });
      const t1 = Date.now();
      await page.locator('th button', { hasText: 'IP' }).click();
      await expect
        .poll(() => page.locator('table#devices tbody tr >> nth=0').getAttribute('data-mac'))
        .toBe(SEED_MACS.gateway);
      figures.sort_by_ip_500_rows_ms = Date.now() - t1;
      expect(big.proxy.outside).toEqual([]);
      await ctx.close();
    } finally {
      await big.close();
    }
  });

  it('standalone: without signing in the UI says how; the printed login link signs the browser in', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${svc.direct}#/devices`);
    await expect.poll(() => deepText(page, 'body'), { timeout: 15_000 }).toContain('login link');
    expect(await page.locator('table#devices tbody tr').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'ui-standalone-signed-out.png') });
    // the link the service prints at start: one click, then the UI works with an HttpOnly session cookie
    await page.goto(`${svc.direct}login?token=${svc.sessions.issueLoginToken()}`);
    await page.goto(`${svc.direct}#/devices`);
    const rows = page.locator('table#devices tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(svc.seeded.deviceCount);
    const cookies = await ctx.cookies();
    expect(cookies.find((c) => c.name === 'lsn_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).not.toContain('lsn_session');
    // a write from the signed-in UI goes through (same origin, session cookie)
    await page.goto(`${svc.direct}#/devices/${SEED_MACS.camera}`);
    await page.getByRole('button', { name: 'Rescan ports' }).click();
    await expect
      .poll(() => svc.scanRequests.some((r) => r.startsWith(`device:${SEED_MACS.camera}`)))
      .toBe(true);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('made no request outside the ingress prefix and logged no console errors', () => {
    expect(svc.proxy.requests.length).toBeGreaterThan(10);
    expect(svc.proxy.requests.some((p) => p.startsWith(`${svc.proxy.prefix}api/events`))).toBe(true);
    expect(svc.proxy.requests.some((p) => p.startsWith(`${svc.proxy.prefix}assets/`))).toBe(true);
    expect(svc.proxy.outside).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
