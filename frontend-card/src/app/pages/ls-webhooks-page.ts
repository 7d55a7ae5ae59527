import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, errorText, getList, seg } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { formatTime, timeAgo } from '../format.js';
import { Loader } from '../loader.js';
import { baseStyles } from '../styles.js';
import type { DeliveryJson, List, WebhookCreate, WebhookJson } from '../types.js';
import '../components/ls-state.js';

/** Webhooks: add, enable, test, delete, and the delivery log of each. */
@customElement('ls-webhooks-page')
export class LsWebhooksPage extends LitElement {
  @state() private adding = false;
  @state() private formError = '';
  @state() private openId: number | null = null;
  @state() private deliveries: DeliveryJson[] | null = null;
  @state() private deliveriesError = '';

  private readonly data = new Loader<List<WebhookJson>>(this, () =>
    getList<WebhookJson>('webhooks', { limit: 500 }),
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
      .url {
        flex: 1 1 280px;
      }
      .hook {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .hook .target {
        flex: 1 1 240px;
        min-width: 0;
        overflow-wrap: anywhere;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  private async add(e: Event): Promise<void> {
    e.preventDefault();
    const fd = new FormData(e.target as HTMLFormElement);
    const secret = String(fd.get('secret') ?? '');
    const body: WebhookCreate = {
      name: String(fd.get('name') ?? '').trim(),
      url: String(fd.get('url') ?? '').trim(),
      enabled: true,
      events: [],
      secret: secret ? secret : null,
    };
    if (!body.name) {
      this.formError = 'Name: must not be empty.';
      return;
    }
    if (!/^https?:\/\/\S+$/.test(body.url)) {
      this.formError = 'URL: must be an http:// or https:// URL such as https://example.org/hook.';
      return;
    }
    if (secret && (secret.length < 16 || secret.length > 256)) {
      this.formError = 'Signing secret: must be 16 to 256 characters, or empty.';
      return;
    }
    try {
      await api.post('webhooks', body);
      toast(`Webhook “${body.name}” added`, 'ok');
      this.adding = false;
      this.formError = '';
      void this.data.run(true);
    } catch (err) {
      this.formError = errorText(err);
    }
  }

  private async test(w: WebhookJson): Promise<void> {
    try {
      const d = await api.post<DeliveryJson>(`webhooks/${seg(w.id)}/test`, {});
      const how = d.http_status ? `HTTP ${d.http_status}` : d.status;
      toast(
        d.status === 'ok'
          ? `Test delivered to “${w.name}” (${how})`
          : `Test to “${w.name}”: ${how}${d.error ? ` — ${d.error}` : ''}`,
        d.status === 'ok' ? 'ok' : 'bad',
      );
      void this.data.run(true);
      if (this.openId === w.id) void this.loadDeliveries(w.id);
    } catch (err) {
      toast(`Test failed: ${errorText(err)}`, 'bad');
    }
  }

  private async setEnabled(w: WebhookJson, enabled: boolean): Promise<void> {
    try {
      await api.patch(`webhooks/${seg(w.id)}`, { enabled });
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  private async deleteItem(w: WebhookJson): Promise<void> {
    try {
      await api.del(`webhooks/${seg(w.id)}`);
      toast(`Webhook “${w.name}” deleted`, 'ok');
      if (this.openId === w.id) this.openId = null;
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  private toggleDeliveries(id: number): void {
    if (this.openId === id) this.openId = null;
    else void this.loadDeliveries(id);
  }

  private async loadDeliveries(id: number): Promise<void> {
    this.openId = id;
    this.deliveries = null;
    this.deliveriesError = '';
    try {
      const l = await getList<DeliveryJson>(`webhooks/${seg(id)}/deliveries`, { limit: 50 });
      if (this.openId === id) this.deliveries = l.items;
    } catch (err) {
      this.deliveriesError = errorText(err);
    }
  }

  override render() {
    return html`<div class="row">
        <h1 style="margin:0">Webhooks</h1>
        <span class="spacer"></span>
        <button class="primary" @click=${() => (this.adding = !this.adding)}>${this.adding ? 'Close' : 'Add webhook'}</button>
      </div>
      <p class="muted">
        Each event is POSTed as JSON. With a signing secret, the body is signed with HMAC-SHA256 in a header so the
        receiver can check it came from LAN Sentinel. Failed deliveries are retried with backoff.
      </p>
      ${
        this.adding
          ? html`<section class="card">
            ${this.formError ? html`<div class="error-banner" role="alert">${this.formError}</div>` : nothing}
            <form @submit=${this.add}>
              <label>Name <input name="name" required maxlength="100" /></label>
              <label class="url">URL <input name="url" type="url" required placeholder="https://example.org/hook" /></label>
              <label>Signing secret (optional) <input name="secret" type="password" autocomplete="new-password" /></label>
              <button class="primary" type="submit">Add</button>
            </form>
          </section>`
          : nothing
      }
      ${this.data.render((l) => this.renderList(l), 'Loading webhooks…')}`;
  }

  private renderList(l: List<WebhookJson>) {
    if (l.items.length === 0) return html`<ls-state kind="empty" message="No webhooks yet."></ls-state>`;
    return html`${l.items.map(
      (w) => html`<section class="card">
        <div class="hook">
          <label class="row"
            ><input
              type="checkbox"
              aria-label="Enable ${w.name}"
              .checked=${w.enabled}
              @change=${(e: Event) => this.setEnabled(w, (e.target as HTMLInputElement).checked)}
            />
            <strong>${w.name}</strong></label
          >
          <span class="target mono muted">${w.url}</span>
          ${w.has_secret ? html`<span class="tag ok">signed</span>` : html`<span class="tag">unsigned</span>`}
          ${
            w.last_status
              ? html`<span class="tag ${w.last_status === 'ok' ? 'ok' : 'bad'}"
                >last: ${w.last_status} ${timeAgo(w.last_delivery_at)}</span
              >`
              : nothing
          }
          ${w.suspended ? html`<span class="tag bad" data-testid="suspended">suspended</span>` : nothing}
          <button @click=${() => this.test(w)}>Send test</button>
          <button @click=${() => this.toggleDeliveries(w.id)}>
            ${this.openId === w.id ? 'Hide deliveries' : 'Deliveries'}
          </button>
          <button class="danger" @click=${() => this.deleteItem(w)}>Delete</button>
        </div>
        ${w.warning ? html`<div class="error-banner" role="alert" data-testid="webhook-warning">${w.warning}</div>` : nothing}
        ${this.openId === w.id ? this.renderDeliveries() : nothing}
      </section>`,
    )}`;
  }

  private renderDeliveries() {
    if (this.deliveriesError) return html`<div class="error-banner">${this.deliveriesError}</div>`;
    if (!this.deliveries) return html`<ls-state kind="loading" message="Loading deliveries…"></ls-state>`;
    if (this.deliveries.length === 0) return html`<p class="muted">No deliveries yet.</p>`;
    return html`<div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Event</th>
            <th>Result</th>
            <th>HTTP</th>
            <th>Attempts</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          ${this.deliveries.map(
            (d) => html`<tr>
              <td>${formatTime(d.created_at)}</td>
              <td>${d.event}</td>
              <td><span class="tag ${d.status === 'ok' ? 'ok' : d.status === 'failed' ? 'bad' : 'info'}">${d.status}</span></td>
              <td>${d.http_status ?? '—'}</td>
              <td>${d.attempts}</td>
              <td>${d.error ?? ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-webhooks-page': LsWebhooksPage;
  }
}
