/**
 * Renders icon.png (256×256) and logo.png (500×200) from SVG in Debian's Chromium.
 * Run: npx tsx scripts/render-icons.ts (the PNGs are committed; re-run only to change the artwork).
 */
import { chromium } from 'playwright-core';

const mark = (size: number) => `
<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#0b6bcb"/><stop offset="1" stop-color="#03386d"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" fill="url(#bg)"/>
  <path d="M128 38 L200 66 V124 C200 170 170 204 128 220 C86 204 56 170 56 124 V66 Z" fill="#ffffff" fill-opacity="0.12" stroke="#ffffff" stroke-width="10" stroke-linejoin="round"/>
  <g stroke="#8fd3ff" stroke-width="7" fill="none" stroke-linecap="round">
    <line x1="128" y1="104" x2="92" y2="150"/><line x1="128" y1="104" x2="164" y2="150"/><line x1="128" y1="104" x2="128" y2="170"/>
  </g>
  <circle cx="128" cy="100" r="17" fill="#ffffff"/>
  <circle cx="90" cy="153" r="13" fill="#5cf08a"/>
  <circle cx="166" cy="153" r="13" fill="#ffb020"/>
  <circle cx="128" cy="174" r="13" fill="#5cf08a"/>
</svg>`;

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
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
  const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${mark(256)}</body></html>`);
  await page.screenshot({ path: 'icon.png', omitBackground: true });
  await page.setViewportSize({ width: 500, height: 200 });
  await page.setContent(`<html><body style="margin:0;background:transparent;display:flex;align-items:center;gap:18px;font-family:'DejaVu Sans',Arial,sans-serif;height:200px">
    <div style="width:160px;height:160px;margin-left:20px">${mark(160)}</div>
    <div><div style="font-size:52px;font-weight:700;color:#0b4f96;letter-spacing:-1px">LAN</div>
    <div style="font-size:44px;font-weight:600;color:#1a7f45;margin-top:-6px">Sentinel</div></div></body></html>`);
  await page.screenshot({ path: 'logo.png', omitBackground: true });
  await browser.close();
}

void main();
