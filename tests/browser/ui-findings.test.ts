// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * Findings in real Chromium (issue 15): the NAS of the issue (Apache 2.4.49 + OpenSSH 7.2p2 + Samba) through
 * the real threat assessor and shipped CVE data, served by `buildApp` behind the ingress-style proxy. The
 * Findings page groups per device (device name), the device page shows sections in the stated order within
 * the phone-height budget, and accepting a group from the UI drops the device's risk.
 * Screenshots: artifacts/screenshots/findings-*.png, device-nas-*.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsPort } from '../../src/api/adapters.js';
import { buildApp } from '../../src/api/app.js';
import { INGRESS_PEER } from '../../src/api/auth.js';
import { ingestPortScan } from '../../src/inventory/ingestPortScan.js';
import type { DevicePort } from '../../src/inventory/types.js';
import { parseNmapXml } from '../../src/scan/nmapXml.js';
import { createThreatAssessor } from '../../src/service/threatAssessor.js';
import { AuditRepo } from '../../src/store/auditRepo.js';
import { FindingsRepo } from '../../src/store/findingsRepo.js';
import { KeysRepo } from '../../src/store/keysRepo.js';
import { systemClock } from '../../src/util/clock.js';
import { EventBus } from '../../src/util/events.js';
import { silentLogger } from '../../src/util/logger.js';
import { type IngressProxy, startIngressProxy } from '../helpers/ingressProxy.js';
import { HOSTILE_NAME, SEED_MACS, SEED_NAMES, type Seeded, seedDb } from '../helpers/seedDb.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const UI_DIR = join(ROOT, 'dist/ui');
const SHOTS = join(ROOT, 'artifacts/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM) && existsSync(join(UI_DIR, 'index.html'));
if (!available && process.env.CI === 'true') {
  throw new Error(
    `findings UI tests need Chromium at ${CHROMIUM} and a built UI (npm run build); refusing to skip under CI`,
  );
}
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Phone budget (390×844 viewport): presence starts on the first screen; the whole page stays under 4 screens. */
const PHONE_PRESENCE_TOP_MAX = 844;
const PHONE_PAGE_MAX = 3400;

const T = new Date().toISOString();
const NAS_PORTS: DevicePort[] = [
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
    extrainfo: '(Unix)',
    cpe: ['cpe:/a:apache:http_server:2.4.49'],
    firstSeen: T,
    lastSeen: T,
  },
  {
    protocol: 'tcp',
    port: 445,
    service: 'microsoft-ds',
    product: 'Samba smbd',
    version: '4.19.5',
    cpe: [],
    firstSeen: T,
    lastSeen: T,
  },
];

/** nmap time format (UTC, no zone) `days` from now */
const nmapAt = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 19);
/** ~64 kB of subjectAltName DNS names */
const HOSTILE_SAN = Array.from({ length: 2600 }, (_, i) => `DNS:h${i}.${'x'.repeat(16)}.lan`).join(', ');
const esc = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const elem = (k: string, v: string) => `<elem key="${k}">${esc(v)}</elem>`;
const name = (t: string, cn: string, o: string) =>
  `<table key="${t}">${elem('commonName', cn)}${elem('organizationName', o)}</table>`;
