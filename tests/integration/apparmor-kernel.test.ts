/**
 * apparmor.txt proven in a real AppArmor kernel (issue 12; ha-reference Addendum, "Testing AppArmor here").
 *
 * Debian's kernel (linux-image-amd64) boots under qemu TCG with `apparmor=1 security=apparmor`, from a busybox
 * initramfs built here, with the host's / shared read-only over virtio-9p and no network device. Inside, the
 * guest driver (tests/apparmor/guestDriver.ts) loads the profile as the Supervisor does (renamed to the local slug
 * `local_lan_sentinel`, `apparmor_parser -r -W`), builds a LAN of veth pairs and namespaces in the guest kernel,
 * starts the add-on's s6 run script confined by the top-level profile, and checks sweep, port scan, labels,
 * SIGTERM, card write and the kernel's denials. The same run loads a deliberately broken copy of the profile (the
 * nmap exec rule that shipped before: `Cx -> lan_sentinel_nmap` inside the node child) and must see it fail.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  type CpioEntry,
  findDebianKernel,
  hostFile,
  moduleLoadOrder,
  newcArchive,
  type RunningGuest,
} from '../helpers/qemuGuest.js';
import { adjustProfile, profileName } from '../helpers/supervisorAppArmor.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SLUG = 'local_lan_sentinel';
const SUBNET = '10.213.250.0/24';
const HOSTS = [
  { name: 'nas', ip: '10.213.250.11', mac: '02:5e:00:fa:00:11', ports: [80] },
  { name: 'printer', ip: '10.213.250.12', mac: '02:5e:00:fa:00:12', ports: [22, 8080] },
  { name: 'plug', ip: '10.213.250.13', mac: '02:5e:00:fa:00:13', ports: [] as number[] },
];
/** whole guest run (boot + both variants); the guest is killed when it is over */
const GUEST_BUDGET_MS = 9 * 60_000;
const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p) && isStaticElf(p));

