/** Shared by the UI browser tests: Debian's Chromium via playwright-core, and a fresh dist/ui build. */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const UI_DIR = join(ROOT, 'dist/ui');
export const SHOTS = join(ROOT, 'artifacts/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ui when it is missing or older than its sources. */
export async function ensureUiBuilt(): Promise<void> {
  const index = join(UI_DIR, 'index.html');
  const sources = Math.max(
    newestMtime(join(ROOT, 'frontend-card/src')),
    newestMtime(join(ROOT, 'frontend-card/app')),
    statSync(join(ROOT, 'frontend-card/vite.app.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'frontend-card/vite.app.config.ts'],
    { cwd: ROOT, timeout: 120_000 },
  );
}

/** The login link the service printed at start (`web UI on http://…/login?token=…`): opening it signs a browser in. */
export function printedLoginLink(logs: readonly string[]): string {
  const link = logs.map((l) => /web UI on (http:\/\/\S+\/login\?token=\S+)/.exec(l)?.[1]).find(Boolean);
  if (!link) throw new Error(`no login link in the service's log:\n${logs.slice(-20).join('\n')}`);
  return link;
}

/** Signs the page in with an API key through the form the UI shows when it needs one. */
export async function signInWithKey(page: Page, secret: string): Promise<void> {
  await page.locator('ls-sign-in input[name="key"]').fill(secret);
  await page.locator('ls-sign-in button[type="submit"]').click();
}
