/**
 * The built Lovelace card bundle in real Chromium (playwright-core): registration, config validation, the editor
 * schema, rendering from a fake `hass`, hostile strings, filters/search/sort, re-render discipline, 500 devices,
 * and light/dark screenshots in artifacts/screenshots/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hubDiscovery } from '../../src/ha/discovery.js';
import { DEFAULT_TOPIC_CTX as topicCtx } from '../../src/ha/topics.js';
import {
  deviceEntity,
  type FakeEntity,
  hubEntities,
  otherEntities,
  toStates,
} from '../helpers/cardFixtures.js';

/*
 * The page.evaluate callbacks run in Chromium, but this file is type-checked with the Node tsconfig (no DOM lib).
 * The few browser globals they touch are declared loosely here, in module scope (not globally).
 */
// biome-ignore lint/suspicious/noExplicitAny: browser globals, deliberately loose
type Loose = any;
declare const document: Loose;
declare const window: Loose;
declare const customElements: Loose;
declare const location: Loose;
type HTMLElement = Loose;
type HTMLInputElement = Loose;
type HTMLSelectElement = Loose;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = join(ROOT, 'frontend-card/dist/lan-sentinel-card.js');
const SHOTS = join(ROOT, 'artifacts/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') {
  throw new Error(
    `card browser tests need Chromium at ${CHROMIUM} (set CHROMIUM_PATH); refusing to skip under CI`,
  );
}

const LIGHT = `
  body { background: #fafafa; --primary-text-color: #212121; --secondary-text-color: #727272;
    --card-background-color: #fff; --divider-color: rgba(0,0,0,.12); --primary-color: #03a9f4;
    --secondary-background-color: #f5f5f5; --ha-card-border-radius: 12px; }`;
const DARK = `
  body { background: #111111; color-scheme: dark; --primary-text-color: #e1e1e1; --secondary-text-color: #9b9b9b;
    --card-background-color: #1c1c1c; --divider-color: rgba(225,225,225,.12); --primary-color: #03a9f4;
    --secondary-background-color: #282828; --ha-card-border-radius: 12px; --disabled-text-color: #6f6f6f; }`;

const PAGE = (theme: string) => `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; padding: 16px; font-family: Roboto, 'DejaVu Sans', sans-serif; } ${theme}
  #host { width: 460px; }</style></head>
  <body><div id="host"></div><script type="module" src="/lan-sentinel-card.js?v=1"></script></body></html>`;

let server: Server;
let base = '';
let browser: Browser;
let page: Page;
const figures: Record<string, number> = {};

async function buildBundle(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'frontend-card/vite.config.ts'],
    { cwd: ROOT, timeout: 120_000 },
  );
}

