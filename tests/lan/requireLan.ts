/**
 * Prerequisites of the simulated LAN: root, iproute2 `ip`, nmap, and working network namespaces.
 * Under CI=true a missing prerequisite throws (never a silent skip); elsewhere the suite is skipped with a
 * visible reason.
 */
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';
import { findMosquitto } from './mosquitto.js';

export interface LanAvailability {
  ok: boolean;
  reason?: string;
}

let cached: LanAvailability | null = null;

function runs(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Checks once per process (creates and deletes a probe namespace `lsn-probe-<pid>`). */
export function lanAvailable(): LanAvailability {
  if (cached) return cached;
  const missing: string[] = [];
  if (process.platform !== 'linux') missing.push(`linux is required (this is ${process.platform})`);
  else if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    missing.push('root is required (network namespaces): run the tests as root');
  }
  if (!runs('ip', ['-V'])) missing.push('`ip` not found: apt-get install -y iproute2');
  if (!runs('nmap', ['--version'])) missing.push('`nmap` not found: apt-get install -y nmap');
  if (missing.length === 0) {
    const probe = `lsn-probe-${process.pid}`;
    const ok =
      runs('ip', ['netns', 'add', probe]) &&
      runs('ip', ['netns', 'exec', probe, 'ip', 'link', 'set', 'lo', 'up']);
    runs('ip', ['netns', 'del', probe]);
    if (!ok)
      missing.push(
        'network namespaces do not work here (`ip netns add` failed; container without CAP_SYS_ADMIN?)',
      );
  }
  cached = missing.length === 0 ? { ok: true } : { ok: false, reason: missing.join('; ') };
  return cached;
}

export function mosquittoAvailable(): LanAvailability {
  const { broker, passwd } = findMosquitto();
  if (!broker)
    return { ok: false, reason: '`mosquitto` not found: apt-get install -y mosquitto mosquitto-clients' };
  if (!passwd) return { ok: false, reason: '`mosquitto_passwd` not found: apt-get install -y mosquitto' };
  return { ok: true };
}

function isCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * Returns {ok:true} when the prerequisites are there. Otherwise: throws under CI=true, and outside CI returns
 * {ok:false, reason} after printing the reason (the caller skips).
 */
export function requireLanOrSkip(extra: LanAvailability[] = []): LanAvailability {
  const checks = [lanAvailable(), ...extra].filter((c) => !c.ok);
  if (checks.length === 0) return { ok: true };
  const reason = checks.map((c) => c.reason).join('; ');
  if (isCi()) throw new Error(`simulated LAN prerequisites missing under CI=true: ${reason}`);
  console.warn(`[lan] skipping simulated-LAN suite: ${reason}`);
  return { ok: false, reason };
}

/**
 * `describe` for simulated-LAN suites: runs when the prerequisites are there, throws under CI=true when they
 * are not, and otherwise registers a skipped suite whose title carries the reason.
 */
export function describeLan(name: string, fn: () => void, extra: LanAvailability[] = []): void {
  const r = requireLanOrSkip(extra);
  if (r.ok) describe(name, fn);
  else describe.skip(`${name} [skipped: ${r.reason}]`, fn);
}

/** Real DHCP/mDNS/ARP peers for passive listening: dnsmasq, busybox (udhcpc) and tcpdump. */
export function passivePeersAvailable(): LanAvailability {
  const missing: string[] = [];
  for (const [bin, pkg] of [
    [['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq'], 'dnsmasq-base'],
    [['/usr/bin/busybox', '/bin/busybox'], 'busybox-static'],
    [['/usr/bin/tcpdump', '/usr/sbin/tcpdump'], 'tcpdump'],
  ] as const) {
    if (!bin.some((p) => runs('test', ['-x', p])))
      missing.push(`${bin[0]} not found: apt-get install -y ${pkg}`);
  }
  return missing.length ? { ok: false, reason: missing.join('; ') } : { ok: true };
}

/** IPv6 neighbour discovery: iputils ping (the service pings ff02::1) besides iproute2. */
export function ndpToolsAvailable(): LanAvailability {
  if (['/usr/bin/ping', '/bin/ping'].some((p) => runs('test', ['-x', p]))) return { ok: true };
  return { ok: false, reason: '/usr/bin/ping not found: apt-get install -y iputils-ping' };
}
