/**
 * What the HTTP API needs from the rest of the service. `main.ts` builds this object; tests build it from a
 * temp-file SQLite store. Optional parts (findings/alerts/webhooks) degrade to empty lists or 503.
 */

import type { DeviceCommands, WakeDeps } from '../inventory/commands.js';
import type { PortProfile } from '../scan/nmapArgs.js';
import type { CvePort } from '../service/cveFeeds.js';
import type { AuditRepo } from '../store/auditRepo.js';
import type { KeysRepo } from '../store/keysRepo.js';
import type { SchedulesRepo } from '../store/schedulesRepo.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import type { HealthProblemKind, HealthStatus } from '../vocabulary.js';
import type { AlertsPort, ApiStore, FindingsPort, WebhooksPort } from './ports.js';
import type { SessionAuth } from './session.js';

/** Structurally satisfied by src/service/scanCoordinator.ts ScanCoordinator. */
export interface ScanRequestResult {
  /** false when an identical request was already queued (coalesced) or the scanner is stopping */
  queued: boolean;
  coalesced?: boolean;
  /** queue position after the request */
  position?: number;
  /** the scan record of the request (an identical waiting request's when coalesced); null = nothing queued */
  scanId?: number | null;
  /** why nothing was queued */
  message?: string;
}

/** Live progress of a queued or running scan (ScanCoordinator.progress). */
export interface ApiScanProgress {
  state: 'queued' | 'running';
  position: number | null;
  hostsDone: number;
  hostsTotal: number;
  percent: number;
  etaSeconds: number | null;
  batches: number;
  batchesDone: number;
  message: string | null;
}

export interface ApiScanRequest {
  kind: 'sweep' | 'ports';
  reason: string;
  targets?: string[];
  profile?: PortProfile;
}

export interface ApiScanner {
  /** POST api/scans; throws RequestTargetError for a bad target */
  request?(req: ApiScanRequest): ScanRequestResult;
  progress?(scanId: number): ApiScanProgress | null;
  requestSweep(reason: string): ScanRequestResult;
  /** port/service scan of every online device (POST api/scans with kind "ports") */
  requestPortScanAll?(reason: string): ScanRequestResult;
  requestDeviceScan(mac: string, reason: string): ScanRequestResult;
  status(): { running: boolean; kind?: string | null; queue: number };
  /** when the last port scan ran and what is waiting for one (ScanCoordinator.portScanStatus) */
  portScanStatus?(): {
    lastAt: string | null;
    pendingDevices: number;
    queuedBatches: number;
    initial: 'pending' | 'done' | 'none';
    nextRetryAt: string | null;
  };
}

/** Named scan schedules (`api/schedules`). */
export interface SchedulesPort {
  repo: Pick<SchedulesRepo, 'list' | 'get' | 'create' | 'update' | 'delete'>;
  /** the port_scan_schedule option ('' or 'off' = off) */
  defaultCron(): string;
  /** a schedule was added, changed or removed: the scheduler reloads */
  changed(): void;
}

export interface ApiConfig {
  mode: 'standalone' | 'addon';
  /**
   * Every caller that is not the HA ingress proxy must present an API key (no session, no CLI token). Use
   * for the add-on's optional LAN port. No caller is ever trusted for its peer address alone.
   */
  requireApiKey: boolean;
  /** add-on ingress listener: refuse every peer but the Supervisor's ingress proxy 172.30.32.2 */
  ingressOnly?: boolean;
  /** shown by `GET api/settings` (no secrets) */
  settingsSummary: Record<string, unknown>;
  /** general request limit per user/key/IP per minute (default 300) */
  rateLimitPerMinute?: number;
  /** failed authentications per IP per minute before 429 (default 5) */
  authFailuresPerMinute?: number;
}

/** What the API needs from the service's health (src/service/serviceHealth.ts). */
export interface HealthPort {
  status(): HealthStatus;
  problems(): Array<{ kind: HealthProblemKind; message: string; since: string }>;
  /** a write made through the API succeeded (clears a storage problem) */
  writeSucceeded(): void;
}

export interface ApiDeps {
  store: ApiStore;
  findings?: FindingsPort;
  alerts?: AlertsPort;
  webhooks?: WebhooksPort;
  schedules?: SchedulesPort;
  /** CVE feed import and the rules in force (absent: 503) */
  cve?: CvePort;
  keys: KeysRepo;
  audit: AuditRepo;
  /** standalone sign-in: one-time login tokens and browser sessions (absent: no sessions) */
  sessions?: SessionAuth;
  /** the local CLI's token (contents of <data_dir>/cli-token) */
  cliToken?: string;
  bus: EventBus;
  /** degraded states (failed sweep, failing writes); absent: health is always `ok` */
  health?: HealthPort;
  /** device commands (rename, trust, ignore, forget, wake…); default: over `store`, `bus`, `audit` and `wake` */
  commands?: DeviceCommands;
  /** Wake-on-LAN of the default device commands (absent: wake answers 503); unused when `commands` is given */
  wake?: WakeDeps;
  scanner: ApiScanner;
  /** satellite agents (DESIGN §16); absent when MQTT is off */
  agents?: ApiAgents;
  /** what the network map needs beyond the store: the default gateway and the scanned subnets */
  network?: { gatewayIp(): string | null; subnets(): string[] };
  config: ApiConfig;
  logger: Logger;
  clock: Clock;
  /** root of the built ingress UI (index.html + assets); a plain hint page is served when absent */
  uiDir?: string;
  version: string;
  /** SSE heartbeat period (default 15 s; tests shorten it) */
  sseHeartbeatMs?: number;
  /** when the service started (ms since the epoch; health's uptime); default: when the app was built */
  startedAt?: number;
}

/** What the API needs from the satellite-agent hub (src/hub/agents.ts). */
export interface ApiAgents {
  list(): Array<{
    id: string;
    configured: boolean;
    firstSeen: string;
    lastResultAt: string | null;
    lastRefusal: string | null;
    state: {
      online: boolean;
      health: string;
      last_heartbeat: string | null;
      last_sweep: string | null;
      last_error: string | null;
      version: string | null;
      subnets: string[];
      devices: number;
      devices_online: number;
      queue_pending: number;
      queue_dropped: number;
      results: number;
      refused: number;
    };
  }>;
  scanNow(id: string, reason: string): boolean;
  agentOf(mac: string): string | null;
}
