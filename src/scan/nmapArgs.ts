import { isCidr, isIpv4, parseCidrOrIp } from './ipv4.js';
import { HOME_TCP, HOME_UDP } from './portProfiles.js';
import { MIN_PREFIX } from './targets.js';

/**
 * nmap argv builders (pure). argv is assembled only from fixed flags and re-validated values; nothing from an
 * option is ever passed through as an nmap flag. Targets always follow a literal `--`, which ends nmap's option
 * parsing (nmap's getopt permutes argv, so a target that looked like an option would otherwise be honoured).
 */

/** Port profiles a port scan can use (`custom` = the configured `ports` list). */
export const PORT_PROFILES = ['home', 'top100', 'top1000', 'custom'] as const;
export type PortProfile = (typeof PORT_PROFILES)[number];

export interface SweepArgsInput {
  targets: readonly string[];
  exclude?: readonly string[];
  /** nmap has raw-socket rights (root or NMAP_PRIVILEGED). */
  privileged: boolean;
  /** Every target is on a directly attached network (ARP ping possible). */
  attached: boolean;
}

export interface PortScanArgsInput {
  targets: readonly string[];
  exclude?: readonly string[];
  profile: PortProfile;
  /** Ports or ranges ("22", "8000-8100") for the custom profile. */
  ports?: readonly string[];
  privileged: boolean;
  /** Per-host bound, whole seconds (1-86400). */
  hostTimeoutSec: number;
  /** nmap --version-intensity 0-9; nmap's default (7) when omitted. */
  versionIntensity?: number;
  /** Skip host discovery (-Pn): only for single addresses already known to be up. */
  assumeUp?: boolean;
  /**
   * Run nmap's ssl-cert and ssl-enum-ciphers scripts (they only act on ports that speak TLS). The script
   * names are fixed here; no option can name another script.
   */
  tlsScripts?: boolean;
}

/** TLS scripts (option tls_checks; they act only on ports that speak TLS) and their per-host bound. */
export const TLS_SCRIPTS_LIST = 'ssl-cert,ssl-enum-ciphers';
export const SCRIPT_TIMEOUT = '60s';

/** Thrown when a value handed to a builder is not a valid target, port or number. */
export class NmapArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NmapArgsError';
  }
}

export const MAX_TARGETS = 4096;
const MAX_PORT_SPECS = 1000;
const PORT_SPEC = /^([1-9]\d{0,4})(?:-([1-9]\d{0,4}))?$/;
/** Probes for routed networks or unprivileged runs: common TCP ports answered by most devices (62078 = iPhone). */
const TCP_PING_PORTS = '22,80,443,8080,62078';
/** nmap scripts every port scan runs (safe, default-category, one request each). */
export const HTTP_SCRIPTS = 'http-title,http-server-header';
const COMMON = ['-T4', '--max-retries', '2', '--stats-every', '2s', '-oX', '-'] as const;

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

function checkTargets(targets: readonly string[]): string[] {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new NmapArgsError('targets: at least one IPv4 address or CIDR is required');
  }
  if (targets.length > MAX_TARGETS) {
    throw new NmapArgsError(`targets: ${targets.length} entries is more than the ${MAX_TARGETS} allowed`);
  }
  return targets.map((t) => {
    if (!isIpv4(t) && !isCidr(t)) {
      throw new NmapArgsError(`targets: ${show(t)} is not an IPv4 address or CIDR such as 192.168.1.0/24`);
    }
    const c = parseCidrOrIp(t)!;
    if (c.prefix < MIN_PREFIX) {
      throw new NmapArgsError(`targets: ${show(t)} is larger than /${MIN_PREFIX}`);
    }
    return t;
  });
}

function excludeArgs(exclude: readonly string[] | undefined): string[] {
  if (exclude === undefined || exclude.length === 0) return [];
  if (!Array.isArray(exclude) || exclude.length > MAX_TARGETS) {
    throw new NmapArgsError(`exclude: at most ${MAX_TARGETS} IPv4 addresses or CIDRs`);
  }
  for (const e of exclude) {
    if (!isIpv4(e) && !isCidr(e)) {
      throw new NmapArgsError(`exclude: ${show(e)} is not an IPv4 address or CIDR such as 192.168.1.7`);
    }
  }
  return ['--exclude', exclude.join(',')];
}

function checkPortSpec(spec: string): string {
  const m = typeof spec === 'string' ? PORT_SPEC.exec(spec) : null;
  const lo = m ? Number(m[1]) : Number.NaN;
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (!m || lo > 65535 || hi > 65535 || hi < lo) {
    throw new NmapArgsError(`ports: ${show(spec)} is not a port 1-65535 or a range such as 8000-8100`);
  }
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new NmapArgsError(`${name}: ${show(v)} must be a whole number from ${min} to ${max}`);
  }
  return v;
}

/** Presence sweep: host discovery only (`-sn`), ARP on attached networks when privileged, TCP/ICMP otherwise. */
export function buildSweepArgs(input: SweepArgsInput): string[] {
  const targets = checkTargets(input.targets);
  const probes =
    input.privileged && input.attached
      ? ['-PR']
      : input.privileged
        ? ['-PE', `-PS${TCP_PING_PORTS}`, '-PA80']
        : [`-PS${TCP_PING_PORTS}`];
  return ['-n', '-sn', ...probes, ...COMMON, ...excludeArgs(input.exclude), '--', ...targets];
}

/**
 * The nmap runs of one port scan: TCP always; UDP too for the `home` profile with raw sockets. They are two
 * invocations because one combined `-sS -sU -sV` run makes nmap wait out UDP retransmissions and version probes
 * for every host before it finishes the TCP side (99 s against 13 s + 14 s for the same five hosts, see
 * bench/portscan.ts). The caller runs them in turn and merges the results (mergePortScans).
 */
