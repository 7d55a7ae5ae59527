// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * Issue 13 finding 7 where a user looks: the Overview of the web UI in real Chromium, against the real service
 * (`startTestService`), signed in by the printed login link. A sweep whose nmap exits non-zero turns the page's
 * health banner on with the failure; the next good sweep turns it off again, live (no reload).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../helpers/testService.js';
import { CHROMIUM, chromiumAvailable } from '../helpers/uiBrowser.js';
import { openSignedInUi } from '../helpers/uiService.js';

if (!chromiumAvailable && process.env.CI === 'true')
  throw new Error(`degraded-health UI test needs Chromium at ${CHROMIUM}; refusing to skip under CI`);
const describeBrowser = chromiumAvailable ? describe : describe.skip;

describeBrowser('the Overview shows a degraded service (Chromium)', () => {
  let t: TestService;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    ({ t, browser, page, errors } = await openSignedInUi());
  }, 120_000);

  afterAll(async () => {
    process.env.FAKE_NMAP_MODE = 'hosts';
    await browser?.close();
    await t?.stop();
  });

  it('a failed sweep turns the health banner on with its error; the next good sweep turns it off', async () => {
    await page.goto(`${t.url}/#/`);
    const overview = page.locator('ls-dashboard');
    await overview.locator('.counts').waitFor({ timeout: 15_000 });
    const banner = overview.locator('[data-health="degraded"]');
    expect(await banner.count()).toBe(0);

    process.env.FAKE_NMAP_MODE = 'fail';
    await t.sweep('test: nmap fails');
    await expect
      .poll(() => banner.innerText().catch(() => ''), { timeout: 15_000 })
      .toMatch(/LAN Sentinel is degraded\.[\s\S]*sweep #\d+ failed: nmap exited with code 1/);
    expect(await banner.getAttribute('role')).toBe('alert');

    process.env.FAKE_NMAP_MODE = 'hosts';
    await t.sweep('test: nmap works again');
    await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);
});
