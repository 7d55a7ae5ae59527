/**
 * Screenshots of the CLI as a user sees it in a 100-column terminal: docs/screenshots/cli-<name>.png and the
 * plain-text capture cli-<name>.txt. Run as root: npx tsx scripts/cli-screenshots.ts (after npm run build).
 *
 * A simulated LAN (tests/lan: namespaces only, lsn- prefix) with the default hosts; the real service runs in its
 * scanner namespace with the real nmap; each command runs in a detached tmux session of 100×40 (its own tmux
 * socket, TERM=xterm-256color) as a remote client of that service (the CLI itself never scans from here);
 * `tmux capture-pane -e` keeps the colours, scripts/ansi-html.ts turns them into HTML and Debian's Chromium
 * renders it. Everything it made is removed at the end, on failure and on SIGINT/SIGTERM/SIGHUP.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CLI, eventually, ROOT, ServiceProcess, serviceFlags } from '../tests/helpers/serviceProcess.js';
import { CHROMIUM, LAUNCH_ARGS } from '../tests/helpers/uiBrowser.js';
import { defaultHosts } from '../tests/lan/hosts.js';
import { SimLan } from '../tests/lan/sim-lan.js';
import { ansiToHtml, escapeHtml } from './ansi-html.js';

const COLS = 100;
const ROWS = 40;
const OUT_DIR = join(ROOT, 'docs', 'screenshots');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let lan: SimLan | null = null;
let svc: ServiceProcess | null = null;
let tmuxStarted = false;
let confDir: string | null = null;
/** the service's data dir, made here (so that it is removed even when the service never got ready) */
let dataDir: string | null = null;