const tlsPort = (port: number, cert: string, protocols: string[]) =>
  `<port protocol="tcp" portid="${port}"><state state="open" reason="syn-ack" reason_ttl="64"/>` +
  `<service name="https" tunnel="ssl" method="probed" conf="10"/>` +
  `<script id="ssl-cert" output="…">${cert}</script>` +
  `<script id="ssl-enum-ciphers" output="…">${protocols
    .map(
      (p) =>
        `<table key="${p}"><table key="ciphers"><table>${elem('name', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')}</table></table></table>`,
    )
    .join('')}</script></port>`;
/** an SSH banner whose bytes were not UTF-8 (nmap's output read as Latin-1: ÿþ), with markup in its comment */
const NON_UTF8_SSH =
  '<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/>' +
  `<service name="ssh" product="OpenSSH" version="${esc('8.4p1 Debian-5 \u00ff\u00fe\u001b[31m<script>window.__xss=3</script>')}" method="probed" conf="10"/></port>`;
/**
 * nmap -oX of the hostile device's TLS ports, as ssl-cert / ssl-enum-ciphers print them: 443 a self-signed
 * certificate with markup in its subject and a 64 kB SAN list, expiring in 10 days, offering TLS 1.0; 8443 a
 * CA-issued one valid for 300 days.
 */
function hostileTlsXml(): string {
  const evil = name('subject', HOSTILE_NAME, '"><svg onload=window.__xss=2>');
  const cert443 =
    evil +
    evil.replace('key="subject"', 'key="issuer"') +
    `<table key="validity">${elem('notBefore', nmapAt(-355))}${elem('notAfter', nmapAt(10.5))}</table>` +
    `<table key="extensions"><table>${elem('name', 'X509v3 Subject Alternative Name')}${elem('value', HOSTILE_SAN)}</table></table>`;
  const cert8443 =
    name('subject', 'evil.lan', 'Home') +
    name('issuer', 'Home CA', 'Home') +
    `<table key="validity">${elem('notBefore', nmapAt(-65))}${elem('notAfter', nmapAt(300.5))}</table>`;
  return `<?xml version="1.0"?><nmaprun scanner="nmap" args="nmap" start="1" version="7.93">
