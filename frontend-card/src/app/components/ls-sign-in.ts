import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, api, errorText } from '../api.js';
import { API_KEY_PATTERN, forgetApiKey, setApiKey } from '../credentials.js';
import { baseStyles } from '../styles.js';

/**
 * Shown instead of a page when the API answered 401: how to sign in (the login link of a standalone service)
 * and an API key entry for everything else (the add-on's `api_port`, a browser that cannot get the link).
 * The key is checked against the service before the UI uses it; fires `signed-in` when it works.
 */
@customElement('ls-sign-in')
export class LsSignIn extends LitElement {
  /** the server's 401 message */
  @property() message = '';
  @state() private error = '';
  @state() private busy = false;

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        max-width: 640px;
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      label.key {
        display: grid;
        gap: 0.25rem;
      }
      input[name='key'] {
        font-family: var(--ls-mono, monospace);
      }
      ol {
        padding-left: 1.2rem;
        line-height: 1.5;
      }
      code {
        font-family: var(--ls-mono, monospace);
        background: var(--ls-surface-2);
        padding: 0 0.25rem;
        border-radius: 4px;
      }
    `,
  ];

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const fd = new FormData(e.target as HTMLFormElement);
    const key = String(fd.get('key') ?? '').trim();
    const remember = fd.get('remember') === 'on';
    if (!API_KEY_PATTERN.test(key)) {
      this.error =
        'API key: must be lsk_ followed by 43 letters, digits, - or _, as `lan-sentinel keys create NAME` prints it.';
      return;
    }
    this.busy = true;
    this.error = '';
    setApiKey(key, remember);
    try {
      await api.get('settings');
      this.dispatchEvent(new CustomEvent('signed-in', { bubbles: true, composed: true }));
    } catch (err) {
      forgetApiKey();
      this.error =
        err instanceof ApiError && err.status === 401
          ? 'This API key is unknown or revoked. Create a new one with `lan-sentinel keys create NAME`.'
          : errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<h1>Sign in</h1>
      <section class="card">
        <p data-testid="signin-message">${this.message || 'LAN Sentinel needs to know who you are.'}</p>
        <ol>
          <li>
            Running LAN Sentinel yourself: open the login link it printed when it started, or run
            <code>lan-sentinel login</code> on that machine for a new one.
          </li>
          <li>
            Otherwise (the add-on's API port, another machine): enter an API key. Create one on the machine that runs
            LAN Sentinel with <code>lan-sentinel keys create NAME --scope admin</code> (or <code>--scope read</code>
            to only look), or on the <em>API keys</em> page of a signed-in browser.
          </li>
        </ol>
        ${this.error ? html`<div class="error-banner" role="alert">${this.error}</div>` : nothing}
        <form @submit=${this.submit}>
          <label class="key"
            >API key
            <input
              name="key"
              type="password"
              autocomplete="off"
              spellcheck="false"
              placeholder="lsk_…"
              required
            />
          </label>
          <label class="row"><input type="checkbox" name="remember" /> Remember on this browser (otherwise only
            for this tab)</label>
          <div><button class="primary" type="submit" ?disabled=${this.busy}>Sign in with the key</button></div>
        </form>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-sign-in': LsSignIn;
  }
}
