import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ALERT_CHANNEL_LABELS } from '../../../../src/vocabulary.js';
import { api, apiUrl, errorText, getList, type Query, seg } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { CHANGE_LABELS, changeLabel, formatTime, normalizeMac } from '../format.js';
import { pager } from '../fragments.js';
import { Loader } from '../loader.js';
import { deviceHref } from '../router.js';
import { baseStyles, toolbarStyles } from '../styles.js';
import { ALERT_CHANNELS, type AlertJson, type AlertRuleJson, type List } from '../types.js';
import '../components/ls-badge.js';
import '../components/ls-state.js';

const PAGE = 100;

const CHANNEL_LABELS: Readonly<Record<string, string>> = ALERT_CHANNEL_LABELS;

const DELIVERY_LABELS: Record<AlertJson['delivery'], string> = {
  delivered: 'Delivered',
  partial: 'Partly delivered',
  failed: 'Failed',
  not_sent: 'Nowhere to send',
  held_back: 'Held back',
  pending: 'Sending…',
};
const DELIVERY_TONE: Record<AlertJson['delivery'], string> = {
  delivered: 'ok',
  partial: 'warn',
  failed: 'bad',
  not_sent: 'warn',
  held_back: '',
  pending: '',
};

const PERIODS: Record<string, { label: string; hours: number | null }> = {
  '24h': { label: 'Last 24 hours', hours: 24 },
  '7d': { label: 'Last 7 days', hours: 7 * 24 },
  '30d': { label: 'Last 30 days', hours: 30 * 24 },
  all: { label: 'Any time', hours: null },
};

interface Filters {
  rule_id: string;
  channel: string;
  kind: string;
  delivery: string;
  device: string;
  period: string;
  status: 'all' | 'open' | 'acked';
}

const EMPTY: Filters = {
  rule_id: '',
  channel: '',
  kind: '',
  delivery: '',
  device: '',
  period: '7d',
  status: 'all',
};

/** Alert history: every alert that fired, where it went and whether delivery worked; filters, ack, CSV. */
@customElement('ls-alerts-page')
export class LsAlertsPage extends LitElement {
  @state() private f: Filters = { ...EMPTY };
  @state() private offset = 0;
  @state() private rules: AlertRuleJson[] = [];
  @state() private deviceError = '';
  private timer: ReturnType<typeof setTimeout> | null = null;

  private readonly data = new Loader<List<AlertJson>>(this, () =>
    getList<AlertJson>('alerts', {
      ...this.query(),
      status: this.f.status,
      limit: PAGE,
      offset: this.offset,
    }),
  );

