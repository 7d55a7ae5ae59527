import { html, type TemplateResult } from 'lit';
import { asRiskLevel, RISK_LABEL } from './risk.js';

/** A risk pill ("High", "Critical"…). Text only; pair with `badgeStyles` (its colour per level). */
export function riskBadge(level: unknown, title?: string): TemplateResult {
  const l = asRiskLevel(level);
  // the colour comes from the level's class (badgeStyles): no inline style per badge
  return html`<span
    class="risk-badge ${l}"
    title=${title ?? `Risk: ${RISK_LABEL[l]}`}
    >${RISK_LABEL[l]}</span
  >`;
}

export type DotState = 'online' | 'offline' | 'unavailable';

/** Status dot with an accessible label. */
export function statusDot(state: DotState): TemplateResult {
  const label = state === 'online' ? 'Online' : state === 'offline' ? 'Offline' : 'Unavailable';
  return html`<span class="status-dot ${state}" role="img" aria-label=${label} title=${label}></span>`;
}
