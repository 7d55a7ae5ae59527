import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';

const TONE: Record<string, string> = {
  none: 'neutral',
  info: 'info',
  low: 'info',
  medium: 'warn',
  high: 'bad',
  critical: 'crit',
};

/**
 * A risk level or severity badge. Colour is never the only signal: the level is written out in text.
 * <ls-badge level="high"></ls-badge>
 */
@customElement('ls-badge')
export class LsBadge extends LitElement {
  @property() level = 'none';
  /** optional prefix, e.g. "risk" → "risk: high" for screen readers */
  @property() label = '';

  static override styles = css`
    :host {
      display: inline-block;
    }
    span {
      display: inline-block;
      font-size: 0.78rem;
      font-weight: 600;
      line-height: 1.5;
      padding: 0 0.5rem;
      border-radius: 999px;
      white-space: nowrap;
      text-transform: lowercase;
      border: 1px solid transparent;
    }
    .neutral {
      background: var(--ls-neutral-bg);
      color: var(--ls-muted);
    }
    .info {
      background: var(--ls-info-bg);
      color: var(--ls-info);
    }
    .warn {
      background: var(--ls-warn-bg);
      color: var(--ls-warn);
    }
    .bad {
      background: var(--ls-bad-bg);
      color: var(--ls-bad);
      border-color: var(--ls-bad);
    }
    .crit {
      background: var(--ls-crit-bg);
      color: var(--ls-crit);
    }
  `;

  override render() {
    const tone = TONE[this.level] ?? 'neutral';
    const text = this.level === 'unknown' ? 'not scanned yet' : this.level || 'none';
    const title = this.label ? `${this.label}: ${text}` : text;
    return html`<span class=${tone} title=${title} aria-label=${title}>${text}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-badge': LsBadge;
  }
}
