// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * DESIGN §15: a device identified by IP (a host on a routed subnet whose MAC cannot be learned) is marked in the
 * web UI. Real Chromium against the real service (`startTestService`: src/main.ts, fixture nmap, real SQLite
 * file) with a second, routed subnet in `subnets` whose host the fixture nmap reports without a MAC: the devices
 * list shows it with a "by IP" badge and no MAC, its page (reached by its `ip_…` key) says "identified by IP" where
 * the MAC would be and offers no working Wake; a MAC device keeps its MAC and no badge.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_GATEWAY, TEST_SUBNET, type TestService } from '../helpers/testService.js';
import { CHROMIUM, chromiumAvailable } from '../helpers/uiBrowser.js';
import { openSignedInUi } from '../helpers/uiService.js';

if (!chromiumAvailable && process.env.CI === 'true')
  throw new Error(`identity-by-IP UI test needs Chromium at ${CHROMIUM}; refusing to skip under CI`);
const describeBrowser = chromiumAvailable ? describe : describe.skip;

const ROUTED = '10.213.251.0/28';
const SENSOR = '10.213.251.7';
const KEY = 'ip_10_213_251_7';
const NAS = '00:11:32:aa:bb:05';

describeBrowser('a device identified by IP in the web UI (Chromium)', () => {
  let t: TestService;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    ({ t, browser, page, errors } = await openSignedInUi({
      // the fixture nmap reports the routed host without a MAC (an empty address), as a real routed sweep does
      hosts: { [TEST_GATEWAY]: 'b8:27:eb:00:00:01', '10.213.250.5': NAS, [SENSOR]: '' },
      options: { subnets: [TEST_SUBNET, ROUTED] },
    }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('the list marks it "by IP" without a MAC; its page says so and offers no Wake', async () => {
    const d = (await t.api<{ identified_by: string; mac: string }>('GET', `api/devices/${KEY}`)).body;
    expect(d).toMatchObject({ identified_by: 'ip', mac: KEY });
    await page.goto(`${t.url}#/devices`);
    const row = page.locator('tr', { hasText: SENSOR });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('.by-ip').innerText()).toBe('by IP');
    expect(await row.locator('td[data-label="MAC"]').innerText()).toBe('—');
    const nas = page.locator('tr', { hasText: '10.213.250.5' });
    expect(await nas.locator('.by-ip').count()).toBe(0);
    expect(await nas.locator('td[data-label="MAC"]').innerText()).toBe(NAS);

    await page.goto(`${t.url}#/devices/${KEY}`);
    await page.locator('#device-by-ip').waitFor({ timeout: 15_000 });
    expect(await page.locator('#device-by-ip').innerText()).toBe('none: identified by IP (routed subnet)');
    expect(await page.locator('#device-name').innerText()).toBe(SENSOR);
    expect(await page.locator('#wake').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);
});
