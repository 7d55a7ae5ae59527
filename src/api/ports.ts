/**
 * The API's view of the repositories it reads and writes. The core Store is used as is; findings, alerts
 * and webhooks are optional structural interfaces so the API works (empty lists / 503) before or without
 * the threats and alerts modules. main.ts passes the real repositories, or thin adapters onto them.
 */

import type { FindingAccept } from '../store/acceptsRepo.js';
import type { ExpectedPorts } from '../store/expectedPortsRepo.js';
import type { Store } from '../store/store.js';
import type { FindingGroup } from '../threats/groups.js';
import type { TlsFact } from '../threats/tls.js';
import type { StoredFinding } from '../threats/types.js';
import type { Severity } from '../vocabulary.js';
import type {
  AcceptCreate,
  AlertAckManyBody,
  AlertExportQuery,
  AlertJson,
  AlertListQuery,
  AlertRuleCreate,
  AlertRuleJson,
  AlertRulePatch,
  AlertRulePreviewBody,
  AlertRulePreviewJson,
  DeliveryJson,
  FindingGroupListQuery,
  FindingListQuery,
  List,
  WebhookCreate,
  WebhookJson,
  WebhookPatch,
} from './schemas.js';

export type ApiStore = Pick<Store, 'devices' | 'scans' | 'changes' | 'history' | 'stats'> &
  Partial<Pick<Store, 'agents' | 'install' | 'identity' | 'macs' | 'ipv6' | 'mergeDevices' | 'splitMac'>>;

export interface FindingsPort {
  list(q: FindingListQuery): { items: StoredFinding[]; total: number };
  /** remediation groups, known exploited first (open groups before accepted ones) */
  groups(q: FindingGroupListQuery): { items: FindingGroup[]; total: number };
  /** accepts (mutes) in force */
  accepts(mac?: string): FindingAccept[];
  /**
   * Accept a finding or a group for the product version it is at now; null when the device has no such active
   * finding/group. Re-assesses the device (risk, HA state).
   */
  accept(a: AcceptCreate, by: string, now: Date): FindingAccept | null;
  /** Revoke an accept; null when unknown or already revoked. Re-assesses the device. */
  revoke(id: number, now: Date): FindingAccept | null;
  /** expected (allowed) open ports of a device; null = none set (no unexpected_port findings) */
  expectedPorts(mac: string): ExpectedPorts | null;
  /** Set ("tcp/22" keys) or clear (null) a device's expected ports. Re-assesses the device. */
  setExpectedPorts(mac: string, ports: string[] | null, now: Date): ExpectedPorts | null;
  /** TLS certificate and protocol facts of a device's TLS ports (last port scan) */
  tls(mac: string): TlsFact[];
  /** active findings per device (missing = 0) */
  activeCountByMac(macs: string[]): Map<string, number>;
  /** active findings per severity (metrics) */
  activeCountBySeverity(): Partial<Record<Severity, number>>;
}

export interface AlertsPort {
  list(q: AlertListQuery): List<AlertJson>;
  /** every alert matching the filters, newest first, at most ALERT_EXPORT_MAX (CSV export) */
  export(q: AlertExportQuery): AlertJson[];
  /** null when the id is unknown */
  ack(id: number, by: string): AlertJson | null;
  /** acknowledge every open alert matching the filters; returns how many */
  ackMany(q: AlertAckManyBody, by: string): number;
  rules: {
    list(): AlertRuleJson[];
    get(id: number): AlertRuleJson | null;
    create(input: AlertRuleCreate): AlertRuleJson;
    update(id: number, patch: AlertRulePatch): AlertRuleJson | null;
    delete(id: number): boolean;
    /** "would have fired N times in the last `days` days": the rule replayed over the stored changes */
    preview(input: AlertRulePreviewBody, days: number): AlertRulePreviewJson;
    /** the same for a saved rule; null when the id is unknown */
    previewSaved(id: number, days: number): AlertRulePreviewJson | null;
  };
}

export interface WebhooksPort {
  list(): WebhookJson[];
  get(id: number): WebhookJson | null;
  create(input: WebhookCreate): WebhookJson;
  update(id: number, patch: WebhookPatch): WebhookJson | null;
  delete(id: number): boolean;
  /** Sends a test event now and returns the recorded delivery. */
  test(id: number): Promise<DeliveryJson | null>;
  deliveries(id: number, page: { limit: number; offset: number }): List<DeliveryJson>;
  /** Refuses (400) a URL whose host is this service's own listener or link-local (after DNS). */
  checkUrl?(url: string): Promise<void>;
}
