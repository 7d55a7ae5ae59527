/** Inventory domain types: identity is the MAC address. */

import type { ChangeType, Presence, RiskLevel, Severity } from '../vocabulary.js';

/** The vocabulary lives in src/vocabulary.ts; re-exported here for code written against the old place. */
export { CHANGE_TYPES, type ChangeType, type Presence, type RiskLevel, type Severity } from '../vocabulary.js';

export interface DevicePort {
  protocol: 'tcp' | 'udp';
  port: number;
  service?: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  /** nmap service tunnel ("ssl") when the service runs inside TLS */
  tunnel?: string;
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

/** Display name: user name > hostname > vendor + MAC tail > MAC. */
export function displayName(d: Pick<Device, 'name' | 'hostname' | 'vendor' | 'mac'>): string {
  if (d.name) return d.name;
  if (d.hostname) return d.hostname;
  if (d.vendor) return `${d.vendor} ${d.mac.slice(-8)}`;
  return d.mac;
}

/** aa:bb:cc:dd:ee:ff → aabbccddeeff (ids and topics). */
export function mac12(mac: string): string {
  return mac.replace(/:/g, '').toLowerCase();
}