/** A static ELF64 has no PT_INTERP program header (it runs in the initramfs before any libc exists). */
function isStaticElf(p: string): boolean {
  const b = readFileSync(p);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

function missing(): string[] {
  const out: string[] = [];
  if (!findDebianKernel()) out.push('no /boot/vmlinuz-* with modules: apt-get install -y linux-image-amd64');
  try {
    execFileSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' });
  } catch {
    out.push('qemu-system-x86_64 missing: apt-get install -y qemu-system-x86');
  }
  if (!existsSync('/usr/sbin/apparmor_parser') || !existsSync('/usr/bin/aa-exec'))
    out.push('apparmor_parser/aa-exec missing: apt-get install -y apparmor');
  if (!BUSYBOX) out.push('no static busybox: apt-get install -y busybox-static');
  if (!existsSync(join(ROOT, 'dist', 'cli.js')) || !existsSync(join(ROOT, 'frontend-card', 'dist')))
    out.push('not built: npm run build');
  return out;
}

const absent = missing();
const ci = process.env.CI === 'true' || process.env.CI === '1';
if (absent.length && ci)
  throw new Error(`AppArmor kernel test prerequisites missing under CI=true: ${absent.join('; ')}`);
const suite = absent.length ? describe.skip : describe;

/** The shipped node child's nmap rule swapped for the one that shipped before issue 12. */
function brokenProfile(good: string): string {
  const rule = /^(\s*)\/usr\/bin\/nmap \w+,\s*$/m;
  if (!rule.test(good)) throw new Error('apparmor.txt has no "/usr/bin/nmap <mode>," rule to break');
  return good.replace(rule, '$1/usr/bin/nmap Cx -> lan_sentinel_nmap,');
}

interface VariantResult {
  variant: string;
  error?: string;
  checks: Record<string, { ok: boolean; detail: string }>;
  labels: { node: string[]; nmap: string[] };
  denials: string[];
  stopMs: number | null;
  notification: Record<string, unknown> | null;
  loadedProfiles: string[];
  serviceLogTail: string;
  ms: number;
}

suite(`AppArmor profile in a real kernel (qemu TCG)${absent.length ? ` [skipped: ${absent.join('; ')}]` : ''}`, () => {
  let dir: string;
  let guest: RunningGuest | null = null;
  let results: VariantResult[] = [];
  let wallMs = 0;
  let bootedAtMs: number | null = null;

  beforeAll(async () => {
    const t0 = Date.now();
    const kernel = findDebianKernel()!;
    dir = mkdtempSync('/tmp/lsn-aa-');
    const good = readFileSync(join(ROOT, 'apparmor.txt'), 'utf8');
    expect(profileName(good)).toBe('lan_sentinel');
    writeFileSync(join(dir, 'good.aa'), adjustProfile(good, SLUG));
    writeFileSync(join(dir, 'broken.aa'), adjustProfile(brokenProfile(good), SLUG));
    writeFileSync(join(dir, 'run-shim.sh'), readFileSync(join(ROOT, 'tests', 'apparmor', 'run-shim.sh')));
    const lan = HOSTS.flatMap((h, i) => {
      const ns = `h${i}`;
      const listeners = h.ports.map((p) => `$IP netns exec ${ns} /bb/httpd -p ${h.ip}:${p} -h /tmp`);
      return [
        `$IP netns add ${ns}`,
        `$IP link add v${i} type veth peer name eth0 netns ${ns}`,
        `$IP link set v${i} master br0 up`,
        `$IP -n ${ns} link set lo up`,
        `$IP -n ${ns} link set eth0 address ${h.mac}`,
        `$IP -n ${ns} addr add ${h.ip}/24 dev eth0`,
        `$IP -n ${ns} link set eth0 up`,
        ...listeners,
      ];
    });
    writeFileSync(
      join(dir, 'lan.sh'),
      [
        "# busybox sh runs its own applets first: the host's iproute2 by path",
        'IP=/usr/bin/ip',
        '$IP addr add 10.213.250.1/24 dev br0',
        ...lan,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'plan.json'),
      JSON.stringify({
        slug: SLUG,
        token: 'guest-supervisor-token',
        ingressPort: 8765,
        subnet: SUBNET,
        hosts: HOSTS,
        variants: [
          { name: 'shipped', profileFile: `/host${dir}/good.aa` },
          { name: 'broken', profileFile: `/host${dir}/broken.aa` },
        ],
        // what the Supervisor writes to /data/options.json
        options: {
          subnets: [SUBNET],
          exclude: [],
          sweep_interval: 3600,
          consider_home: 180,
          port_scan_schedule: 'off',
          port_profile: 'top100',
          ports: [],
          discovery_prefix: 'homeassistant',
          base_topic: 'lan_sentinel',
          notify_services: [],
          notify_on: ['new_device'],
          install_card: true,
          api_port: 0,
          log_level: 'info',
          retention_days: 90,
        },
        timeouts: { start: 150_000, sweep: 120_000, portScan: 180_000, card: 60_000, stop: 15_000 },
      }),
    );
    // the driver and the FakeHaServer it uses, as one CommonJS file node runs in the guest
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(ROOT, 'tests', 'apparmor', 'guestDriver.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(dir, 'driver.cjs'),
      external: ['bufferutil', 'utf-8-validate'],
      logLevel: 'silent',
    });
    // initramfs: static busybox, the modules (9p over virtio, veth, bridge) of the same kernel, /init
    const mods = moduleLoadOrder(kernel, ['virtio_pci', '9pnet_virtio', '9p', 'veth', 'bridge']);
    const entries: CpioEntry[] = [];
    for (const d of ['bb', 'proc', 'sys', 'dev', 'host', 'usr', 'etc', 'app', 'tmp', 'run', 'data'])
      entries.push({ path: d });
    for (const d of ['homeassistant', 'var', 'root', 'mods']) entries.push({ path: d });
    for (const [l, t] of [
      ['bin', 'usr/bin'],
      ['sbin', 'usr/sbin'],
      ['lib', 'usr/lib'],
      ['lib64', 'usr/lib64'],
    ])
      entries.push({ path: l!, symlink: t! });
    entries.push(hostFile(BUSYBOX!, 'bb/busybox', 0o755));
    entries.push(hostFile(join(ROOT, 'tests', 'apparmor', 'guest-init.sh'), 'init', 0o755));
    entries.push({
      path: 'modules.list',
      data: Buffer.from(mods.map((m) => m.replace(/^.*\//, '')).join('\n')),
    });
    for (const m of mods)
      entries.push(hostFile(join(kernel.modulesDir, m), `mods/${m.replace(/^.*\//, '')}`));
    writeFileSync(join(dir, 'initramfs.cpio'), newcArchive(entries));

    guest = bootGuest({
      kernel,
      initramfs: join(dir, 'initramfs.cpio'),
      consoleLog: join(dir, 'console.log'),
      append: `lsn_dir=${dir} lsn_repo=${ROOT}`,
    });
    const g = guest;
    const timer = setTimeout(() => g.kill(), GUEST_BUDGET_MS);
    await g.exited;
    clearTimeout(timer);
    wallMs = Date.now() - t0;
    const out = g.console();
    const booted = /@@BOOTED ([\d.]+)/.exec(out);
    bootedAtMs = booted ? Math.round(Number(booted[1]) * 1000) : null;
    results = [...out.matchAll(/^@@RESULT (.*)$/gm)].map((m) => JSON.parse(m[1]!) as VariantResult);
    const summary = results.map((r) => ({
      variant: r.variant,
      ms: r.ms,
      checks: Object.fromEntries(Object.entries(r.checks ?? {}).map(([k, v]) => [k, v.ok])),
      labels: r.labels,
      denials: r.denials?.length,
      stopMs: r.stopMs,
    }));
    console.log(
      `[apparmor] wall ${wallMs} ms, userspace at ${bootedAtMs} ms after kernel start; ${JSON.stringify(summary)}`,
    );
    if (results.length < 2 || !out.includes('@@DONE'))
      console.log(`[apparmor] guest console:\n${out.slice(-6000)}`);
  }, GUEST_BUDGET_MS + 60_000);

  afterAll(() => {
    guest?.kill();
    if (dir && !process.env.LSN_KEEP_GUEST_DIR) rmSync(dir, { recursive: true, force: true });
  });

  const variant = (name: string) => {
    const r = results.find((x) => x.variant === name);
    if (!r)
      throw new Error(`the guest reported no result for the ${name} profile (see the console dump above)`);
    if (r.error) throw new Error(`the guest driver failed for ${name}: ${r.error}`);
    return r;
  };
  const explain = (r: VariantResult) =>
    `${JSON.stringify(r.checks, null, 1)}\ndenials:\n${r.denials.join('\n')}\nservice log:\n${r.serviceLogTail}`;

  it('boots Debian’s kernel with AppArmor and loads the profile renamed to the slug, with its node child', () => {
    const r = variant('shipped');
    expect(r.checks.profile_loads?.ok, explain(r)).toBe(true);
    expect(r.loadedProfiles).toEqual(
      expect.arrayContaining([`${SLUG} (enforce)`, `${SLUG}//lan_sentinel_node (enforce)`]),
    );
  });

  it('sweeps the guest’s simulated LAN confined and finds every host by MAC', () => {
    const r = variant('shipped');
    expect(r.checks.starts?.ok, explain(r)).toBe(true);
    expect(r.checks.sweep_finds_every_mac?.ok, explain(r)).toBe(true);
    // IPv6 neighbour discovery: ping and ip run inside the node child's profile
    expect(r.checks.ndp_finds_ipv6?.ok, explain(r)).toBe(true);
  });

  it('port-scans confined and finds exactly the open ports', () => {
    const r = variant('shipped');
    expect(r.checks.port_scan_finds_open_ports?.ok, explain(r)).toBe(true);
  });

  it('runs node and nmap under the node child profile, never unconfined', () => {
    const r = variant('shipped');
    expect(r.labels.node, explain(r)).toEqual([`${SLUG}//lan_sentinel_node (enforce)`]);
    expect(r.labels.nmap, explain(r)).toEqual([`${SLUG}//lan_sentinel_node (enforce)`]);
  });

  it('writes the card into a fresh /homeassistant (www created) and asks for one Core restart', () => {
    const r = variant('shipped');
    expect(r.checks.card_written?.ok, explain(r)).toBe(true);
    expect(String(r.notification?.message ?? '')).toMatch(/restart/i);
  });

  it('stops within 10 s of a SIGTERM sent from the top-level profile', () => {
    const r = variant('shipped');
    expect(r.checks.sigterm_sent?.ok, explain(r)).toBe(true);
    expect(r.checks.stops_within_10s?.ok, explain(r)).toBe(true);
    expect(r.stopMs).toBeLessThan(10_000);
  });

  it('leaves no apparmor="DENIED" line in the kernel log', () => {
    const r = variant('shipped');
    expect(r.denials, explain(r)).toEqual([]);
  });

  it('control: the broken copy (nmap Cx into a child that does not exist) fails the same checks', () => {
    const r = variant('broken');
    expect(r.checks.profile_loads?.ok, explain(r)).toBe(true);
    const failed = Object.entries(r.checks)
      .filter(([, v]) => !v.ok)
      .map(([k]) => k);
    expect(failed).toEqual(expect.arrayContaining(['no_denials']));
    expect(r.checks.sweep_finds_every_mac?.ok ?? false).toBe(false);
    expect(r.denials.join('\n')).toMatch(/apparmor="DENIED" operation="exec".*name="\/usr\/bin\/nmap"/);
  });
});
