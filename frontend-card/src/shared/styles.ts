import { css, unsafeCSS } from 'lit';
import { RISK_COLOR } from './risk.js';

/** `.risk-badge.<level>` → its colour (constant data: the level names and colours of risk.ts) */
const riskBadgeColours = unsafeCSS(
  Object.entries(RISK_COLOR)
    .map(([level, colour]) => `.risk-badge.${level} { --badge-color: ${colour}; }`)
    .join('\n'),
);

/**
 * Shared pieces of style: the status dot and the risk badge. Colours come from HA theme variables with fallbacks,
 * so light, dark and custom themes all work.
 */
export const badgeStyles = css`
  .status-dot {
    display: inline-block;
    flex: none;
    width: 10px;
    height: 10px;
    border-radius: 50%;
    background: var(--disabled-text-color, #9e9e9e);
  }
  .status-dot.online {
    background: var(--success-color, #43a047);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--success-color, #43a047) 22%, transparent);
  }
  .status-dot.unavailable {
    background: transparent;
    border: 2px dashed var(--disabled-text-color, #9e9e9e);
    width: 6px;
    height: 6px;
  }
  .risk-badge {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    flex: none;
    padding: 1px 8px;
    border-radius: 10px;
    font-size: 0.75rem;
    font-weight: 500;
    line-height: 18px;
    white-space: nowrap;
    color: var(--badge-color);
    background: color-mix(in srgb, var(--badge-color) 16%, transparent);
    border: 1px solid color-mix(in srgb, var(--badge-color) 40%, transparent);
  }
  ${riskBadgeColours}
  .risk-badge.none {
    background: transparent;
    border-color: transparent;
    opacity: 0.7;
  }
`;