function tmux(args: string[], env?: NodeJS.ProcessEnv): string {
  confDir ??= mkdtempSync(join(tmpdir(), 'lsn-shots-'));
  // its own server on a socket in its own temp dir: no other tmux is touched, and the socket goes with the dir
  return execFileSync('tmux', ['-S', join(confDir, 'tmux.sock'), ...args], {
    encoding: 'utf8',
    ...(env ? { env } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Synchronous teardown of what this script started: its tmux server (own socket, in its own temp dir), the
 * service and its data dir. Called on normal exit, on failure, and from the signal handler; the simulated
 * LAN's namespaces (and any child left in them) go with `lan.destroy()` or, on a signal, with the exit hook
 * SimLan.create registers (tests/lan/cleanup.ts). Safe to call twice.
 */
export function cleanupSync(): void {
  if (tmuxStarted) {
    try {
      tmux(['kill-server']);
    } catch {
      /* already gone */
    }
    tmuxStarted = false;
  }
  if (confDir) rmSync(confDir, { recursive: true, force: true });
  confDir = null;
  if (svc) {
    try {
      svc.cleanup();
    } catch {
      /* best effort */
    }
    svc = null;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = null;
}

async function cleanup(): Promise<void> {
  const s = svc;
  if (s) await s.stop().catch(() => undefined);
  cleanupSync();
  const l = lan;
  lan = null;
  await l?.destroy();
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(sig, () => {
    cleanupSync();
    // the 'exit' hook of tests/lan deletes the namespaces
    process.exit(sig === 'SIGINT' ? 130 : sig === 'SIGTERM' ? 143 : 129);
  });

/** Starts `argv` (no shell) in a new detached 100×40 tmux session. */
function startInTmux(name: string, argv: string[], env: Record<string, string>): void {
  confDir ??= mkdtempSync(join(tmpdir(), 'lsn-shots-'));
  const conf = join(confDir, 'tmux.conf');
  writeFileSync(
    conf,
    [
      'set -g default-terminal xterm-256color',
      'set -g status off',
      'set -g remain-on-exit on',
      'set -g history-limit 5000',
      '',
    ].join('\n'),
  );
  const base = ['-f', conf, 'new-session', '-d', '-s', name, '-x', String(COLS), '-y', String(ROWS)];
  const envFlags = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  tmux([...base, ...envFlags, '--', ...argv], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    TERM: 'xterm-256color',
  });
  tmuxStarted = true;
}

/** The pane's whole text (scrollback included) with its SGR escapes; tmux's "Pane is dead" line dropped. */
function capture(name: string): string {
  const raw = tmux(['capture-pane', '-e', '-p', '-S', '-', '-t', name]);
  const lines = raw.replace(/\n+$/, '').split('\n');
  while (lines.length && /^(\x1b\[[0-9;]*m)*\s*(\x1b\[[0-9;]*m)*$/.test(lines.at(-1)!)) lines.pop();
  if (lines.length && /Pane is dead/.test(lines.at(-1)!)) lines.pop();
  while (lines.length && /^(\x1b\[[0-9;]*m)*\s*(\x1b\[[0-9;]*m)*$/.test(lines.at(-1)!)) lines.pop();
  return `${lines.join('\n')}\n`;
}

function paneDead(name: string): boolean {
  return tmux(['display-message', '-p', '-t', name, '#{pane_dead} #{pane_dead_status}']).startsWith('1');
}

function deadStatus(name: string): number {
  return Number(tmux(['display-message', '-p', '-t', name, '#{pane_dead_status}']).trim());
}

async function waitDead(name: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!paneDead(name)) {
    if (Date.now() > deadline)
      throw new Error(`${name}: still running after ${timeoutMs} ms:\n${capture(name)}`);
    await sleep(200);
  }
  return deadStatus(name);
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;:]*[@-~]/g, '');

interface Shot {
  name: string;
  prompt: string;
  text: string;
}

async function render(shots: Shot[]): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 }, deviceScaleFactor: 1 });
    for (const s of shots) {
      const body = ansiToHtml(s.text);
      await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>
        body { margin: 0; background: #0e0f10; }
        #term { display: inline-block; margin: 0; padding: 12px 14px; background: #1d1f21; color: #d0d0d0;
          font: 14px/1.3 'DejaVu Sans Mono', 'Liberation Mono', monospace; white-space: pre; }
        #term .cols { width: ${COLS}ch; min-height: calc(${ROWS} * 1.3em); }
        .prompt { color: #98c379; }
      </style></head><body><div id="term"><div class="cols"><span class="prompt">$ </span>${escapeHtml(s.prompt)}
${body}</div></div></body></html>`);
      const png = join(OUT_DIR, `cli-${s.name}.png`);
      await page.locator('#term').screenshot({ path: png });
      writeFileSync(join(OUT_DIR, `cli-${s.name}.txt`), `$ ${s.prompt}\n${stripAnsi(s.text)}`);
      console.log(`wrote ${png}`);
    }
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  lan = await SimLan.create({ hosts: defaultHosts() });
  dataDir = mkdtempSync(join(tmpdir(), 'lsn-svc-'));
  svc = await ServiceProcess.start(lan, {
    dataDir,
    startTimeoutMs: 60_000,
    flags: serviceFlags({ mqttUrl: 'none', ports: '21,22,23,80,443,2222' }),
  });
  const s = svc;
  await eventually(
    async () =>
      (await s.api<{ port_scans: { initial: string } }>('api/health')).body.port_scans.initial === 'done',
    180_000,
    'the first-start port scan',
  );
  const created = await s.api<{ secret: string }>('api/keys', {
    method: 'POST',
    body: JSON.stringify({ name: 'screenshots', scope: 'admin' }),
  });
  if (created.status !== 201) throw new Error(`api/keys: ${created.status} ${JSON.stringify(created.body)}`);
  // the remote settings a user would export once; the command line then reads as a user types it
  const env = {
    LAN_SENTINEL_API_URL: s.baseUrl,
    LAN_SENTINEL_API_KEY: created.body.secret,
    USER: 'demo',
  };
  const cli = (args: string[]) => [process.execPath, CLI, ...args];
  const shots: Shot[] = [];

  // first a sweep and a port scan of every device, with the progress bar: once mid-scan, once at the end
  const scanArgs = ['scan', '--ports'];
  startInTmux('scan', cli(scanArgs), env);
  // every frame of the port scan's bar part-way; the one nearest half-way is shown
  const frames: Array<{ pct: number; text: string }> = [];
  const deadline = Date.now() + 300_000;
  while (!paneDead('scan')) {
    if (Date.now() > deadline) throw new Error(`scan still running:\n${capture('scan')}`);
    const t = capture('scan');
    const last = stripAnsi(t).trimEnd().split('\n').at(-1) ?? '';
    const m = /^scan \d+ ports \[[#.]+\]\s+(\d+)%/.exec(last);
    if (m && Number(m[1]) > 0 && Number(m[1]) < 100) frames.push({ pct: Number(m[1]), text: t });
    await sleep(250);
  }
  const code = await waitDead('scan', 1000);
  const end = capture('scan');
  if (code !== 0) throw new Error(`lan-sentinel scan exited ${code}:\n${end}`);
  const mid = frames.sort((a, b) => Math.abs(a.pct - 50) - Math.abs(b.pct - 50))[0];
  if (!mid) throw new Error(`no progress bar seen mid-scan:\n${end}`);
  shots.push({ name: 'scan-progress', prompt: `lan-sentinel ${scanArgs.join(' ')}`, text: mid.text });
  shots.push({ name: 'scan', prompt: `lan-sentinel ${scanArgs.join(' ')}`, text: end });

  // then the listings, which now include that scan
  for (const [name, args] of [
    ['devices', ['devices']],
    ['scans', ['scans']],
    ['findings', ['findings']],
  ] as const) {
    startInTmux(name, cli([...args]), env);
    const rc = await waitDead(name, 60_000);
    const text = capture(name);
    if (rc !== 0) throw new Error(`lan-sentinel ${args.join(' ')} exited ${rc}:\n${text}`);
    shots.push({ name, prompt: `lan-sentinel ${args.join(' ')}`, text });
  }

  await render(shots);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup().catch((e: unknown) => console.error('cleanup:', e));
  });
