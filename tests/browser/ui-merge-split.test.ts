// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * Issue 19 item 4, DESIGN §15: merging and splitting devices by hand in the web UI. Real Chromium against the
 * real service (`startTestService`: src/main.ts, fixture nmap, real SQLite file), signed in by the login link the
 * service printed:
 * - device page → "MACs and identity" → "Merge another device into this one…": the picker searches the
 *   inventory, the confirmation says what happens, and the merge is in the API (the other device gone, its MAC a
 *   further MAC `manual` of this one), in the audit log (`device.merge`, by the browser session) and in MQTT (the
 *   other device's discovery config emptied: its HA entities removed);
 * - a second browser on the same device sees the further MAC arrive by the live feed (no reload), and one on the
 *   merged device is told where it went;
 * - "Split off…" per further MAC: audited `device.split`; the next sweep makes it a device of its own again;
 *   a split that someone else did meanwhile is refused with the server's message shown;
 * - a read-scoped key sees the MACs but no merge, split, wake, rename or forget control, and no Wake in the list
 *   (where an admin has one on an offline device).
 * Screenshots: artifacts/screenshots/merge-*.png (desktop and phone).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_GATEWAY, type TestService } from '../helpers/testService.js';
import { CHROMIUM, chromiumAvailable, SHOTS, signInWithKey } from '../helpers/uiBrowser.js';
import { openSignedInUi } from '../helpers/uiService.js';

if (!chromiumAvailable && process.env.CI === 'true')
  throw new Error(`merge/split UI test needs Chromium at ${CHROMIUM}; refusing to skip under CI`);
const describeBrowser = chromiumAvailable ? describe : describe.skip;

const NAS = '00:11:32:aa:bb:05';
/** the same phone, seen under a second (private) MAC */
const PHONE_B = '02:5e:77:10:20:30';
/** a desktop that goes to sleep (offline): the list offers Wake for it */
const DESKTOP = '00:d8:61:4a:5b:6c';
const HOSTS = {
  [TEST_GATEWAY]: 'b8:27:eb:00:00:01',
  '10.213.250.5': NAS,
  '10.213.250.7': PHONE_B,
  '10.213.250.9': DESKTOP,
};
const discoveryTopic = (mac: string) => `homeassistant/device/lan_sentinel_${mac.replace(/:/g, '')}/config`;

interface AuditItem {
  action: string;
  target: string | null;
  actor: string;
  actor_kind: string;
  detail: unknown;
}
interface IdentityJson {
  macs: Array<{ mac: string; linked_by: string }>;
}

