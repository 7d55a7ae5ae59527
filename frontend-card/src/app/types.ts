/**
 * Response shapes the UI reads: the API's wire contract (src/api/schemas.ts). Type-only imports, so nothing
 * from zod or the server lands in the bundle.
 */

export type { AgentJson } from '../../../src/api/agentSchemas.js';
export type { DeviceIdentityJson } from '../../../src/api/routes/identity.js';
export type { ScheduleJson } from '../../../src/api/routes/schedules.js';
export type {
  AcceptJson,
  AlertJson,
  AlertRuleCreate,
  AlertRuleJson,
  AlertRulePatch,
  AlertRulePreviewJson,
  ApiErrorBody,
  ApiKeyCreatedJson,
  ApiKeyJson,
  AuditEntryJson,
  ChangeJson,
  CompareJson,
  CveImportJson,
  CveStatusJson,
  DeliveryJson,
  DeviceHistoryJson,
  DeviceJson,
  DevicePatch,
  DevicePortJson,
  FindingGroupJson,
  FindingJson,
  HealthJson,
  KindListJson,
  List,
  MapJson,
  MapNodeJson,
  ScanAcceptedJson,
  ScanDetailJson,
  ScanHostJson,
  ScanJson,
  SettingsJson,
  SseDeviceJson,
  SseScanJson,
  StatsSummaryJson,
  TlsFactJson,
  TrendsJson,
  VendorListJson,
  WakeResultJson,
  WebhookCreate,
  WebhookJson,
} from '../../../src/api/schemas.js';
/** The vocabulary (no I/O, no imports: nothing from zod or the server lands in the bundle). */
export {
  ALERT_CHANNELS,
  ALERT_RULE_EVENTS,
  type AlertChannel,
  type ChangeType,
  DEVICE_FILTERS,
  DEVICE_SORTS,
  type DeviceFilter,
  type DeviceSort,
  FINDING_KINDS,
  type FindingKind,
  type RiskLevel,
  SEVERITIES,
  type Severity,
  SSE_EVENTS,
} from '../../../src/vocabulary.js';