  static override styles = [
    baseStyles,
    toolbarStyles,
    css`
      .toolbar {
        align-items: end;
      }
      .toolbar label {
        display: grid;
        gap: 0.15rem;
        font-size: 0.85rem;
        color: var(--ls-muted);
      }
      td.msg {
        max-width: 26rem;
      }
      .results {
        font-size: 0.8rem;
      }
      tr.acked td {
        opacity: 0.7;
      }
      .field-error {
        color: var(--ls-bad, #dc2626);
        font-size: 0.8rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
    getList<AlertRuleJson>('alert-rules', { limit: 500 })
      .then((l) => {
        this.rules = l.items;
      })
      .catch(() => {});
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearTimeout(this.timer);
  }

  /** The filters as API query parameters (shared by the list, "acknowledge all" and the CSV link). */
  private query(): Query {
    const f = this.f;
    const mac = f.device.trim() ? normalizeMac(f.device.trim()) : null;
    const hours = PERIODS[f.period]?.hours ?? null;
    return {
      rule_id: f.rule_id || undefined,
      channel: f.channel || undefined,
      kind: f.kind || undefined,
      delivery: f.delivery || undefined,
      mac: mac ?? undefined,
      since: hours === null ? undefined : new Date(Date.now() - hours * 3_600_000).toISOString(),
    };
  }

  private set(patch: Partial<Filters>, debounce = false): void {
    this.f = { ...this.f, ...patch };
    const dev = this.f.device.trim();
    this.deviceError =
      dev && !normalizeMac(dev) ? `“${dev}” is not a MAC address such as aa:bb:cc:dd:ee:ff` : '';
    if (this.deviceError) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.offset = 0;
        void this.data.run();
      },
      debounce ? 300 : 0,
    );
  }

  private async ack(a: AlertJson): Promise<void> {
    try {
      await api.post(`alerts/${seg(a.id)}/ack`);
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  private async ackAll(): Promise<void> {
    const q = this.query();
    const body = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
    for (const k of ['rule_id'] as const) if (body[k] !== undefined) body[k] = Number(body[k]);
    try {
      const r = await api.post<{ acked: number }>('alerts/ack', body);
      toast(`${r.acked} alert${r.acked === 1 ? '' : 's'} acknowledged`, 'ok');
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  private csvHref(): string {
    return apiUrl('alerts.csv', { ...this.query(), status: this.f.status });
  }

  override render() {
    const f = this.f;
    return html`<div class="row">
        <h1 style="margin:0">Alert history</h1>
        <span class="spacer"></span>
        <a class="button" href=${this.csvHref()} download="lan-sentinel-alerts.csv" data-testid="csv">Export CSV</a>
        <button @click=${() => this.ackAll()}>Acknowledge all shown</button>
      </div>
      <p class="muted">Every alert a rule fired: where it went and whether it arrived. Repeats inside a rule's repeat window are not listed.</p>
      <div class="toolbar" role="search">
        <label
          >Rule
          <select aria-label="Rule" @change=${(e: Event) => this.set({ rule_id: (e.target as HTMLSelectElement).value })}>
            <option value="">All rules</option>
            ${this.rules.map((r) => html`<option value=${String(r.id)} ?selected=${f.rule_id === String(r.id)}>${r.name}</option>`)}
          </select></label
        >
        <label
          >Channel
          <select aria-label="Channel" @change=${(e: Event) => this.set({ channel: (e.target as HTMLSelectElement).value })}>
            <option value="">All channels</option>
            ${ALERT_CHANNELS.map((c) => html`<option value=${c}>${CHANNEL_LABELS[c]}</option>`)}
          </select></label
        >
        <label
          >Type
          <select aria-label="Type" @change=${(e: Event) => this.set({ kind: (e.target as HTMLSelectElement).value })}>
            <option value="">All types</option>
            ${Object.entries(CHANGE_LABELS).map(([t, label]) => html`<option value=${t}>${label}</option>`)}
          </select></label
        >
        <label
          >Delivery
          <select aria-label="Delivery" @change=${(e: Event) => this.set({ delivery: (e.target as HTMLSelectElement).value })}>
            <option value="">Any</option>
            ${Object.entries(DELIVERY_LABELS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
          </select></label
        >
        <label
          >Device (MAC)
          <input
            aria-label="Device MAC"
            placeholder="aa:bb:cc:dd:ee:ff"
            .value=${f.device}
            @input=${(e: Event) => this.set({ device: (e.target as HTMLInputElement).value }, true)}
          />${this.deviceError ? html`<span class="field-error" role="alert">${this.deviceError}</span>` : nothing}</label
        >
        <label
          >Time
          <select aria-label="Time" @change=${(e: Event) => this.set({ period: (e.target as HTMLSelectElement).value })}>
            ${Object.entries(PERIODS).map(([k, p]) => html`<option value=${k} ?selected=${f.period === k}>${p.label}</option>`)}
          </select></label
        >
        <label
          >Status
          <select
            aria-label="Status"
            @change=${(e: Event) => this.set({ status: (e.target as HTMLSelectElement).value as Filters['status'] })}
          >
            <option value="all">Open and acknowledged</option>
            <option value="open">Open</option>
            <option value="acked">Acknowledged</option>
          </select></label
        >
      </div>
      ${this.data.render((l) => this.renderList(l), 'Loading the alert history…')}`;
  }

  private renderList(l: List<AlertJson>) {
    if (l.items.length === 0)
      return html`<ls-state kind="empty" message="No alert matches these filters."></ls-state>`;
    return html`<div class="card table-wrap" style="padding:0.25rem 0.5rem">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Rule</th>
              <th>Type</th>
              <th>Device</th>
              <th>Alert</th>
              <th>Delivery</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${l.items.map(
              (a) => html`<tr class=${a.acked ? 'acked' : ''} data-alert-id=${String(a.id)}>
                <td>${formatTime(a.time)}</td>
                <td>${a.rule_name ?? html`<span class="muted">deleted rule</span>`}</td>
                <td>${changeLabel(a.kind)} <ls-badge .level=${a.severity}></ls-badge></td>
                <td>
                  ${
                    a.mac
                      ? html`<a href=${deviceHref(a.mac)}>${a.device_name ?? a.mac}</a>
                        <div class="muted mono">${a.mac}</div>`
                      : html`<span class="muted">network</span>`
                  }
                </td>
                <td class="msg">${a.message}</td>
                <td>
                  <span class="tag ${DELIVERY_TONE[a.delivery]}" data-testid="delivery"
                    >${DELIVERY_LABELS[a.delivery]}${
                      a.held_back ? ` (${a.held_back === 'quiet_hours' ? 'quiet hours' : 'flood limit'})` : ''
                    }</span
                  >
                  <div class="results muted">
                    ${
                      a.channel_results.length
                        ? a.channel_results.map(
                            (r) =>
                              html`<div>${CHANNEL_LABELS[r.channel] ?? r.channel}: ${r.outcome}${r.detail ? ` — ${r.detail}` : ''}</div>`,
                          )
                        : a.channels.map((c) => CHANNEL_LABELS[c] ?? c).join(', ')
                    }
                  </div>
                </td>
                <td>
                  ${
                    a.acked
                      ? html`<span class="muted" title=${a.acked_by ?? ''}>Acknowledged ${formatTime(a.acked_at)}</span>`
                      : html`<button @click=${() => this.ack(a)}>Acknowledge</button>`
                  }
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${pager(l, PAGE, (o) => this.show(o), { newestFirst: true })}`;
  }

  private show(offset: number): void {
    this.offset = offset;
    void this.data.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-alerts-page': LsAlertsPage;
  }
}
