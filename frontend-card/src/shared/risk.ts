/** Risk levels and severities as published by the service (DESIGN §6/§7), their order and their colours. */
import {
  RISK_RANK,
  RISKY_MIN_LEVEL,
  type RiskLevel,
  riskRank,
  type Severity,
} from '../../../src/vocabulary.js';

export {
  asRiskLevel,
  MEASURED_RISK_LEVELS as RISK_LEVELS,
  RISK_LABELS as RISK_LABEL,
  type RiskLevel,
  riskRank,
  SEVERITIES,
  type Severity,
} from '../../../src/vocabulary.js';

/** "Risky" = medium or above, the same threshold as the `threat` binary sensor. */
export function isRisky(level: unknown): boolean {
  return riskRank(level) >= RISK_RANK[RISKY_MIN_LEVEL];
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
