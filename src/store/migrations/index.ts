import type { Db } from '../db.js';
import { m001Core } from './001_core.js';
import { m002Threats } from './002_threats_alerts.js';
import { m003Api } from './003_api_keys_audit.js';
import { m004DeviceSort } from './004_device_sort.js';
import { m005AuditActorKinds } from './005_audit_actor_kinds.js';
import { m006ScanRequests } from './006_scan_requests.js';
import { m007Agents } from './007_agents.js';
import { m008DeviceKinds } from './008_device_kinds.js';
import { m009StatsRollups } from './009_stats_rollups.js';
import { m010FindingsGroups } from './010_findings_groups.js';
import { m011PassiveIdentity } from './011_passive_identity.js';
import { m012PortFacts } from './012_port_facts.js';
import { m013PresenceReason } from './013_presence_reason.js';
import { m014Schedules } from './014_schedules.js';
import { m015PortHistoryPlan } from './015_port_history_plan.js';
import { m016AlertHistory } from './016_alert_history.js';
import { m017DeviceMacs } from './017_device_macs.js';
import { m018DeviceIpv6 } from './018_device_ipv6.js';
import { m019PortSeenByScan } from './019_port_seen_by_scan.js';
import { m020DeviceIpKeys } from './020_device_ip_keys.js';

/** Numbered migrations applied in order under PRAGMA user_version. Never edit a shipped one; add a new one. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** code run after `sql` in the same transaction (a rebuild that needs the stored schema) */
  run?: (db: Db) => void;
  /**
   * Run with foreign keys off (a table rebuild: dropping the old table must not cascade); the foreign keys are
   * checked before the commit and switched on again after.
   */
  foreignKeysOff?: boolean;
}

export const MIGRATIONS: Migration[] = [
  m001Core,
  m002Threats,
  m003Api,
  m004DeviceSort,
  m005AuditActorKinds,
  m006ScanRequests,
  m007Agents,
  m008DeviceKinds,
  m009StatsRollups,
  m010FindingsGroups,
  m011PassiveIdentity,
  m012PortFacts,
  m013PresenceReason,
  m014Schedules,
  m015PortHistoryPlan,
  m016AlertHistory,
  m017DeviceMacs,
  m018DeviceIpv6,
  m019PortSeenByScan,
  m020DeviceIpKeys,
];
