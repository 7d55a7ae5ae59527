/** Inventory domain types: identity is the MAC address. */

import type { ChangeType, Presence, RiskLevel, Severity } from '../vocabulary.js';
import { ipOfKey } from './deviceKey.js';
import { type DeviceKind, effectiveKind, KIND_INFO, shortVendor } from './kinds.js';

/** The vocabulary lives in src/vocabulary.ts; re-exported here for code written against the old place. */
export {
  CHANGE_TYPES,
  type ChangeType,
  type MeasuredRisk,
  type Presence,
  type RiskLevel,
  type Severity,
} from '../vocabulary.js';

export interface DevicePort {
  protocol: 'tcp' | 'udp';
  port: number;
  service?: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  /** nmap service tunnel ("ssl") when the service runs inside TLS */
  tunnel?: string;
  /** nmap's service device type ("webcam", "printer", "WAP", …) */
  devicetype?: string;
  /** the page title nmap's http-title script read */
  httpTitle?: string;
  /** the HTTP `Server` header nmap's http-server-header script read */
  httpServer?: string;
  cpe: string[];
  firstSeen: string;
  lastSeen: string;
}

export interface Device {
  /** lowercase aa:bb:cc:dd:ee:ff */
  mac: string;
  ip: string | null;
  hostname: string | null;
  /** user-given name; always wins over hostname for display */
  name: string | null;
  vendor: string | null;
  randomized: boolean;
  /** ISO-8601 with timezone */
  firstSeen: string;
  lastSeen: string;
  online: boolean;
  presence: Presence;
  /** consecutive sweeps that did not see the device */
  missedSweeps: number;
  /**
   * The evidence of the last presence decision: "sweep: arp-response", "probe: syn-ack" (a confirmation probe
   * found it before it could be marked away), "passive: dhcp", or when away the probes that went unanswered.
   */
  presenceReason?: string | null;
  known: boolean;
  watched: boolean;
  ignored: boolean;
  notes: string | null;
  /** per-device consider_home override (seconds) or null for the global value */
  considerHome: number | null;
  /** open ports from the most recent port scan of this device */
  ports: DevicePort[];
  /** ISO time of the most recent port scan of this device, null when never scanned */
  portsScannedAt: string | null;
  riskScore: number;
  risk: RiskLevel;
  /** true until acknowledged (marked known) */
  isNew: boolean;
  /** kind guessed from the pattern table (null: no guess yet or nothing points anywhere) */
  kind?: DeviceKind | null;
  /** 0-100, the guess's confidence (0 without a guess) */
  kindConfidence?: number;
  /** what the guess rests on, strongest first */
  kindReasons?: string[];
  /** kind the user set; wins over the guess */
  kindOverride?: DeviceKind | null;
}

export interface Change {
  type: ChangeType;
  mac: string | null;
  ip: string | null;
  name: string | null;
  vendor: string | null;
  severity: Severity;
  message: string;
  before?: unknown;
  after?: unknown;
  /** ISO-8601 */
  time: string;
  /** scan id that produced it, when any */
  scanId?: number | null;
}

/**
 * Display name: user name > hostname > short vendor + kind + the IP's last part ("Hikvision camera .30",
 * "Sonos speaker .41", "Camera .30" without a vendor) > short vendor + MAC tail > MAC. Without an IP the MAC's
 * last three bytes stand in for the address.
 */
export function displayName(
  d: Pick<Device, 'name' | 'hostname' | 'vendor' | 'mac'> &
    Partial<Pick<Device, 'ip' | 'kind' | 'kindOverride' | 'randomized'>>,
): string {
  if (d.name) return d.name;
  if (d.hostname) return d.hostname;
  const vendor = shortVendor(d.vendor);
  const kind = effectiveKind(d);
  const where = d.ip ? `.${d.ip.slice(d.ip.lastIndexOf('.') + 1)}` : d.mac.slice(-8);
  if (kind) {
    const noun = KIND_INFO[kind].noun;
    if (vendor) return `${vendor} ${noun} ${where}`;
    return `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${where}`;
  }
  if (vendor) return `${vendor} ${where}`;
  if (d.randomized) return `Private device ${where}`;
  // a device identified by IP (routed subnet) is called by its address, never by its key
  return ipOfKey(d.mac) ?? d.mac;
}

/** aa:bb:cc:dd:ee:ff → aabbccddeeff (ids and topics). */
export function mac12(mac: string): string {
  return mac.replace(/:/g, '').toLowerCase();
}
