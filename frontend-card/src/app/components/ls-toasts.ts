import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'ok' | 'warn' | 'bad';
  href?: string;
  linkText?: string;
}

let nextId = 1;

/** Stack of short-lived notices (new devices, action results). Text only. */
@customElement('ls-toasts')
export class LsToasts extends LitElement {
  @state() private toasts: Toast[] = [];

  static override styles = css`
    :host {
      position: fixed;
      right: 1rem;
      bottom: 1rem;
      z-index: 50;
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      max-width: min(380px, calc(100vw - 2rem));
    }
    .toast {
      background: var(--ls-surface);
      color: var(--ls-text);
      border: 1px solid var(--ls-border);
      border-left: 4px solid var(--ls-accent);
      border-radius: 6px;
      box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18);
      padding: 0.6rem 0.75rem;
      display: flex;
      gap: 0.5rem;
      align-items: flex-start;
      overflow-wrap: anywhere;
    }
    .ok {
      border-left-color: var(--ls-ok);
    }
    .warn {
      border-left-color: var(--ls-warn);
    }
    .bad {
      border-left-color: var(--ls-bad);
    }
    .text {
      flex: 1;
    }
    a {
      color: var(--ls-accent);
      margin-left: 0.35rem;
    }
    button {
      border: none;
      background: transparent;
      color: var(--ls-muted);
      cursor: pointer;
      font-size: 1rem;
      line-height: 1;
    }
  `;

  show(text: string, tone: Toast['tone'] = 'info', link?: { href: string; text: string }, ms = 6000): void {
    const t: Toast = { id: nextId++, text, tone, href: link?.href, linkText: link?.text };
    this.toasts = [...this.toasts.slice(-4), t];
    setTimeout(() => this.dismiss(t.id), ms);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  override render() {
    return html`<div role="status" aria-live="polite" style="display:contents">
      ${repeat(
        this.toasts,
        (t) => t.id,
        (t) => html`<div class="toast ${t.tone}">
          <span class="text">${t.text}${t.href ? html`<a href=${t.href}>${t.linkText ?? 'Open'}</a>` : ''}</span>
          <button aria-label="Dismiss" @click=${() => this.dismiss(t.id)}>×</button>
        </div>`,
      )}
    </div>`;
  }
}

/** Page-wide toast helper: finds the one <ls-toasts> in the app shell. */
export function toast(
  text: string,
  tone: Toast['tone'] = 'info',
  link?: { href: string; text: string },
): void {
  const app = document.querySelector('ls-app');
  const el = app?.shadowRoot?.querySelector('ls-toasts') as LsToasts | null | undefined;
  el?.show(text, tone, link);
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-toasts': LsToasts;
  }
}
