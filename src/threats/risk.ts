/**
 * Device risk score 0..100 and level.
 *
 * Each finding gets a weight on the CVSS scale ×10: its CVSS score when known (9.8 → 98), otherwise a
 * severity base (critical 95, high 75, medium 50, low 25, info 5), multiplied by its confidence
 * (a distro-patched version counts half). The score is the largest weight, plus a diminishing share of the
 * others (10 %, 5 %, 2.5 %, … of each in descending order), plus 10 when a finding with confidence ≥ 0.5 is
 * on the CISA known-exploited list; capped at 100, rounded. No findings → 0 / "none".
 *
 * The level follows the CVSS bands of the score (≥ 90 critical, ≥ 70 high, ≥ 40 medium, > 0 low) but never
 * exceeds the most severe finding: many medium findings make a device a worse "medium", not "high".
 * Info-only findings give level "none".
 */
import { RISK_RANK, type MeasuredRisk as RiskLevel, type Severity } from '../vocabulary.js';
import type { Finding } from './types.js';

const BASE: Record<Severity, number> = { critical: 95, high: 75, medium: 50, low: 25, info: 5 };
export const KEV_BONUS = 10;

export function findingWeight(f: Pick<Finding, 'severity' | 'cvss' | 'confidence'>): number {
  const base = f.cvss !== undefined ? f.cvss * 10 : BASE[f.severity];
  return base * Math.max(0, Math.min(1, f.confidence));
}

function band(score: number): RiskLevel {
  if (score >= 90) return 'critical';
  if (score >= 70) return 'high';
  if (score >= 40) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

function severityLevel(s: Severity): RiskLevel {
  return s === 'info' ? 'none' : s;
}

export function riskScore(findings: Pick<Finding, 'severity' | 'cvss' | 'confidence' | 'knownExploited'>[]): {
  score: number;
  level: RiskLevel;
} {
  if (findings.length === 0) return { score: 0, level: 'none' };
  const weights = findings.map(findingWeight).sort((a, b) => b - a);
  let score = weights[0] ?? 0;
  let share = 0.1;
  for (const w of weights.slice(1)) {
    score += w * share;
    share /= 2;
  }
  if (findings.some((f) => f.knownExploited && f.confidence >= 0.5)) score += KEV_BONUS;
  score = Math.round(Math.min(100, score));
  let cap: RiskLevel = 'none';
  for (const f of findings) {
    const l = severityLevel(f.severity);
    if (RISK_RANK[l] > RISK_RANK[cap]) cap = l;
  }
  const b = band(score);
  const level = RISK_RANK[b] > RISK_RANK[cap] ? cap : b;
  return { score: level === 'none' ? 0 : score, level };
}