async function openPage(theme = LIGHT): Promise<void> {
  page = await browser.newPage({ viewport: { width: 520, height: 900 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${base}/?theme=${theme === DARK ? 'dark' : 'light'}`);
  await page.waitForFunction(() => !!customElements.get('lan-sentinel-card'));
}

/** Create (or reuse) the card in the page with config + states; resolves after the render. */
async function mount(config: Record<string, unknown>, entities: FakeEntity[]): Promise<void> {
  await page.evaluate(
    async ({ config, states }) => {
      const host = document.getElementById('host')!;
      host.replaceChildren();
      // biome-ignore lint/suspicious/noExplicitAny: the card API is untyped from the page's point of view
      const el = document.createElement('lan-sentinel-card') as any;
      el.setConfig({ type: 'custom:lan-sentinel-card', ...config });
      el.hass = { states, locale: { language: 'en' } };
      host.append(el);
      await el.updateComplete;
    },
    { config, states: toStates(entities) },
  );
}

/** Visible text of the card's shadow root (whitespace collapsed). */
async function cardText(): Promise<string> {
  return page.evaluate(() => {
    const el = document.querySelector('lan-sentinel-card')!;
    return (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim();
  });
}

async function rowNames(): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelector('lan-sentinel-card')!.shadowRoot!.querySelectorAll('.row .name .text')].map(
      (n) => n.textContent ?? '',
    ),
  );
}

async function click(selector: string): Promise<void> {
  await page.evaluate(async (sel) => {
    // biome-ignore lint/suspicious/noExplicitAny: page-side
    const el = document.querySelector('lan-sentinel-card') as any;
    (el.shadowRoot.querySelector(sel) as HTMLElement).click();
    await el.updateComplete;
  }, selector);
}

const describeBrowser = available ? describe : describe.skip;

describeBrowser('lan-sentinel-card in Chromium', () => {
  beforeAll(async () => {
    await buildBundle();
    const bundle = readFileSync(BUNDLE);
    figures.bundleBytes = statSync(BUNDLE).size;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/lan-sentinel-card.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(bundle);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE(url.searchParams.get('theme') === 'dark' ? DARK : LIGHT));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    console.log(`[card figures] ${JSON.stringify(figures)}`);
  });

  beforeEach(async () => {
    await page?.close();
    await openPage();
  });

  it('is one self-contained ES module (no imports, Lit bundled)', () => {
    const src = readFileSync(BUNDLE, 'utf8');
    expect(src).not.toMatch(/\bimport\s*[("'{*]/);
    expect(src).not.toContain('unsafeHTML');
    // Lit's production build (the dev build warns "Lit is in dev mode" and is ~30% larger).
    expect(src).not.toContain('dev mode');
    expect(figures.bundleBytes).toBeLessThan(150_000);
  });

  it('defines the element once and registers one picker entry, even when loaded twice', async () => {
    await page.addScriptTag({ url: '/lan-sentinel-card.js?v=2', type: 'module' });
    const info = await page.evaluate(() => ({
      defined: !!customElements.get('lan-sentinel-card'),
      cards: (window as unknown as { customCards: Record<string, unknown>[] }).customCards,
    }));
    expect(info.defined).toBe(true);
    expect(info.cards.filter((c) => c.type === 'lan-sentinel-card')).toEqual([
      {
        type: 'lan-sentinel-card',
        name: 'LAN Sentinel',
        description: expect.stringContaining('online'),
        preview: true,
        documentationURL: expect.stringMatching(/^https:\/\//),
      },
    ]);
  });

  it('exposes the card API: stub config, config form, card size and grid options', async () => {
    const api = await page.evaluate(() => {
      // biome-ignore lint/suspicious/noExplicitAny: page-side
      const Card = customElements.get('lan-sentinel-card') as any;
      const form = Card.getConfigForm();
      const names: string[] = [];
      const walk = (s: { name: string; schema?: unknown[] }[]) => {
        for (const i of s) {
          if (i.name) names.push(i.name);
          if (i.schema) walk(i.schema as { name: string }[]);
        }
      };
      walk(form.schema);
      let assertError = '';
      try {
        form.assertConfig({ type: 'custom:lan-sentinel-card', max_rows: -2 });
      } catch (e) {
        assertError = (e as Error).message;
      }
      const el = document.createElement('lan-sentinel-card') as unknown as {
        setConfig(c: unknown): void;
        getCardSize(): number;
        getGridOptions(): Record<string, unknown>;
      };
      const stub = Card.getStubConfig();
      el.setConfig({ type: 'custom:lan-sentinel-card', ...stub });
      return {
        names,
        label: form.computeLabel({ name: 'max_rows' }),
        assertError,
        stub,
        size: el.getCardSize(),
        grid: el.getGridOptions(),
        selectors: JSON.stringify(form.schema),
      };
    });
    expect(api.names).toEqual(
      expect.arrayContaining([
        'title',
        'default_filter',
        'sort',
        'max_rows',
        'show_offline',
        'compact',
        'addon_slug',
      ]),
    );
    expect(api.label).toMatch(/Rows/);
    expect(api.assertError).toBe('lan-sentinel-card: max_rows must be a positive integer, got -2');
    expect(api.stub).not.toHaveProperty('type');
    expect(api.size).toBeGreaterThanOrEqual(3);
    expect(api.grid).toMatchObject({ columns: 12, min_columns: 6 });
    expect(api.selectors).toContain('"select"');
  });

  it('setConfig rejects bad configs with readable messages and accepts HA-added keys', async () => {
    const errors = await page.evaluate(() => {
      const bad: unknown[] = [
        { max_rows: 0 },
        { max_rows: '5' },
        { max_rows: 2.5 },
        { default_filter: 'bogus' },
        { sort: 'mac' },
        { show_offline: 'yes' },
        { title: 42 },
        { addon_slug: '../etc' },
        { ingress_path: 'javascript:alert(1)' },
        { devices_online_entity: 'light.kitchen' },
      ];
      const el = document.createElement('lan-sentinel-card') as unknown as { setConfig(c: unknown): void };
      const out = bad.map((c) => {
        try {
          el.setConfig({ type: 'custom:lan-sentinel-card', ...(c as object) });
          return 'accepted';
        } catch (e) {
          return (e as Error).message;
        }
      });
      for (const c of [null, 'x', []]) {
        try {
          el.setConfig(c);
          out.push('accepted');
        } catch (e) {
          out.push((e as Error).message);
        }
      }
      let ok = 'accepted';
      try {
        el.setConfig({
          type: 'custom:lan-sentinel-card',
          grid_options: { columns: 12 },
          view_layout: { position: 'main' },
          visibility: [],
          max_rows: 25,
          ingress_path: '/app/abcd1234_lan_sentinel',
        });
      } catch (e) {
        ok = (e as Error).message;
      }
      return { out, ok };
    });
    expect(errors.out).toEqual([
      'lan-sentinel-card: max_rows must be a positive integer, got 0',
      'lan-sentinel-card: max_rows must be a positive integer, got "5"',
      'lan-sentinel-card: max_rows must be a positive integer, got 2.5',
      'lan-sentinel-card: default_filter must be one of all, online, offline, new, risky, got "bogus"',
      'lan-sentinel-card: sort must be one of name, ip, last_seen, risk, got "mac"',
      'lan-sentinel-card: show_offline must be true or false, got "yes"',
      'lan-sentinel-card: title must be a string, got 42',
      expect.stringMatching(/^lan-sentinel-card: addon_slug must be lower-case letters/),
      expect.stringMatching(/^lan-sentinel-card: ingress_path must be a path inside Home Assistant/),
      expect.stringMatching(/^lan-sentinel-card: devices_online_entity must be a sensor entity id/),
      'lan-sentinel-card: the card configuration must be a mapping',
      'lan-sentinel-card: the card configuration must be a mapping',
      'lan-sentinel-card: the card configuration must be a mapping',
    ]);
    expect(errors.ok).toBe('accepted');
  });

  it('shows a helpful empty state when no LAN Sentinel entities exist', async () => {
    await mount({}, otherEntities(20));
    const text = await cardText();
    expect(text).toContain('LAN Sentinel');
    expect(text).toContain('No devices from LAN Sentinel yet');
    expect(await rowNames()).toEqual([]);
  });

  it('handles unavailable hub sensors and restored/unavailable trackers', async () => {
    const restored: FakeEntity = {
      entity_id: 'device_tracker.lan_sentinel_aabbccddeeff',
      state: 'unavailable',
      attributes: { friendly_name: 'Old phone', restored: true },
      last_changed: '2026-11-21T12:00:00Z',
      last_updated: '2026-11-21T12:00:00Z',
    };
    await mount({}, [
      ...hubEntities('unavailable'),
      restored,
      deviceEntity(1, { name: 'Laptop', online: true }),
    ]);
    const text = await cardText();
    expect(text).toContain('LAN Sentinel is unavailable');
    expect(text).toMatch(/—\s?Online —\s?Known —\s?New —\s?Threats/);
    expect(await rowNames()).toEqual(['Laptop', 'Old phone']);
    const dot = await page.evaluate(
      () =>
        document
          .querySelector('lan-sentinel-card')!
          .shadowRoot!.querySelector('[data-entity="device_tracker.lan_sentinel_aabbccddeeff"] .status-dot')!
          .className,
    );
    expect(dot).toContain('unavailable');
  });

  it('renders hostile names as text and never executes them', async () => {
    const evil = '<img src=x onerror=window.__xss=1>';
    await mount({}, [
      deviceEntity(1, {
        name: evil,
        vendor: '<script>window.__xss=2</script>',
        hostname: '"><svg onload=window.__xss=3>',
        ip: '10.213.0.9<b>',
        online: true,
      }),
    ]);
    await page.waitForTimeout(200);
    const r = await page.evaluate(() => {
      const root = document.querySelector('lan-sentinel-card')!.shadowRoot!;
      return {
        xss: (window as unknown as { __xss?: number }).__xss,
        // the only SVG is the kind icon the card draws itself (no attribute from the network reaches it)
        imgs: root.querySelectorAll('img, script, svg:not(.kind-icon), svg[onload], b').length,
        name: root.querySelector('.row .name .text')?.textContent,
        sub: root.querySelector('.row .sub')?.textContent,
      };
    });
    expect(r.xss).toBeUndefined();
    expect(r.imgs).toBe(0);
    expect(r.name).toBe(evil);
    expect(r.sub).toContain('<script>window.__xss=2</script>');
    expect(r.sub).toContain('"><svg onload=window.__xss=3>');
  });

  it('summarises from the hub sensors and filters, searches and sorts the list', async () => {
    const devices = [
      deviceEntity(1, { name: 'Zeta cam', ip: '10.213.0.30', online: true, known: true, risk: 'high' }),
      deviceEntity(2, {
        name: 'alpha plug',
        ip: '10.213.0.4',
        online: true,
        known: false,
        risk: 'none',
        vendor: 'Espressif Inc.',
      }),
      deviceEntity(3, { name: 'Mid NAS', ip: '10.213.0.100', online: false, known: true, risk: 'low' }),
      deviceEntity(4, { name: 'Beta TV', ip: '10.213.0.25', online: false, known: false, risk: 'critical' }),
    ];
    await mount({ sort: 'name' }, [...hubEntities({ online: 2, known: 4, new: 2, threats: 3 }), ...devices]);
    expect(await cardText()).toMatch(/2\s?Online 4\s?Known 2\s?New 3\s?Threats/);
    expect(await rowNames()).toEqual(['alpha plug', 'Beta TV', 'Mid NAS', 'Zeta cam']);
    expect(await cardText()).toMatch(/All4 Online2 Offline2 New2 Risky2/);

    await click('[data-filter="online"]');
    expect(await rowNames()).toEqual(['alpha plug', 'Zeta cam']);
    await click('[data-filter="offline"]');
    expect(await rowNames()).toEqual(['Beta TV', 'Mid NAS']);
    await click('[data-filter="new"]');
    expect(await rowNames()).toEqual(['alpha plug', 'Beta TV']);
    await click('[data-filter="risky"]');
    expect(await rowNames()).toEqual(['Beta TV', 'Zeta cam']);
    await click('[data-tile="all"]');
    expect(await rowNames()).toHaveLength(4);

    const setSearch = (q: string) =>
      page.evaluate(async (q) => {
        // biome-ignore lint/suspicious/noExplicitAny: page-side
        const el = document.querySelector('lan-sentinel-card') as any;
        const input = el.shadowRoot.querySelector('input[type=search]') as HTMLInputElement;
        input.value = q;
        input.dispatchEvent(new Event('input'));
        await el.updateComplete;
      }, q);
    await setSearch('ESPRESSIF');
    expect(await rowNames()).toEqual(['alpha plug']);
    await setSearch('10.213.0.2');
    expect(await rowNames()).toEqual(['Beta TV']);
    await setSearch('nothing-matches');
    expect(await cardText()).toContain('No devices match.');
    await setSearch('');

    const setSort = (s: string) =>
      page.evaluate(async (s) => {
        // biome-ignore lint/suspicious/noExplicitAny: page-side
        const el = document.querySelector('lan-sentinel-card') as any;
        const sel = el.shadowRoot.querySelector('select') as HTMLSelectElement;
        sel.value = s;
        sel.dispatchEvent(new Event('change'));
        await el.updateComplete;
      }, s);
    await setSort('ip');
    expect(await rowNames()).toEqual(['alpha plug', 'Beta TV', 'Zeta cam', 'Mid NAS']);
    await setSort('risk');
    expect(await rowNames()).toEqual(['Beta TV', 'Zeta cam', 'Mid NAS', 'alpha plug']);
    await setSort('last_seen');
    expect((await rowNames()).slice(0, 2).sort()).toEqual(['Zeta cam', 'alpha plug']);
  });

  it('marks new what the hub counts new: an untrusted device that was acknowledged before is not new', async () => {
    const devices = [
      deviceEntity(1, { name: 'Fresh phone', online: true, known: false, is_new: true }),
      // trusted once (acknowledged), then untrusted again: not new, as the hub's devices_new says
      deviceEntity(2, { name: 'Old laptop', online: true, known: false, is_new: false }),
      deviceEntity(3, { name: 'NAS', online: true, known: true, is_new: false }),
    ];
    await mount({ sort: 'name' }, [...hubEntities({ online: 3, known: 3, new: 1, threats: 0 }), ...devices]);
    expect(await cardText()).toMatch(/New1/);
    await click('[data-filter="new"]');
    expect(await rowNames()).toEqual(['Fresh phone']);
  });
  it('honours show_offline, default_filter and max_rows with a show-all button', async () => {
    const devices = Array.from({ length: 12 }, (_, i) => deviceEntity(i + 1, { online: i < 8 }));
    await mount({ show_offline: false, max_rows: 5 }, devices);
    expect(await rowNames()).toHaveLength(5);
    expect(await cardText()).toContain('Show all 8 devices');
    await click('.more');
    expect(await rowNames()).toHaveLength(8);
    await mount({ default_filter: 'offline' }, devices);
    expect(await rowNames()).toHaveLength(4);
  });

  it('re-renders only when our entities change', async () => {
    const ours = Array.from({ length: 20 }, (_, i) => deviceEntity(i + 1));
    const others = otherEntities(300);
    await mount({ max_rows: 50 }, [
      ...hubEntities({ online: 1, known: 20, new: 0, threats: 0 }),
      ...ours,
      ...others,
    ]);
    const counts = await page.evaluate(async () => {
      // biome-ignore lint/suspicious/noExplicitAny: page-side
      const el = document.querySelector('lan-sentinel-card') as any;
      const start = el.renderCount;
      const states = el.hass.states;
      // 1) another entity changes: new hass + new states object, our state objects identical.
      el.hass = {
        ...el.hass,
        states: { ...states, 'sensor.other_1': { ...states['sensor.other_1'], state: 'x' } },
      };
      await el.updateComplete;
      const afterOther = el.renderCount;
      // 2) one of our trackers changes (new state object).
      const id = Object.keys(states).find((k) => k.startsWith('device_tracker.lan_sentinel_'))!;
      const s2 = {
        ...el.hass.states,
        [id]: { ...states[id], attributes: { ...states[id].attributes, name: 'Renamed' } },
      };
      el.hass = { ...el.hass, states: s2 };
      await el.updateComplete;
      const afterOurs = el.renderCount;
      // 3) a hub sensor changes.
      el.hass = {
        ...el.hass,
        states: {
          ...s2,
          'sensor.lan_sentinel_devices_online': { ...s2['sensor.lan_sentinel_devices_online'], state: '7' },
        },
      };
      await el.updateComplete;
      const afterHub = el.renderCount;
      // 4) a new tracker of ours appears.
      const extra = { ...states[id], entity_id: 'device_tracker.lan_sentinel_ffffffffffff' };
      el.hass = { ...el.hass, states: { ...el.hass.states, [extra.entity_id]: extra } };
      await el.updateComplete;
      return { start, afterOther, afterOurs, afterHub, afterNew: el.renderCount };
    });
    expect(counts.afterOther).toBe(counts.start);
    expect(counts.afterOurs).toBe(counts.start + 1);
    expect(counts.afterHub).toBe(counts.start + 2);
    expect(counts.afterNew).toBe(counts.start + 3);
    expect(await cardText()).toContain('Renamed');
    expect(await cardText()).toMatch(/7\s?Online/);
  });

  it('tap fires hass-more-info; the action opens the ingress panel', async () => {
    await mount({ addon_slug: 'local_lan_sentinel' }, [deviceEntity(5, { name: 'Printer', online: true })]);
    const r = await page.evaluate(async () => {
      // biome-ignore lint/suspicious/noExplicitAny: page-side
      const el = document.querySelector('lan-sentinel-card') as any;
      const got: unknown[] = [];
      window.addEventListener('hass-more-info', (e: Event) => got.push((e as CustomEvent).detail));
      window.addEventListener('location-changed', () => got.push(location.pathname));
      el.shadowRoot.querySelector('.row').click();
      el.shadowRoot.querySelector('.open').click();
      return got;
    });
    expect(r).toEqual([
      { entityId: 'device_tracker.lan_sentinel_240ac4000005' },
      // no hub device in hass.devices (e.g. an older frontend): the configured slug under /app/
      '/app/local_lan_sentinel',
    ]);
  });

  it("'Open' follows the hub device's configuration_url in hass.devices (the real slug)", async () => {
    // The hub's discovery payload exactly as the add-on publishes it, turned into the device-registry entry HA's
    // MQTT integration makes of it (identifiers → ["mqtt", id], configuration_url kept).
    const hub = hubDiscovery({
      ...topicCtx,
      swVersion: '1.0.0',
      ingressUrl: 'homeassistant://app/5c53de3b_lan_sentinel',
    });
    const dev = hub.payload.device as { identifiers: string[]; configuration_url?: string };
    expect(dev.configuration_url).toBe('homeassistant://app/5c53de3b_lan_sentinel');
    const devices = {
      a1: {
        id: 'a1',
        identifiers: [['mqtt', 'some_other_device']],
        configuration_url: 'homeassistant://app/other',
      },
      b2: {
        id: 'b2',
        identifiers: dev.identifiers.map((i) => ['mqtt', i]),
        configuration_url: dev.configuration_url,
      },
    };
    await mount({}, [deviceEntity(5, { name: 'Printer', online: true })]);
    const paths = await page.evaluate(async (devices: unknown) => {
      // biome-ignore lint/suspicious/noExplicitAny: page-side
      const el = document.querySelector('lan-sentinel-card') as any;
      const got: string[] = [];
      const onNav = () => got.push(location.pathname);
      window.addEventListener('location-changed', onNav);
      el.shadowRoot.querySelector('.open').click(); // no devices yet: default slug
      el.hass = { ...el.hass, devices };
      await el.updateComplete;
      el.shadowRoot.querySelector('.open').click();
      window.removeEventListener('location-changed', onNav);
      return got;
    }, devices);
    expect(paths).toEqual(['/app/lan_sentinel', '/app/5c53de3b_lan_sentinel']);
  });

  it('renders 500 devices quickly (figure reported, not asserted)', async () => {
    const devices = Array.from({ length: 500 }, (_, i) => deviceEntity(i + 1));
    const entities = [
      ...hubEntities({ online: 333, known: 500, new: 72, threats: 140 }),
      ...devices,
      ...otherEntities(1500),
    ];
    const ms = await page.evaluate(
      async ({ states }) => {
        const host = document.getElementById('host')!;
        // biome-ignore lint/suspicious/noExplicitAny: page-side
        const el = document.createElement('lan-sentinel-card') as any;
        el.setConfig({ type: 'custom:lan-sentinel-card', max_rows: 500 });
        host.append(el);
        const t0 = performance.now();
        el.hass = { states, locale: { language: 'en' } };
        await el.updateComplete;
        const first = performance.now() - t0;
        // An unrelated entity changes: the cost of the shouldUpdate check alone.
        const t1 = performance.now();
        el.hass = {
          ...el.hass,
          states: { ...states, 'sensor.other_1': { ...states['sensor.other_1'], state: 'y' } },
        };
        await el.updateComplete;
        const unrelated = performance.now() - t1;
        // One of ours changes: full re-render of 500 rows (keyed).
        const id = 'device_tracker.lan_sentinel_240ac4000001';
        const t2 = performance.now();
        el.hass = { ...el.hass, states: { ...el.hass.states, [id]: { ...states[id], state: 'not_home' } } };
        await el.updateComplete;
        const update = performance.now() - t2;
        // Force layout so the figure includes style/layout of 500 rows.
        const t3 = performance.now();
        el.shadowRoot.querySelector('ul').getBoundingClientRect();
        const layout = performance.now() - t3;
        return { first, unrelated, update, layout, rows: el.shadowRoot.querySelectorAll('.row').length };
      },
      { states: toStates(entities) },
    );
    expect(ms.rows).toBe(500);
    figures.render500FirstMs = Math.round(ms.first * 10) / 10;
    figures.render500LayoutMs = Math.round(ms.layout * 10) / 10;
    figures.unrelatedHassUpdateMs = Math.round(ms.unrelated * 100) / 100;
    figures.render500UpdateMs = Math.round(ms.update * 10) / 10;
    console.log(`[card] 500 devices (+1500 other entities): ${JSON.stringify(ms)}`);
  });

  it('screenshots (light and dark)', async () => {
    const devices = [
      deviceEntity(1, {
        name: 'Living room TV',
        vendor: 'Samsung Electronics',
        online: true,
        risk: 'none',
        known: true,
        kind: 'tv',
      }),
      deviceEntity(2, {
        name: 'ESP32 plug',
        vendor: 'Espressif Inc.',
        online: true,
        risk: 'low',
        known: false,
        kind: 'plug',
      }),
      deviceEntity(3, {
        name: 'Backyard camera',
        vendor: 'Hikvision',
        online: true,
        risk: 'critical',
        known: true,
        kind: 'camera',
      }),
      deviceEntity(4, {
        name: 'NAS',
        vendor: 'Synology Incorporated',
        online: true,
        risk: 'medium',
        known: true,
        kind: 'nas',
      }),
      deviceEntity(5, {
        name: 'Old tablet',
        vendor: 'Apple, Inc.',
        online: false,
        risk: 'none',
        known: true,
        kind: 'tablet',
      }),
      deviceEntity(6, {
        name: 'A device with a very long name that should be truncated nicely',
        online: true,
        risk: 'high',
        known: true,
      }),
      deviceEntity(7, {
        name: 'Printer',
        vendor: 'Brother Industries',
        online: false,
        risk: 'low',
        known: true,
        kind: 'printer',
      }),
    ];
    const entities = [...hubEntities({ online: 5, known: 7, new: 1, threats: 3 }), ...devices];
    // each row carries its kind's icon (the 7th device has no kind: the unknown-kind icon)
    await mount({ sort: 'name' }, entities);
    const icons = await page.evaluate(() =>
      [...document.querySelector('lan-sentinel-card').shadowRoot.querySelectorAll('.row')].map(
        // biome-ignore lint/suspicious/noExplicitAny: page-side
        (r: any) =>
          `${r.querySelector('.name .text').textContent}=${r.querySelector('svg.kind-icon').dataset.kind}`,
      ),
    );
    expect(icons).toEqual([
      'A device with a very long name that should be truncated nicely=unknown',
      'Backyard camera=camera',
      'ESP32 plug=plug',
      'Living room TV=tv',
      'NAS=nas',
      'Old tablet=tablet',
      'Printer=printer',
    ]);
    for (const theme of ['light', 'dark'] as const) {
      await page.close();
      await openPage(theme === 'dark' ? DARK : LIGHT);
      await mount({ sort: 'risk' }, entities);
      await page.locator('lan-sentinel-card').screenshot({ path: join(SHOTS, `card-${theme}.png`) });
      await mount({ compact: true, title: 'Network', max_rows: 4 }, entities);
      await page.locator('lan-sentinel-card').screenshot({ path: join(SHOTS, `card-compact-${theme}.png`) });
    }
    await mount({}, []);
    await page.locator('lan-sentinel-card').screenshot({ path: join(SHOTS, 'card-empty-dark.png') });
    expect(existsSync(join(SHOTS, 'card-light.png'))).toBe(true);
    expect(existsSync(join(SHOTS, 'card-dark.png'))).toBe(true);
  });
});
