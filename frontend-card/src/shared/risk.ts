/** Risk levels and severities as published by the service (DESIGN §6/§7), their order and their colours. */
export const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
/** A measured level, or `unknown` before the device's first port scan (never shown as "none"). */
export type RiskLevel = (typeof RISK_LEVELS)[number] | 'unknown';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 0 (none) … 4 (critical); not scanned yet (`unknown`) and unrecognised strings rank as none. */
export function riskRank(level: unknown): number {
  const i = RISK_LEVELS.indexOf(level as (typeof RISK_LEVELS)[number]);
  return Math.max(0, i);
}

/** Normalise anything (hostile attribute values included) to a known risk level. */
export function asRiskLevel(level: unknown): RiskLevel {
  if (level === 'unknown') return 'unknown';
  return RISK_LEVELS[riskRank(level)] ?? 'none';
}

/** "Risky" = medium or above, the same threshold as the `threat` binary sensor. */
export function isRisky(level: unknown): boolean {
  return riskRank(level) >= 2;
}

/**
 * CSS colour per level: HA theme variables first (so user themes apply), literal fallbacks that read well on both
 * light and dark backgrounds.
 */
export const RISK_COLOR: Record<RiskLevel, string> = {
  unknown: 'var(--lsn-risk-unknown, var(--disabled-text-color, #9e9e9e))',
  none: 'var(--lsn-risk-none, var(--secondary-text-color, #727272))',
  low: 'var(--lsn-risk-low, var(--info-color, #039be5))',
  medium: 'var(--lsn-risk-medium, var(--warning-color, #f59e0b))',
  high: 'var(--lsn-risk-high, #f4511e)',
  critical: 'var(--lsn-risk-critical, var(--error-color, #db4437))',
};

export const SEVERITY_COLOR: Record<Severity, string> = {
  info: RISK_COLOR.none,
  low: RISK_COLOR.low,
  medium: RISK_COLOR.medium,
  high: RISK_COLOR.high,
  critical: RISK_COLOR.critical,
};

export const RISK_LABEL: Record<RiskLevel, string> = {
  unknown: 'Not scanned yet',
  none: 'No risk',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};
