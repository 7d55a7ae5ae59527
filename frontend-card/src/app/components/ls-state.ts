import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/**
 * Loading / empty / error placeholder. `kind="error"` shows the message and a Retry button that fires
 * a `retry` event.
 */
@customElement('ls-state')
export class LsState extends LitElement {
  @property() kind: 'loading' | 'empty' | 'error' = 'loading';
  @property() message = '';

  static override styles = css`
    :host {
      display: block;
    }
    .box {
      padding: 1.25rem 1rem;
      text-align: center;
      color: var(--ls-muted);
      border: 1px dashed var(--ls-border);
      border-radius: var(--ls-radius);
      background: var(--ls-surface);
    }
    .error {
      color: var(--ls-bad);
      border-color: var(--ls-bad);
      background: var(--ls-bad-bg);
    }
    .spinner {
      display: inline-block;
      width: 0.9rem;
      height: 0.9rem;
      border: 2px solid var(--ls-border);
      border-top-color: var(--ls-accent);
      border-radius: 50%;
      animation: spin 0.8s linear infinite;
      vertical-align: -2px;
      margin-right: 0.4rem;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .spinner {
        animation: none;
      }
    }
    button {
      font: inherit;
      margin-top: 0.5rem;
      border: 1px solid currentColor;
      background: transparent;
      color: inherit;
      border-radius: 6px;
      padding: 0.3rem 0.8rem;
      cursor: pointer;
    }
  `;

  override render() {
    if (this.kind === 'loading') {
      return html`<div class="box" role="status" aria-live="polite">
        <span class="spinner" aria-hidden="true"></span>${this.message || 'Loading…'}
      </div>`;
    }
    if (this.kind === 'error') {
      return html`<div class="box error" role="alert">
        <div>${this.message || 'Something went wrong.'}</div>
        <button @click=${() => this.dispatchEvent(new CustomEvent('retry', { bubbles: true, composed: true }))}>
          Retry
        </button>
      </div>`;
    }
    return html`<div class="box">${this.message || 'Nothing here yet.'}${nothing}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-state': LsState;
  }
}
