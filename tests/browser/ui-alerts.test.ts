// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * Alert history and rule preview in real Chromium (issue 14), served by `buildApp` behind the ingress-style
 * proxy over a seeded SQLite store whose changes went through the real Alerts service: the history page lists
 * what fired with its delivery, filters, acknowledges and exports CSV (formula-safe); the rule editor says
 * "Would have fired N times in the last 7 days" — the same N as the API — and follows edits.
 * Screenshots: artifacts/screenshots/alerts-*.png, rules-preview-*.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/alerts.js';
import { alertsPort, webhooksPort } from '../../src/api/adapters.js';
import { buildApp } from '../../src/api/app.js';
import { INGRESS_PEER } from '../../src/api/auth.js';
import type { AlertRulePreviewJson } from '../../src/api/schemas.js';
import { AlertsRepo } from '../../src/store/alertsRepo.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { WebhooksRepo } from '../../src/store/webhooksRepo.js';
import { systemClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { type IngressProxy, startIngressProxy } from '../helpers/ingressProxy.js';
import { HOSTILE_NAME, SEED_MACS, type Seeded, seedDb } from '../helpers/seedDb.js';
import {
  CHROMIUM,
  chromiumAvailable,
  ensureUiBuilt,
  LAUNCH_ARGS,
  SHOTS,
  UI_DIR,
} from '../helpers/uiBrowser.js';

if (!chromiumAvailable && process.env.CI === 'true')
  throw new Error(`alert UI tests need Chromium at ${CHROMIUM}; refusing to skip under CI`);
const describeBrowser = chromiumAvailable ? describe : describe.skip;

const FORMULA = '=HYPERLINK("http://evil.example","x")';

describeBrowser('alert history and rule preview in Chromium', () => {
  let seeded: Seeded;
  let app: FastifyInstance;
  let proxy: IngressProxy;
  let browser: Browser;
  let alerts: Alerts;
  const errors: string[] = [];

  async function open(page: Page, hash: string) {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${proxy.url}${hash}`);
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureUiBuilt();
    seeded = seedDb({ extraDevices: 3 });
    const { store } = seeded;
    const db = store.db;
    store.devices.update(SEED_MACS.printer, { name: FORMULA });
    alerts = new Alerts({
      db,
      clock: systemClock,
      logger: silentLogger,
      ha: null,
      notifyServices: [],
      trustDevice: () => {},
      getDevice: (mac) => store.devices.get(mac),
      // the broker "refuses" port_opened events: one failed delivery in the history
      onAlert: (e) => {
        if (e.event_type === 'port_opened') throw new Error('broker offline');
      },
    });
    await alerts.start();
    const repo = new AlertsRepo(db);
    repo.createRule(
      { name: 'Open ports', types: ['port_opened'], channels: ['mqtt'], dedupWindowSec: 0 },
      new Date(),
    );
    // every seeded change through the live alert path, oldest first
    const changes = store.changes.list({ limit: 1000 }).items.reverse();
    for (const c of changes) await alerts.handleChange(c);
    app = await buildApp({
      store,
      alerts: alertsPort(repo, alerts, { changes: store.changes, device: (mac) => store.devices.get(mac) }),
      webhooks: webhooksPort(new WebhooksRepo(db), alerts),
      keys: new KeysRepo(db),
      audit: new AuditRepo(db),
      bus: new EventBus(),
      scanner: {
        requestSweep: () => ({ queued: true }),
        requestPortScanAll: () => ({ queued: true }),
        requestDeviceScan: () => ({ queued: true }),
        status: () => ({ running: false, kind: null, queue: 0 }),
      },
      logger: silentLogger,
      clock: systemClock,
      uiDir: UI_DIR,
      version: '0.0.0-test',
      config: {
        mode: 'addon',
        ingressOnly: true,
        requireApiKey: false,
        settingsSummary: {},
        rateLimitPerMinute: 100_000,
      },
    } as Parameters<typeof buildApp>[0]);
    app.server.on('connection', (socket) =>
      Object.defineProperty(socket, 'remoteAddress', { value: INGRESS_PEER, configurable: true }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    proxy = await startIngressProxy({ host: '127.0.0.1', port: (app.server.address() as AddressInfo).port });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.close();
    await alerts?.stop();
    seeded?.close();
  });

  const apiGet = async <T>(path: string): Promise<T> => {
    const r = await app.inject({
      method: 'GET',
      url: path,
      remoteAddress: INGRESS_PEER,
      headers: { 'x-ingress-path': '/api/hassio_ingress/x' },
    });
    return r.json() as T;
  };

  it('lists what fired with its delivery, filters, acknowledges and exports CSV', async () => {
    const all = await apiGet<{ total: number }>('/api/alerts?limit=1');
    expect(all.total).toBeGreaterThanOrEqual(4);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    const page = await ctx.newPage();
    await open(page, '#/alerts');
    const rows = page.locator('ls-alerts-page tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(all.total);
    const text = await page.locator('ls-alerts-page table').innerText();
    expect(text).toContain('Failed');
    expect(text).toContain('broker offline');
    expect(text).toContain('New devices');
    expect(text).toContain(HOSTILE_NAME);
    // the hostile device name is text, never markup
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, 'alerts-desktop.png'), fullPage: false });

    // filter: failed deliveries only
    await page.locator('ls-alerts-page select[aria-label="Delivery"]').selectOption('failed');
    await expect
      .poll(() => rows.count(), { timeout: 10_000 })
      .toBe((await apiGet<{ total: number }>('/api/alerts?delivery=failed&limit=1')).total);
    expect(await rows.first().innerText()).toContain('Open ports');
    expect(await rows.first().locator('[data-testid="delivery"]').innerText()).toBe('Failed');
    // the CSV link carries the filters
    expect(await page.locator('ls-alerts-page a[data-testid="csv"]').getAttribute('href')).toMatch(
      /^api\/alerts\.csv\?.*delivery=failed/,
    );

    // acknowledge it
    await rows.first().getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => rows.first().innerText(), { timeout: 10_000 }).toMatch(/Acknowledged/);
    const acked = await apiGet<{ total: number }>('/api/alerts?delivery=failed&status=acked&limit=1');
    expect(acked.total).toBe(1);

    // device filter: a bad MAC is refused in place, a good one filters
    await page.locator('ls-alerts-page select[aria-label="Delivery"]').selectOption('');
    const mac = page.locator('ls-alerts-page input[aria-label="Device MAC"]');
    await mac.fill('not-a-mac');
    await expect
      .poll(() => page.locator('ls-alerts-page [role="alert"]').innerText(), { timeout: 5_000 })
      .toMatch(/not a MAC address/);
    await mac.fill(SEED_MACS.printer.toUpperCase());
    const printerTotal = (await apiGet<{ total: number }>(`/api/alerts?mac=${SEED_MACS.printer}&limit=1`))
      .total;
    expect(printerTotal).toBeGreaterThan(0);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(printerTotal);

    // the CSV the browser downloads: formula cells neutralised
    const download = page.waitForEvent('download');
    await page.locator('ls-alerts-page a[data-testid="csv"]').click();
    const file = await (await download).path();
    expect(file && existsSync(file)).toBe(true);
    const csv = await page.evaluate(
      async (href) => (await fetch(href)).text(),
      (await page.locator('ls-alerts-page a[data-testid="csv"]').getAttribute('href')) ?? '',
    );
    expect(csv).toContain(`"'${FORMULA.replace(/"/g, '""')}"`);
    expect(csv).not.toMatch(/(^|,)"=/m);
    expect(csv.trim().split('\r\n')).toHaveLength(1 + printerTotal);

    // the phone layout
    await page.setViewportSize({ width: 390, height: 844 });
    await mac.fill('');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(all.total);
    await page.screenshot({ path: join(SHOTS, 'alerts-phone.png'), fullPage: false });
    expect(proxy.outside).toEqual([]);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);

  it('the rule editor says how often the rule would have fired in the last 7 days, and follows edits', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    const page = await ctx.newPage();
    await open(page, '#/rules');
    const rules = (await apiGet<{ items: Array<{ id: number; name: string }> }>('/api/alert-rules')).items;
    const newDevices = rules.find((r) => r.name === 'New devices');
    expect(newDevices).toBeDefined();
    const saved = await apiGet<AlertRulePreviewJson>(`/api/alert-rules/${newDevices?.id}/preview`);
    expect(saved.fired).toBeGreaterThan(0);
    // the list column
    const row = page.locator('ls-rules-page tbody tr', { hasText: 'New devices' });
    await expect
      .poll(() => row.locator('[data-testid="rule-fired-7d"]').innerText(), { timeout: 15_000 })
      .toBe(saved.fired === 1 ? '1 time' : `${saved.fired} times`);
    // the editor
    await row.getByRole('button', { name: 'Edit' }).click();
    const preview = page.locator('ls-rules-page [data-testid="rule-preview"]');
    await expect
      .poll(() => preview.innerText(), { timeout: 10_000 })
      .toContain(
        `Would have fired ${saved.fired === 1 ? '1 time' : `${saved.fired} times`} in the last 7 days`,
      );
    await page.screenshot({ path: join(SHOTS, 'rules-preview-edit.png'), fullPage: false });
    // raise the minimum severity to critical: nothing seeded is critical → 0
    await page.locator('ls-rules-page select[name="min_severity"]').selectOption('critical');
    await expect.poll(() => preview.innerText(), { timeout: 10_000 }).toContain('Would have fired 0 times');
    // add port_opened: the preview counts both types, as the API does for the same draft
    await page.locator('ls-rules-page select[name="min_severity"]').selectOption('info');
    await page.locator('ls-rules-page input[name="events"][value="port_opened"]').check();
    const both = (
      await app.inject({
        method: 'POST',
        url: '/api/alert-rules/preview',
        remoteAddress: INGRESS_PEER,
        headers: { 'x-ingress-path': '/api/hassio_ingress/x' },
        payload: { events: ['new_device', 'port_opened'], channels: ['ha_notify', 'webhook', 'mqtt_event'] },
      })
    ).json() as AlertRulePreviewJson;
    expect(both.fired).toBeGreaterThan(saved.fired);
    await expect
      .poll(() => preview.innerText(), { timeout: 10_000 })
      .toContain(`Would have fired ${both.fired} times`);
    // a finding kind cannot trigger a rule yet: the preview says why instead of a number
    await page.locator('ls-rules-page input[name="events"][value="risky_port"]').check();
    await expect.poll(() => preview.innerText(), { timeout: 10_000 }).toMatch(/No preview: .*risky_port/);
    await page.locator('ls-rules-page input[name="events"][value="risky_port"]').uncheck();
    await expect.poll(() => preview.innerText(), { timeout: 10_000 }).toContain('Would have fired');
    await page.screenshot({ path: join(SHOTS, 'rules-preview-both.png'), fullPage: false });
    expect(errors.filter((e) => !/400|Bad Request/.test(e))).toEqual([]);
    await ctx.close();
  }, 120_000);
});
