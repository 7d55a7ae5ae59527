/**
 * The real service (`startTestService`) with a Chromium page signed in as admin by the login link the service
 * printed at start; the page's uncaught errors are collected. For the browser tests of one running service.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestService, type TestService } from './testService.js';
import { CHROMIUM, ensureUiBuilt, LAUNCH_ARGS } from './uiBrowser.js';

export interface SignedInUi {
  t: TestService;
  browser: Browser;
  page: Page;
  /** messages of the page's uncaught errors */
  errors: string[];
}

export async function openSignedInUi(): Promise<SignedInUi> {
  await ensureUiBuilt();
  const t = await startTestService();
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const link = t.logs.map((l) => /web UI on (http:\/\/\S+\/login\?token=\S+)/.exec(l)?.[1]).find(Boolean);
    expect(link, t.logs.slice(-20).join('\n')).toBeTruthy();
    await page.goto(link as string);
    return { t, browser, page, errors };
  } catch (err) {
    await browser?.close();
    await t.stop();
    throw err;
  }
}
