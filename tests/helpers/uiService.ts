/**
 * The real service (`startTestService`) with a Chromium page signed in as admin by the login link the service
 * printed at start; the page's uncaught errors are collected. For the browser tests of one running service.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { startTestService, type TestService, type TestServiceOptions } from './testService.js';
import { CHROMIUM, ensureUiBuilt, LAUNCH_ARGS, printedLoginLink } from './uiBrowser.js';

export interface SignedInUi {
  t: TestService;
  browser: Browser;
  page: Page;
  /** messages of the page's uncaught errors */
  errors: string[];
}

export async function openSignedInUi(opts: TestServiceOptions = {}): Promise<SignedInUi> {
  await ensureUiBuilt();
  const t = await startTestService(opts);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(printedLoginLink(t.logs));
    return { t, browser, page, errors };
  } catch (err) {
    await browser?.close();
    await t.stop();
    throw err;
  }
}
