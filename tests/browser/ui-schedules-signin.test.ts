// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
/**
 * The schedules page and the API-key sign-in in real Chromium (issue 16), against the real service
 * (`startTestService`: src/main.ts, fixture nmap, real SQLite) on its loopback HTTP port, where a browser
 * without the login link's session cookie gets 401:
 * - the UI shows the sign-in page with the server's message and stops asking (no polling that would spend the
 *   address's failure budget); a malformed key is refused with what is allowed, an unknown key is named as such,
 *   an admin key signs in (the live feed connects through fetch with the key in a header);
 * - a valid key is never locked out: after failures have blocked the address (429), the key still signs in;
 * - schedules: the option row is read-only; add (the server's cron error is shown), disable, delete — each
 *   checked through the API; the key is kept per tab unless "remember" is ticked; "Forget API key" signs out.
 * Screenshots: artifacts/screenshots/signin.png, schedules.png (also copied to /tmp/i16-shots when it exists).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, TEST_SUBNET, type TestService } from '../helpers/testService.js';
import { CHROMIUM, chromiumAvailable, ensureUiBuilt, LAUNCH_ARGS, SHOTS } from '../helpers/uiBrowser.js';

if (!chromiumAvailable && process.env.CI === 'true')
  throw new Error(`schedules/sign-in UI tests need Chromium at ${CHROMIUM}; refusing to skip under CI`);
const describeBrowser = chromiumAvailable ? describe : describe.skip;

interface ScheduleRow {
  id: number;
  name: string;
  cron: string;
  kind: string;
  profile: string | null;
  targets: string[];
  enabled: boolean;
  default: boolean;
}

describeBrowser('schedules page and API-key sign-in in Chromium', () => {
  let t: TestService;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let adminKey: string;
  const errors: string[] = [];
  const apiCalls: Array<{ url: string; status: number }> = [];

  const shot = async (p: Page, name: string) => {
    const file = join(SHOTS, `${name}.png`);
    await p.screenshot({ path: file, fullPage: true });
    if (existsSync('/tmp/i16-shots')) copyFileSync(file, `/tmp/i16-shots/ui-${name}.png`);
  };
  const schedules = async () => (await t.api<{ items: ScheduleRow[] }>('GET', 'api/schedules')).body.items;
  /** how many keys the page's sessionStorage and localStorage hold */
  const stored = (p: Page) =>
    p.evaluate(() => {
      const w = globalThis as unknown as {
        sessionStorage: { length: number };
        localStorage: { length: number };
      };
      return { session: w.sessionStorage.length, local: w.localStorage.length };
    });
  const signIn = async (p: Page, key: string, remember = false) => {
    await p.locator('ls-sign-in input[name="key"]').fill(key);
    if (remember) await p.locator('ls-sign-in input[name="remember"]').check();
    await p.locator('ls-sign-in button[type="submit"]').click();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureUiBuilt();
    t = await startTestService();
    const k = await t.api<{ secret: string }>('POST', 'api/keys', { name: 'browser', scope: 'admin' });
    expect(k.status).toBe(201);
    adminKey = k.body.secret;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.url().includes('/api/')) apiCalls.push({ url: r.url(), status: r.status() });
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('without a session the UI asks to sign in, shows the server message and stops asking', async () => {
    await page.goto(`${t.url}/#/schedules`);
    const signin = page.locator('ls-sign-in');
    await signin.waitFor({ timeout: 15_000 });
    await expect
      .poll(() => signin.locator('[data-testid="signin-message"]').innerText())
      .toMatch(/login link.*API key/i);
    const before = apiCalls.filter((c) => c.status === 401).length;
    expect(before).toBeGreaterThan(0);
    await page.waitForTimeout(3000);
    // no page behind the sign-in keeps polling: the 401 count does not grow
    expect(apiCalls.filter((c) => c.status === 401).length).toBe(before);
    await shot(page, 'signin');
  }, 60_000);

  it('a malformed key is refused with what is allowed; an unknown key is named as unknown', async () => {
    await signIn(page, 'not-a-key');
    await expect
      .poll(() => page.locator('ls-sign-in [role="alert"]').innerText())
      .toMatch(/lsk_ followed by 43/);
    await signIn(page, `lsk_${'B'.repeat(43)}`);
    await expect
      .poll(() => page.locator('ls-sign-in [role="alert"]').innerText())
      .toMatch(/unknown or revoked/);
    expect(await stored(page)).toEqual({ session: 0, local: 0 });
  }, 60_000);

  it('after failures lock the address out (429), the valid key still signs in; the live feed connects', async () => {
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++)
      status = await page.evaluate(
        async (k) => (await fetch('api/devices', { headers: { authorization: `Bearer ${k}` } })).status,
        `lsk_${'C'.repeat(43)}`,
      );
    expect(status).toBe(429);
    await signIn(page, adminKey);
    await page.locator('ls-schedules-page table[data-testid="schedules"]').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.locator('ls-app .live').innerText(), { timeout: 15_000 })
      .toBe('Live updates on');
    expect(await stored(page)).toEqual({ session: 1, local: 0 });
  }, 60_000);

  it('schedules: the option row is read-only; add, a bad cron, disable and delete go through the API', async () => {
    const table = page.locator('ls-schedules-page table[data-testid="schedules"]');
    const first = table.locator('tbody tr').first();
    await expect.poll(() => first.innerText()).toContain('default');
    expect(await first.locator('input[type="checkbox"]').count()).toBe(0);
    expect(await first.locator('button').count()).toBe(0);

    const pageEl = page.locator('ls-schedules-page');
    await pageEl.getByRole('button', { name: 'Add schedule' }).click();
    const form = pageEl.locator('form');
    await form.locator('input[name="name"]').fill('weekly');
    await form.locator('input[name="cron"]').fill('61 4 * * 0');
    await form.locator('select[name="profile"]').selectOption('top1000');
    await form.locator('input[name="targets"]').fill(TEST_SUBNET);
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => pageEl.locator('[role="alert"]').innerText()).toMatch(/cron/);
    expect((await schedules()).map((s) => s.name)).toEqual(['default']);

    await form.locator('input[name="cron"]').fill('0 4 * * 0');
    await form.locator('button[type="submit"]').click();
    const row = table.locator('tbody tr', { hasText: 'weekly' });
    await row.waitFor({ timeout: 10_000 });
    const made = (await schedules()).find((s) => s.name === 'weekly')!;
    expect(made).toMatchObject({
      cron: '0 4 * * 0',
      kind: 'ports',
      profile: 'top1000',
      targets: [TEST_SUBNET],
      enabled: true,
      default: false,
    });
    expect(await row.innerText()).toMatch(/top1000/);
    // enabled: a next run is shown (a date, not —)
    expect(await row.locator('td').nth(6).innerText()).toMatch(/\d/);
    await shot(page, 'schedules');

    await row.locator('input[type="checkbox"]').uncheck();
    await expect.poll(async () => (await schedules()).find((s) => s.id === made.id)?.enabled).toBe(false);
    await expect.poll(() => row.locator('td').nth(6).innerText()).toBe('—');

    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Delete “weekly”' }).click();
    await expect.poll(async () => (await schedules()).map((s) => s.name)).toEqual(['default']);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
  }, 60_000);

  it('the key lives for the tab unless remembered; "Forget API key" signs out', async () => {
    // a new tab has no key; this address is still locked out from the failures above: the UI says so and asks
    const other = await ctx.newPage();
    await other.goto(`${t.url}/#/schedules`);
    await other.locator('ls-sign-in').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => other.locator('ls-sign-in [data-testid="signin-message"]').innerText())
      .toMatch(/too many failed authentications|login link/);
    await signIn(other, adminKey, true);
    await other.locator('ls-schedules-page table').waitFor({ timeout: 15_000 });
    const third = await ctx.newPage();
    await third.goto(`${t.url}/#/schedules`);
    await third.locator('ls-schedules-page table').waitFor({ timeout: 15_000 });
    await third.locator('[data-testid="forget-key"]').click();
    await third.locator('ls-sign-in').waitFor({ timeout: 5000 });
    expect(await stored(third)).toEqual({ session: 0, local: 0 });
    await third.reload();
    await third.locator('ls-sign-in').waitFor({ timeout: 15_000 });
    await other.close();
    await third.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