describeBrowser('merge and split devices in the web UI (Chromium)', () => {
  let t: TestService;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let errors: string[] = [];
  const macs = () => page.locator('ls-device-macs');
  const audit = async (action: string) =>
    (await t.api<{ items: AuditItem[] }>('GET', `api/audit?action=${action}`)).body.items;
  const furtherMacs = async (mac: string) =>
    (await t.api<IdentityJson>('GET', `api/devices/${mac}/identity`)).body.macs;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ t, browser, page, errors } = await openSignedInUi({ hosts: HOSTS }));
    admin = page.context();
    // the desktop sleeps: the next sweep misses it (offline)
    t.setHosts(Object.fromEntries(Object.entries(HOSTS).filter(([, m]) => m !== DESKTOP)));
    await t.sweep('the desktop sleeps');
    expect((await t.api<{ online: boolean }>('GET', `api/devices/${DESKTOP}`)).body.online).toBe(false);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('an admin merges the phone into the NAS from the device page: API, audit, HA entities, live in a second tab', async () => {
    await page.goto(`${t.url}/#/devices/${NAS}`);
    const section = page.locator('#sec-macs');
    await expect.poll(() => section.locator('#device-macs').count(), { timeout: 15_000 }).toBe(1);
    expect(await section.getAttribute('open'), 'closed while the device has one MAC').toBeNull();
    // a second tab on the same device and one on the phone, to see the merge arrive live
    const watcher = await admin.newPage();
    await watcher.goto(`${t.url}/#/devices/${NAS}`);
    await expect
      .poll(() => watcher.locator('ls-device-macs #device-macs').count(), { timeout: 15_000 })
      .toBe(1);
    const phoneTab = await admin.newPage();
    await phoneTab.goto(`${t.url}/#/devices/${PHONE_B}`);
    await expect.poll(() => phoneTab.locator('#device-name').count(), { timeout: 15_000 }).toBe(1);

    await section.locator('summary').click();
    await macs().getByRole('button', { name: 'Merge another device into this one…' }).click();
    const picker = macs().locator('.picker');
    await expect.poll(() => picker.locator('button.candidate').count(), { timeout: 10_000 }).toBe(3);
    expect(await picker.locator(`button.candidate[data-mac="${NAS}"]`).count(), 'not itself').toBe(0);
    // search narrows the list (the API's search: name, IP, MAC, vendor)
    await picker.locator('#merge-search').fill('02:5e:77');
    await expect.poll(() => picker.locator('button.candidate').count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'merge-picker-desktop.png'), fullPage: true });
    await picker.locator(`button.candidate[data-mac="${PHONE_B}"]`).click();
    const confirm = macs().locator('[role="alertdialog"][aria-label="Confirm merge"]');
    const text = await confirm.innerText();
    expect(text).toContain(PHONE_B);
    expect(text).toMatch(/stays, with its Home Assistant entities and its history/);
    expect(text).toMatch(/is removed as a device, with its Home Assistant entities/);
    await page.screenshot({ path: join(SHOTS, 'merge-confirm-desktop.png'), fullPage: true });
    const since = t.published.length;
    await confirm.locator('#merge-confirm').click();

    // the UI: the further MAC with how it was linked, the summary counts it, the toast says what happened
    const row = macs().locator(`#device-macs li[data-mac="${PHONE_B}"]`);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.innerText()).toMatch(/merged\s+merged by hand/);
    const name = await page.locator('#device-name').innerText();
    await expect
      .poll(() => page.locator('ls-toasts .toast').allInnerTexts())
      .toContainEqual(expect.stringContaining(`(${PHONE_B}) into ${name}`));
    await expect.poll(() => page.locator('button.further').innerText()).toContain('+ 1 further MAC');
    // the API and the audit log
    expect(await furtherMacs(NAS)).toEqual([expect.objectContaining({ mac: PHONE_B, linked_by: 'manual' })]);
    expect((await t.api('GET', `api/devices/${PHONE_B}`)).status).toBe(404);
    expect((await audit('device.merge'))[0]).toMatchObject({
      action: 'device.merge',
      target: NAS,
      actor: 'browser',
      actor_kind: 'session',
      detail: { merged: PHONE_B },
    });
    // the phone's HA entities are removed (its discovery config emptied), the NAS's stay
    await t.waitForPublish(
      (m) => m.topic === discoveryTopic(PHONE_B) && m.payload.length === 0,
      'the merged device discovery config removed',
      { since },
    );
    expect(
      t.published.slice(since).some((m) => m.topic === discoveryTopic(NAS) && m.payload.length === 0),
    ).toBe(false);
    // live: the second tab shows the further MAC without a reload; the phone's tab says where it went
    await expect
      .poll(() => watcher.locator(`ls-device-macs li[data-mac="${PHONE_B}"]`).count(), { timeout: 10_000 })
      .toBe(1);
    await expect.poll(() => phoneTab.locator('#merged-into').count(), { timeout: 10_000 }).toBe(1);
    expect(await phoneTab.locator('#merged-into').getAttribute('href')).toBe(
      `#/devices/${encodeURIComponent(NAS)}`,
    );
    await page.screenshot({ path: join(SHOTS, 'merge-done-desktop.png'), fullPage: true });
    await phoneTab.screenshot({ path: join(SHOTS, 'merge-merged-tab.png') });
    await watcher.close();
    await phoneTab.close();
  }, 90_000);

  it('a read-scoped key sees the MACs but no merge, split, wake, rename or forget control', async () => {
    const k = await t.api<{ secret: string }>('POST', 'api/keys', { name: 'viewer', scope: 'read' });
    expect(k.status).toBe(201);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const reader = await ctx.newPage();
    reader.on('pageerror', (e) => errors.push(e.message));
    await reader.goto(`${t.url}/#/devices/${NAS}`);
    await signInWithKey(reader, k.body.secret);
    const row = reader.locator(`ls-device-macs #device-macs li[data-mac="${PHONE_B}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    // give the scope answer time to arrive: the admin controls must not appear late
    await reader.waitForTimeout(500);
    for (const sel of [
      '#wake',
      '#rename',
      'button.danger',
      'ls-device-macs #merge-open',
      'ls-device-macs button.split',
    ])
      expect(await reader.locator(sel).count(), sel).toBe(0);
    expect(await reader.locator('#sec-summary input[type="checkbox"]:not([disabled])').count()).toBe(0);
    // the list: the sleeping desktop has no Wake for a reader …
    await reader.goto(`${t.url}/#/devices`);
    const desktopRow = reader.locator(`#devices tr[data-mac="${DESKTOP}"]`);
    await expect.poll(() => desktopRow.count(), { timeout: 15_000 }).toBe(1);
    await reader.waitForTimeout(300);
    expect(await reader.locator('#devices button.wake').count()).toBe(0);
    await ctx.close();
    // … and one for an admin (only on offline devices with an IPv4 address)
    await page.goto(`${t.url}/#/devices`);
    await expect
      .poll(() => page.locator(`#devices tr[data-mac="${DESKTOP}"] button.wake`).count(), { timeout: 15_000 })
      .toBe(1);
    expect(await page.locator('#devices button.wake').count()).toBe(1);
  }, 60_000);

  it('split off: audited, the MAC is a device of its own at the next sweep; a stale split shows the error', async () => {
    await page.goto(`${t.url}/#/devices/${NAS}`);
    const row = macs().locator(`#device-macs li[data-mac="${PHONE_B}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(
      await page.locator('#sec-macs').getAttribute('open'),
      'open while it has further MACs',
    ).not.toBeNull();
    await row.getByRole('button', { name: `Split ${PHONE_B} off` }).click();
    const confirm = macs().locator('[role="alertdialog"][aria-label="Confirm split"]');
    expect(await confirm.innerText()).toMatch(/becomes a device of its own/);
    await page.screenshot({ path: join(SHOTS, 'split-confirm-desktop.png'), fullPage: true });
    await confirm.locator('#split-confirm').click();
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
    expect(await macs().locator('#no-further-macs').count()).toBe(1);
    expect(await furtherMacs(NAS)).toEqual([]);
    expect((await audit('device.split'))[0]).toMatchObject({
      target: NAS,
      actor_kind: 'session',
      detail: { split: PHONE_B },
    });
    // the next sweep sees the phone under that MAC: a device of its own again
    await t.sweep('after the split');
    expect((await t.api('GET', `api/devices/${PHONE_B}`)).status).toBe(200);

    // merge it again through the API, open the split confirmation, and let someone else split it first
    expect((await t.api('POST', `api/devices/${NAS}/merge`, { mac: PHONE_B })).status).toBe(200);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await row.getByRole('button', { name: `Split ${PHONE_B} off` }).click();
    expect((await t.api('POST', `api/devices/${NAS}/split`, { mac: PHONE_B })).status).toBe(200);
    await confirm.locator('#split-confirm').click();
    await expect
      .poll(() => macs().locator('[role="alert"]').innerText(), { timeout: 10_000 })
      .toBe(`Not split: mac: ${PHONE_B} is not a further MAC of ${NAS}`);
    expect(errors).toEqual([]);
  }, 60_000);

  it('screenshots: the device page with a merged MAC at desktop and phone widths', async () => {
    await t.sweep('the phone again, under the MAC split off');
    expect((await t.api('POST', `api/devices/${NAS}/merge`, { mac: PHONE_B })).status).toBe(200);
    for (const [label, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const p = await admin.newPage();
      await p.setViewportSize(viewport);
      await p.goto(`${t.url}/#/devices/${NAS}`);
      await expect
        .poll(() => p.locator(`ls-device-macs li[data-mac="${PHONE_B}"]`).count(), { timeout: 15_000 })
        .toBe(1);
      const width = await p.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
            .documentElement.scrollWidth,
      );
      expect(width, `no horizontal scrolling (${label})`).toBeLessThanOrEqual(viewport.width);
      await p.screenshot({ path: join(SHOTS, `merge-device-${label}.png`), fullPage: true });
      await p.locator('ls-device-macs #merge-open').click();
      await expect
        .poll(() => p.locator('ls-device-macs button.candidate').count(), { timeout: 10_000 })
        .toBe(2);
      await p.screenshot({ path: join(SHOTS, `merge-picker-${label}.png`), fullPage: true });
      await p.locator('#sec-macs').screenshot({ path: join(SHOTS, `merge-section-${label}.png`) });
      // the list: the sleeping desktop's compact Wake
      await p.goto(`${t.url}/#/devices`);
      await expect
        .poll(() => p.locator(`#devices tr[data-mac="${DESKTOP}"] button.wake`).count(), { timeout: 15_000 })
        .toBe(1);
      await p.screenshot({ path: join(SHOTS, `wake-list-${label}.png`), fullPage: true });
      await p.close();
    }
  }, 60_000);
});
