#!/usr/bin/env node
// Set-up that `npm start` and `npm test` run first, so the README's two commands work on a fresh Debian machine:
// installs missing system packages (as root; otherwise prints the exact command), npm dependencies, and builds.
// Usage: node scripts/ensure-built.mjs [--for start|test]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'start';
const say = (m) => process.stderr.write(`[setup] ${m}\n`);

const [maj, min] = process.versions.node.split('.').map(Number);
if (maj < 20 || (maj === 20 && min < 19)) {
  say(
    `Node ${process.versions.node} is too old: LAN Sentinel needs Node 20.19 or newer (22 and 24 work too).`,
  );
  process.exit(1);
}

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;

// System packages: nmap for the service; the test suite also needs iproute2 (simulated LAN), mosquitto, chromium.
const needed = [['nmap', 'nmap']];
if (purpose === 'test') {
  needed.push(
    ['ip', 'iproute2'],
    ['mosquitto', 'mosquitto'],
    ['mosquitto_passwd', 'mosquitto-clients'],
    ['chromium', 'chromium'],
  );
}
const missing = [
  ...new Set(
    needed
      .filter(([cmd]) => !have(cmd) && !(cmd === 'mosquitto' && existsSync('/usr/sbin/mosquitto')))
      .map(([, pkg]) => pkg),
  ),
];
if (missing.length > 0) {
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (isRoot && have('apt-get')) {
    say(`installing system packages: ${missing.join(' ')}`);
    execFileSync('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${cmd}`], { stdio: 'inherit' });
  } else {
    say(
      `missing system packages: ${missing.join(' ')}. Install them with:\n    sudo ${cmd.replace('&& apt-get', '&& sudo apt-get')}`,
    );
    if (purpose === 'start') process.exit(1);
  }
}

// npm dependencies
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (
  !existsSync(installed) ||
  (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000)
) {
  say('installing npm dependencies (npm ci; better-sqlite3 may compile for ~90 s)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

// build when missing or older than the sources
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = [
  join(root, 'dist', 'cli.js'),
  join(root, 'dist', 'ui', 'index.html'),
  join(root, 'frontend-card', 'dist', 'lan-sentinel-card.js'),
];
const builtAt = Math.min(...built.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
const srcAt = Math.max(newest(join(root, 'src')), newest(join(root, 'frontend-card')));
if (builtAt === 0 || srcAt > builtAt) {
  say('building (TypeScript, ingress UI, Lovelace card)');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}
