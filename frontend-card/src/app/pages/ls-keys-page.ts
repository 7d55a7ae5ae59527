import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, errorText, getList, seg } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { formatTime, timeAgo } from '../format.js';
import { Loader } from '../loader.js';
import { baseStyles } from '../styles.js';
import type { ApiKeyCreatedJson, ApiKeyJson, List } from '../types.js';
import '../components/ls-state.js';

/** API keys: create (the secret is shown once), list, revoke. */
@customElement('ls-keys-page')
export class LsKeysPage extends LitElement {
  @state() private created: ApiKeyCreatedJson | null = null;
  @state() private formError = '';
  @state() private includeRevoked = false;
  @state() private confirmRevoke: number | null = null;

  private readonly data = new Loader<List<ApiKeyJson>>(this, () =>
    getList<ApiKeyJson>('keys', { include_revoked: this.includeRevoked, limit: 500 }),
  );

  static override styles = [
    baseStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: flex-end;
      }
      form label {
        display: grid;
        gap: 0.2rem;
      }
      .secret {
        background: var(--ls-warn-bg);
        border: 1px solid var(--ls-warn);
        border-radius: 6px;
        padding: 0.75rem;
        margin-bottom: 1rem;
      }
      .secret code {
        display: block;
        font-family: var(--ls-mono);
        background: var(--ls-surface);
        padding: 0.5rem;
        border-radius: 4px;
        margin: 0.4rem 0;
        overflow-wrap: anywhere;
        user-select: all;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const fd = new FormData(form);
    const name = String(fd.get('name') ?? '').trim();
    const scope = String(fd.get('scope') ?? 'read');
    if (!name) {
      this.formError = 'Name: must not be empty.';
      return;
    }
    try {
      this.created = await api.post<ApiKeyCreatedJson>('keys', { name, scope });
      this.formError = '';
      form.reset();
      void this.data.run(true);
    } catch (err) {
      this.formError = errorText(err);
    }
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      toast('Key copied', 'ok');
    } catch {
      toast('Copy failed: select the key and copy it by hand', 'warn');
    }
  }

  private async revoke(k: ApiKeyJson): Promise<void> {
    try {
      await api.del(`keys/${seg(k.id)}`);
      toast(`Key “${k.name}” revoked`, 'ok');
      this.confirmRevoke = null;
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  override render() {
    return html`<h1>API keys</h1>
      <p class="muted">
        Keys let scripts and the CLI use the API from outside Home Assistant. <strong>read</strong> keys can only look;
        <strong>admin</strong> keys can change devices, rules and keys. Only a hash of each key is stored.
      </p>
      ${
        this.created
          ? html`<div class="secret" role="alert">
            <strong>Copy this key now — it will not be shown again.</strong>
            <code id="new-key">${this.created.secret}</code>
            <div class="row">
              <button @click=${() => this.copy(this.created?.secret ?? '')}>Copy</button>
              <button @click=${() => (this.created = null)}>I saved it</button>
            </div>
          </div>`
          : nothing
      }
      <section class="card">
        <h2>Create a key</h2>
        ${this.formError ? html`<div class="error-banner" role="alert">${this.formError}</div>` : nothing}
        <form @submit=${this.create}>
          <label>Name <input name="name" required maxlength="64" placeholder="e.g. grafana" /></label>
          <label
            >Scope
            <select name="scope">
              <option value="read">read</option>
              <option value="admin">admin</option>
            </select></label
          >
          <button class="primary" type="submit">Create key</button>
        </form>
      </section>
      <label class="row" style="margin-bottom:0.5rem"
        ><input
          type="checkbox"
          .checked=${this.includeRevoked}
          @change=${(e: Event) => {
            this.includeRevoked = (e.target as HTMLInputElement).checked;
            void this.data.run();
          }}
        />
        Show revoked keys</label
      >
      ${this.data.render((l) => this.renderList(l), 'Loading keys…')}`;
  }

  private renderList(l: List<ApiKeyJson>) {
    if (l.items.length === 0) return html`<ls-state kind="empty" message="No API keys."></ls-state>`;
    return html`<div class="card table-wrap" style="padding:0.25rem 0.5rem">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th>Key starts</th>
            <th>Created</th>
            <th>Last used</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${l.items.map(
            (k) => html`<tr>
              <td>${k.name}</td>
              <td><span class="tag ${k.scope === 'admin' ? 'warn' : 'info'}">${k.scope}</span></td>
              <td class="mono">${k.prefix}…</td>
              <td>${formatTime(k.created_at)}</td>
              <td>${k.last_used_at ? timeAgo(k.last_used_at) : 'never'}</td>
              <td>
                ${
                  k.revoked_at
                    ? html`<span class="tag">revoked ${timeAgo(k.revoked_at)}</span>`
                    : this.confirmRevoke === k.id
                      ? html`<div class="row">
                        <button class="danger" @click=${() => this.revoke(k)}>Revoke now</button>
                        <button @click=${() => (this.confirmRevoke = null)}>Cancel</button>
                      </div>`
                      : html`<button @click=${() => (this.confirmRevoke = k.id)}>Revoke…</button>`
                }
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-keys-page': LsKeysPage;
  }
}