<host><status state="up" reason="arp-response"/><address addr="10.213.0.66" addrtype="ipv4"/>
<address addr="${SEED_MACS.hostile.toUpperCase()}" addrtype="mac"/><hostnames/><ports>
${NON_UTF8_SSH}
${tlsPort(443, cert443, ['TLSv1.0', 'TLSv1.2'])}
${tlsPort(8443, cert8443, ['TLSv1.2', 'TLSv1.3'])}
</ports></host><runstats><finished time="2" exit="success"/><hosts up="1" down="0" total="1"/></runstats></nmaprun>`;
}

/** The screenshot sizes: desktop 1280×800, phone 390×844 (touch, 2× pixels). */
const VIEWPORTS = [
  ['desktop', { width: 1280, height: 800 }, false],
  ['phone', { width: 390, height: 844 }, true],
] as const;
const contextOptions = (viewport: { width: number; height: number }, mobile: boolean) => ({
  viewport,
  isMobile: mobile,
  hasTouch: mobile,
  deviceScaleFactor: mobile ? 2 : 1,
});

/** Text through shadow roots. */
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
        if (n.nodeName === 'STYLE' || n.nodeName === 'SCRIPT') return '';
        const inner = Array.from((n.shadowRoot ?? n).childNodes)
          .map(walk)
          .join('');
        return n.nodeType === 1 ? ` ${inner} ` : inner;
      };
      return walk(root as unknown as N)
        .replace(/\s+/g, ' ')
        .trim();
    });
}

const describeBrowser = available ? describe : describe.skip;

describeBrowser('findings UI in Chromium', () => {
  let seeded: Seeded;
  let app: FastifyInstance;
  let proxy: IngressProxy;
  let browser: Browser;
  let repo: FindingsRepo;
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
    seeded = seedDb({ extraDevices: 5 });
    const db = seeded.store.db;
    repo = new FindingsRepo(db);
    const threats = createThreatAssessor({ store: seeded.store, db, findings: repo, logger: silentLogger });
    seeded.store.devices.setPorts(SEED_MACS.nas, NAS_PORTS);
    threats.assess([SEED_MACS.nas, SEED_MACS.camera, SEED_MACS.gateway], new Date());
    // the hostile device's TLS ports through the real nmap XML parser and the threat assessor
    const tlsScan = parseNmapXml(hostileTlsXml(), 'ports', ['10.213.0.66']);
    if (!tlsScan.ok) throw new Error(tlsScan.error);
    const scanId = seeded.store.scans.start('ports', ['10.213.0.66'], 'ui', null, new Date());
    ingestPortScan(seeded.store, scanId, tlsScan.result, new Date());
    threats.assess([SEED_MACS.hostile], new Date(), tlsScan.result);
    app = await buildApp({
      store: seeded.store,
      findings: findingsPort(repo, { db, reassess: (mac) => void threats.assess([mac], new Date()) }),
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.close();
    seeded?.close();
  });

  it('the Findings page groups per device by name, the NAS in ≤ 3 groups with CVE-2021-41773 in the first', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await ctx.newPage();
    await open(page, '#/findings');
    const nas = page.locator(`ls-findings-page section.device[data-mac="${SEED_MACS.nas}"]`);
    await expect.poll(() => nas.count(), { timeout: 15_000 }).toBe(1);
    expect(await nas.locator('h2').innerText()).toContain(SEED_NAMES.nas);
    const groups = nas.locator('ls-finding-groups section.g');
    expect(await groups.count()).toBeLessThanOrEqual(3);
    const first = groups.first();
    expect(await first.locator('.title').innerText()).toMatch(
      /^Update Apache httpd 2\.4\.49 to .* known exploited$/,
    );
    await first.locator('details > summary').click();
    const cves = await first.locator('ul.cves').innerText();
    expect(cves).toContain('CVE-2021-41773');
    expect(cves).toMatch(/only if mod_\w+ is enabled/);
    const all = await deepText(page, 'ls-findings-page');
    expect(all).not.toContain('CVE-2023-38408');
    expect(all).not.toContain('CVE-2016-10009');
    await page.screenshot({ path: join(SHOTS, 'findings-desktop.png'), fullPage: false });
    await ctx.close();
    // on a phone: the same groups, nothing wider than the screen
    const phone = await browser.newContext(contextOptions(VIEWPORTS[1][1], true));
    const pp = await phone.newPage();
    await open(pp, '#/findings');
    const pnas = pp.locator(`ls-findings-page section.device[data-mac="${SEED_MACS.nas}"]`);
    await expect.poll(() => pnas.count(), { timeout: 15_000 }).toBe(1);
    const width = await pp.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
          .documentElement.scrollWidth,
    );
    expect(width, 'no horizontal scrolling on a phone').toBeLessThanOrEqual(390);
    await pp.screenshot({ path: join(SHOTS, 'findings-phone.png'), fullPage: true });
    await phone.close();
  });

  it('the device page: summary, presence, ports, findings, history in that order; phone-height budget kept', async () => {
    for (const [label, viewport, mobile] of VIEWPORTS) {
      const ctx = await browser.newContext(contextOptions(viewport, mobile));
      const page = await ctx.newPage();
      await open(page, `#/devices/${SEED_MACS.nas}`);
      await expect
        .poll(() => page.locator('ls-finding-groups section.g').count(), { timeout: 15_000 })
        .toBeGreaterThan(0);
      await expect.poll(() => page.locator('#sec-presence').count(), { timeout: 15_000 }).toBe(1);
      const tops = await Promise.all(
        ['#sec-summary', '#sec-presence', '#sec-ports', '#sec-findings', '#sec-history'].map(
          async (s) => (await page.locator(s).boundingBox())?.y ?? -1,
        ),
      );
      expect([...tops].sort((a, b) => a - b)).toEqual(tops);
      const height = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
            .documentElement.scrollHeight,
      );
      console.log(`device page ${label}: height ${height}px, presence at y=${Math.round(tops[1]!)}`);
      if (mobile) {
        expect(tops[1]!).toBeLessThan(PHONE_PRESENCE_TOP_MAX);
        expect(height).toBeLessThanOrEqual(PHONE_PAGE_MAX);
      }
      await page.screenshot({ path: join(SHOTS, `device-nas-${label}.png`), fullPage: true });
      // each section collapses
      await page.locator('#sec-findings > summary').click();
      expect(await page.locator('#sec-findings').getAttribute('open')).toBeNull();
      await ctx.close();
    }
  });

  it('TLS facts on the device page: subject, issuer, expiry, self-signed, protocols; hostile text escaped, 64 kB SAN bounded', async () => {
    for (const [label, viewport, mobile] of VIEWPORTS) {
      const ctx = await browser.newContext(contextOptions(viewport, mobile));
      const page = await ctx.newPage();
      await open(page, `#/devices/${SEED_MACS.hostile}`);
      const facts = page.locator('ls-tls-facts section.port');
      await expect.poll(() => facts.count(), { timeout: 15_000 }).toBe(2);
      const p443 = page.locator('ls-tls-facts section.port[data-port="443/tcp"]');
      const p8443 = page.locator('ls-tls-facts section.port[data-port="8443/tcp"]');
      // the subject is shown as the text it is: no element made from it, no script ran
      expect(await p443.locator('dd.subject').innerText()).toContain(`CN=${HOSTILE_NAME}`);
      expect(await p443.locator('dd.subject').innerText()).toContain('O="><svg onload=window.__xss=2>');
      expect(await p443.locator('img, svg').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(await p443.locator('h3').innerText()).toMatch(/expires in 10 days\s+self-signed/);
      expect(await p443.locator('h3 .tag.warn').first().innerText()).toBe('expires in 10 days');
      expect(await p443.locator('dd.issuer').innerText()).toBe('itself (self-signed)');
      expect(await p443.locator('dd.protos .tag.bad').innerText()).toBe('TLSv1.0');
      expect(await p443.locator('dd.protos .tag.ok').innerText()).toBe('TLSv1.2');
      // the SAN list: 6 names and a count, never 64 kB of text
      expect(await p443.locator('ul.san li').count()).toBe(6);
      expect(await p443.locator('ul.san li').first().innerText()).toBe(`h0.${'x'.repeat(16)}.lan`);
      expect(await p443.locator('dd.san .more').innerText()).toMatch(
        /^and \d+ more \(list cut: the certificate names even more\)$/,
      );
      const box = (await p443.boundingBox())!;
      expect(box.height).toBeLessThan(mobile ? 520 : 320);
      expect(box.width).toBeLessThanOrEqual(viewport.width);
      const pageWidth = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
            .documentElement.scrollWidth,
      );
      expect(pageWidth, 'no horizontal scrolling').toBeLessThanOrEqual(viewport.width);
      // a CA-issued certificate valid for 300 days
      expect(await p8443.locator('h3 .tag.ok').innerText()).toBe('expires in 300 days');
      expect(await p8443.locator('h3').innerText()).not.toContain('self-signed');
      expect(await p8443.locator('dd.issuer').innerText()).toBe('CN=Home CA, O=Home');
      expect(await p8443.locator('dd.validity').innerText()).toMatch(/→/);
      // the banner that was not UTF-8: shown as text, the markup too, no escape character
      const ssh = page.locator('#sec-ports tbody tr', { hasText: '22/tcp' });
      expect(await ssh.innerText()).toMatch(/OpenSSH 8\.4p1 Debian-5 ÿþ.*<script>window\.__xss=3<\/script>/);
      expect(await ssh.innerText()).not.toContain('\u001b');
      expect(await page.locator('#sec-ports script').count()).toBe(0);
      // the findings the certificate raised are on the same page
      const findings = await deepText(page, '#sec-findings');
      expect(findings).toMatch(/expires in 10 days|expir/i);
      expect(findings).toContain('TLSv1.0');
      await page.screenshot({ path: join(SHOTS, `device-tls-${label}.png`), fullPage: true });
      await ctx.close();
    }
  });

  it('accepting a group in the UI drops the risk; the group is listed as accepted', async () => {
    const before = seeded.store.devices.get(SEED_MACS.nas)!;
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await ctx.newPage();
    await open(page, `#/devices/${SEED_MACS.nas}`);
    const first = page.locator('ls-finding-groups section.g').first();
    await expect.poll(() => first.count(), { timeout: 15_000 }).toBe(1);
    const key = await first.getAttribute('data-group');
    await first.getByRole('button', { name: 'Accept…' }).click();
    await first.locator('input[name="reason"]').fill('LAN only; firmware update booked for Friday');
    await first.locator('select[name="days"]').selectOption('30');
    await first.getByRole('button', { name: 'Accept', exact: true }).click();
    const accepted = page.locator(`ls-finding-groups section.g.accepted[data-group="${key}"]`);
    await expect.poll(() => accepted.count(), { timeout: 10_000 }).toBe(1);
    expect(await accepted.innerText()).toContain('LAN only; firmware update booked for Friday');
    expect(seeded.store.devices.get(SEED_MACS.nas)!.riskScore).toBeLessThan(before.riskScore);
    await page.screenshot({ path: join(SHOTS, 'device-nas-accepted.png'), fullPage: false });
    await accepted.getByRole('button', { name: 'Count again' }).click();
    await expect.poll(() => accepted.count(), { timeout: 10_000 }).toBe(0);
    expect(seeded.store.devices.get(SEED_MACS.nas)!.riskScore).toBe(before.riskScore);
    await ctx.close();
    expect(errors).toEqual([]);
  });
});