export interface PortScanRun {
  protocol: 'tcp' | 'udp';
  argv: string[];
}

/** nmap --version-intensity of the UDP run: only the probes written for each port (DNS, SNMP, NTP, …). */
export const UDP_VERSION_INTENSITY = 0;

export function buildPortScanRuns(input: PortScanArgsInput): PortScanRun[] {
  const tcp: PortScanRun = { protocol: 'tcp', argv: buildPortScanArgs(input) };
  const udp = buildUdpScanArgs(input);
  return udp ? [tcp, { protocol: 'udp', argv: udp }] : [tcp];
}

/** TCP port/service scan: SYN (root) or connect scan, version detection, a port profile, bounded per host. */
export function buildPortScanArgs(input: PortScanArgsInput): string[] {
  const targets = checkTargets(input.targets);
  const hostTimeout = checkInt('hostTimeoutSec', input.hostTimeoutSec, 1, 86_400);
  let portArgs: string[];
  switch (input.profile) {
    case 'home':
      portArgs = ['-p', HOME_TCP.join(',')];
      break;
    case 'top100':
      portArgs = ['--top-ports', '100'];
      break;
    case 'top1000':
      portArgs = ['--top-ports', '1000'];
      break;
    case 'custom': {
      const ports = input.ports ?? [];
      if (!Array.isArray(ports) || ports.length === 0 || ports.length > MAX_PORT_SPECS) {
        throw new NmapArgsError(`ports: the custom profile needs 1 to ${MAX_PORT_SPECS} ports or ranges`);
      }
      portArgs = ['-p', [...new Set(ports.map(checkPortSpec))].join(',')];
      break;
    }
    default:
      throw new NmapArgsError(
        `port_profile: ${show(input.profile)} is not one of home, top100, top1000, custom`,
      );
  }
  const intensity =
    input.versionIntensity === undefined
      ? []
      : ['--version-intensity', String(checkInt('versionIntensity', input.versionIntensity, 0, 9))];
  checkAssumeUp(input, targets);
  return [
    '-n',
    input.privileged ? '-sS' : '-sT',
    '-sV',
    ...intensity,
    // page title and Server header of web interfaces: evidence for the device's kind (DESIGN §5)
    // TLS certificate and protocols when tls_checks is on; these fixed names are the only scripts ever run
    '--script',
    input.tlsScripts === true ? `${HTTP_SCRIPTS},${TLS_SCRIPTS_LIST}` : HTTP_SCRIPTS,
    ...(input.tlsScripts === true ? ['--script-timeout', SCRIPT_TIMEOUT] : []),
    ...portArgs,
    '--host-timeout',
    `${hostTimeout}s`,
    ...(input.assumeUp === true ? ['-Pn'] : []),
    ...COMMON,
    ...excludeArgs(input.exclude),
    '--',
    ...targets,
  ];
}

/**
 * The UDP run of the `home` profile (raw sockets only; null otherwise): `-sU` over HOME_UDP with version
 * detection at UDP_VERSION_INTENSITY, no scripts (the HTTP and TLS scripts act on TCP ports only).
 */
export function buildUdpScanArgs(input: PortScanArgsInput): string[] | null {
  const targets = checkTargets(input.targets);
  const hostTimeout = checkInt('hostTimeoutSec', input.hostTimeoutSec, 1, 86_400);
  if (input.profile !== 'home' || !input.privileged) return null;
  checkAssumeUp(input, targets);
  return [
    '-n',
    '-sU',
    '-sV',
    '--version-intensity',
    String(UDP_VERSION_INTENSITY),
    '-p',
    HOME_UDP.join(','),
    '--host-timeout',
    `${hostTimeout}s`,
    ...(input.assumeUp === true ? ['-Pn'] : []),
    ...COMMON,
    ...excludeArgs(input.exclude),
    '--',
    ...targets,
  ];
}

function checkAssumeUp(input: PortScanArgsInput, targets: readonly string[]): void {
  if (input.assumeUp === true && targets.some((t) => t.includes('/') && !t.endsWith('/32'))) {
    throw new NmapArgsError('assumeUp: -Pn is only allowed when every target is a single address');
  }
}

/** TCP ports phones keep open or answer while dozing: iPhone lockdownd (62078), mDNS/AirPlay, web, SSH. */
export const PHONE_TCP_PORTS = '62078,5353,7000,80,443,22,8080';

/**
 * A direct probe of devices about to be marked away (DESIGN §15). `arp`: ARP only (nmap prefers it on an
 * attached LAN and then ignores other probe types); `ip`: ICMP echo + TCP SYN to phone-typical ports + an
 * mDNS UDP probe sent as IP (`--send-ip`), so a device that ignores one kind of probe still answers another.
 * Without raw sockets only TCP connect probes are possible. Targets are single addresses.
 */
export function buildConfirmArgs(input: {
  targets: readonly string[];
  method: 'arp' | 'ip';
  privileged: boolean;
}): string[] {
  const targets = checkTargets(input.targets);
  if (targets.some((t) => !isIpv4(t)))
    throw new NmapArgsError('confirmation probes take single IPv4 addresses');
  const probes = !input.privileged
    ? [`-PS${PHONE_TCP_PORTS}`]
    : input.method === 'arp'
      ? ['-PR']
      : ['--send-ip', '-PE', `-PS${PHONE_TCP_PORTS}`, '-PA80', '-PU5353'];
  return [
    '-n',
    '-sn',
    ...probes,
    '-T4',
    '--max-retries',
    '3',
    '--host-timeout',
    '10s',
    '-oX',
    '-',
    '--',
    ...targets,
  ];
}
