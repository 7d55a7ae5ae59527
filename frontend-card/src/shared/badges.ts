import { html, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { asRiskLevel, RISK_COLOR, RISK_LABEL } from './risk.js';

/** A risk pill ("High", "Critical"…). Text only; pair with `badgeStyles`. */
export function riskBadge(level: unknown, title?: string): TemplateResult {
  const l = asRiskLevel(level);
  return html`<span
    class="risk-badge ${l}"
    style=${styleMap({ '--badge-color': RISK_COLOR[l] })}
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
