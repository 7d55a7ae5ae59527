/**
 * The API's view of the repositories it reads and writes. The core Store is used as is; findings, alerts
 * and webhooks are optional structural interfaces so the API works (empty lists / 503) before or without
 * the threats and alerts modules. main.ts passes the real repositories, or thin adapters onto them.
 */
import type { Severity } from '../vocabulary.js';
import type { Store } from '../store/store.js';
import type { StoredFinding } from '../threats/types.js';
import type {
  AlertJson,
  AlertListQuery,
  AlertRuleCreate,
  AlertRuleJson,
  AlertRulePatch,
  DeliveryJson,
  FindingListQuery,
  List,
  WebhookCreate,
  WebhookJson,
  WebhookPatch,
} from './schemas.js';

export type ApiStore = Pick<Store, 'devices' | 'scans' | 'changes' | 'history'>;

export interface FindingsPort {
  list(q: FindingListQuery): { items: StoredFinding[]; total: number };
  /** active findings per device (missing = 0) */
  activeCountByMac(macs: string[]): Map<string, number>;
  /** active findings per severity (metrics) */
  activeCountBySeverity(): Partial<Record<Severity, number>>;
}

export interface AlertsPort {
  list(q: AlertListQuery): List<AlertJson>;
  /** null when the id is unknown */
  ack(id: number, by: string): AlertJson | null;
  rules: {
    list(): AlertRuleJson[];
    get(id: number): AlertRuleJson | null;
    create(input: AlertRuleCreate): AlertRuleJson;
    update(id: number, patch: AlertRulePatch): AlertRuleJson | null;
    delete(id: number): boolean;
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
}
