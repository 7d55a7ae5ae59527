/**
 * Response shapes the UI reads: the API's wire contract (src/api/schemas.ts). Type-only imports, so nothing
 * from zod or the server lands in the bundle.
 */
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
  TrendsJson,
  VendorListJson,
  WebhookCreate,
  WebhookJson,
} from '../../../src/api/schemas.js';
export type { ChangeType, RiskLevel, Severity } from '../../../src/inventory/types.js';

/** Mirrors of runtime constants in src/api/schemas.ts (importing them would bundle zod). */
export const DEVICE_FILTERS = [
  'all',
  'online',
  'offline',
  'new',
  'risky',
  'unscanned',
  'known',
  'ignored',
] as const;
export type DeviceFilter = (typeof DEVICE_FILTERS)[number];
export const DEVICE_SORTS = ['name', 'ip', 'vendor', 'last_seen', 'first_seen', 'risk'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const ALERT_CHANNELS = ['ha_notify', 'webhook', 'mqtt_event'] as const;
export const FINDING_KINDS = ['risky_port', 'vulnerable_version', 'custom'] as const;
export const SSE_EVENTS = ['change', 'scan', 'device', 'finding', 'scanning'] as const;
