import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, errorText, getList, seg } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { formatTime, timeAgo } from '../format.js';
import { deviceFlags, levelBadge, onlineTag, pager } from '../fragments.js';
import { LiveRefresh } from '../live-refresh.js';
import { Loader } from '../loader.js';
import { deviceHref } from '../router.js';
import { AdminScope } from '../scope.js';
import { baseStyles, toolbarStyles } from '../styles.js';
import {
  DEVICE_FILTERS,
  DEVICE_SORTS,
  type DeviceFilter,
  type DeviceJson,
  type DeviceSort,
  type HealthJson,
  type KindListJson,
  type List,
  type VendorListJson,
  type WakeResultJson,
} from '../types.js';
import '../components/ls-state.js';
import { DEVICE_KINDS, type DeviceKind, KIND_INFO, kindIcon } from '../../shared/kinds.js';

const FILTER_LABELS: Record<DeviceFilter, string> = {
  all: 'All',
  online: 'Online',
  offline: 'Offline',
  new: 'New',
  risky: 'Risky',
  unscanned: 'Not scanned yet',
  known: 'Trusted',
  ignored: 'Ignored',
};

const PAGE_SIZES = [50, 100, 250, 500] as const;

interface Column {
  sort: DeviceSort | null;
  label: string;
}
const COLUMNS: Column[] = [
  { sort: 'name', label: 'Name' },
  { sort: 'ip', label: 'IP' },
  { sort: null, label: 'MAC' },
  { sort: 'vendor', label: 'Vendor' },
  { sort: null, label: 'Status' },
  { sort: 'last_seen', label: 'Last seen' },
  { sort: null, label: 'Ports' },
  { sort: 'risk', label: 'Risk' },
];

/** Sorts where the natural first click is "biggest/newest first". */
const DESC_FIRST: DeviceSort[] = ['last_seen', 'first_seen', 'risk'];

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** The inventory: search, filters, sortable columns, pages. Sorting/filtering is done by the API. */
@customElement('ls-devices-page')
export class LsDevicesPage extends LitElement {
  @property({ attribute: false }) params: URLSearchParams = new URLSearchParams();
  @state() private q = '';
  @state() private filter: DeviceFilter = 'all';
  @state() private vendor = '';
  @state() private sort: DeviceSort = 'name';
  @state() private order: 'asc' | 'desc' = 'asc';
  @state() private limit = 100;
  @state() private offset = 0;
  @state() private vendors: VendorListJson['items'] = [];
  /** install-baseline devices not trusted yet (the "Trust all N devices found at install" action) */
  @state() private untrustedAtInstall = 0;
  @state() private trusting = false;
  @state() private kind: DeviceKind | 'unknown' | '' = '';
  @state() private kinds: KindListJson['items'] = [];
  /** MACs with a Wake-on-LAN request in flight */
  @state() private waking: ReadonlySet<string> = new Set();
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly scope = new AdminScope(this);

  private readonly data = new Loader<List<DeviceJson>>(this, () =>
    getList<DeviceJson>('devices', {
      q: this.q.trim() || undefined,
      filter: this.filter,
      vendor: this.vendor.trim() || undefined,
      kind: this.kind || undefined,
      sort: this.sort,
      order: this.order,
      limit: this.limit,
      offset: this.offset,
    }),
  );

  constructor() {
    super();
    new LiveRefresh(this, ['device'], () => this.data.run(true), undefined, 1500);
  }

  static override styles = [
    baseStyles,
    toolbarStyles,
    css`
      .toolbar .vendor,
      .toolbar .kind {
        flex: 0 1 170px;
        min-width: 0;
      }
      .install-banner {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
        justify-content: space-between;
        margin-bottom: 0.75rem;
      }
      td.name {
        white-space: nowrap;
      }
      td.name .kind-icon {
        vertical-align: -4px;
        margin-right: 0.35rem;
        color: var(--ls-muted);
      }
      td.name .kind-icon.unsure {
        opacity: 0.55;
      }
      td.name .namebox {
        display: inline-block;
        white-space: normal;
        vertical-align: top;
      }
      .chips {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
        margin-bottom: 0.75rem;
      }
      .chips button {
        border-radius: 999px;
        padding: 0.2rem 0.75rem;
        min-height: 1.9rem;
      }
      .chips button[aria-pressed='true'] {
        background: var(--ls-accent);
        color: var(--ls-accent-text);
        border-color: var(--ls-accent);
      }
      th button {
        all: unset;
        cursor: pointer;
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
      }
      th button:focus-visible {
        outline: 2px solid var(--ls-accent);
      }
      th[aria-sort='ascending'],
      th[aria-sort='descending'] {
        color: var(--ls-text);
      }
      td.name a {
        font-weight: 600;
      }
      td.name .sub {
        display: block;
        font-size: 0.82rem;
      }
      button.wake {
        min-height: auto;
        padding: 0 0.5rem;
        font-size: 0.78rem;
        line-height: 1.5;
        border-radius: 999px;
        margin-left: 0.25rem;
      }
      tbody tr {
        content-visibility: auto;
        contain-intrinsic-size: auto 44px;
      }
      /* Phone: each row becomes a card with labelled fields. */
      .table-card {
        padding: 0.25rem 0.5rem;
      }
      @media (max-width: 600px) {
        .table-card {
          padding: 0;
          border: none;
          background: transparent;
          box-shadow: none;
        }
        table,
        tbody,
        tr,
        td {
          display: block;
          width: 100%;
        }
        thead {
          display: none;
        }
        tbody tr {
          border: 1px solid var(--ls-border);
          border-radius: var(--ls-radius);
          background: var(--ls-surface);
          margin-bottom: 0.5rem;
          padding: 0.4rem 0.6rem;
          contain-intrinsic-size: auto 170px;
        }
        td {
          border: none;
          padding: 0.15rem 0;
          display: flex;
          gap: 0.5rem;
        }
        td::before {
          content: attr(data-label);
          color: var(--ls-muted);
          font-size: 0.8rem;
          min-width: 5.5rem;
          flex: none;
        }
        td.name::before {
          display: none;
        }
        td.name {
          display: block;
          font-size: 1.02rem;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    api
      .get<VendorListJson>('vendors')
      .then((v) => (this.vendors = v.items))
      .catch(() => (this.vendors = []));
    api
      .get<KindListJson>('kinds')
      .then((v) => (this.kinds = v.items))
      .catch(() => (this.kinds = []));
    this.loadInstall();
  }

  private loadInstall(): void {
    api
      .get<HealthJson>('health')
      .then((h) => (this.untrustedAtInstall = h.install?.untrusted ?? 0))
      .catch(() => (this.untrustedAtInstall = 0));
  }

  private async wake(d: DeviceJson): Promise<void> {
    this.waking = new Set([...this.waking, d.mac]);
    try {
      const r = await api.post<WakeResultJson>(`devices/${seg(d.mac)}/wake`, {});
      toast(`Wake ${d.display_name}: ${r.message}`, 'ok');
    } catch (err) {
      toast(`${d.display_name} not woken: ${errorText(err)}`, 'bad');
    } finally {
      const left = new Set(this.waking);
      left.delete(d.mac);
      this.waking = left;
    }
  }

  private async trustInstall(): Promise<void> {
    this.trusting = true;
    try {
      const r = await api.post<{ trusted: number }>('devices/trust-install', {});
      toast(`Trusted ${r.trusted} device${r.trusted === 1 ? '' : 's'} found at install`, 'ok');
      this.untrustedAtInstall = 0;
      void this.data.run(true);
    } catch (err) {
      toast(`Not trusted: ${errorText(err)}`, 'bad');
    } finally {
      this.trusting = false;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('params')) {
      const p = this.params;
      this.q = p.get('q') ?? '';
      this.filter = pick(p.get('filter'), DEVICE_FILTERS, 'all');
      this.vendor = p.get('vendor') ?? '';
      const k = p.get('kind') ?? '';
      this.kind = k === 'unknown' || (DEVICE_KINDS as readonly string[]).includes(k) ? (k as DeviceKind) : '';
      this.sort = pick(p.get('sort'), DEVICE_SORTS, 'name');
      this.order = p.get('order') === 'desc' ? 'desc' : 'asc';
      const l = Number(p.get('limit'));
      this.limit = (PAGE_SIZES as readonly number[]).includes(l) ? l : 100;
      const o = Number(p.get('offset'));
      this.offset = Number.isInteger(o) && o > 0 ? o : 0;
      void this.data.run();
    }
  }

  private marked = false;

  /** Performance marks for the first rendered table (read by the browser test; visible in DevTools). */
  protected override updated(): void {
    if (this.marked || this.data.status !== 'ok') return;
    this.marked = true;
    performance.mark('ls-devices-rendered');
    requestAnimationFrame(() => setTimeout(() => performance.mark('ls-devices-painted'), 0));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.searchTimer) clearTimeout(this.searchTimer);
  }

  /** Reflects the current view in the URL (no history entry per keystroke) and reloads. */
  private apply(resetOffset = true): void {
    if (resetOffset) this.offset = 0;
    const p = new URLSearchParams();
    if (this.q.trim()) p.set('q', this.q.trim());
    if (this.filter !== 'all') p.set('filter', this.filter);
    if (this.vendor.trim()) p.set('vendor', this.vendor.trim());
    if (this.kind) p.set('kind', this.kind);
    if (this.sort !== 'name') p.set('sort', this.sort);
    if (this.order !== 'asc') p.set('order', this.order);
    if (this.limit !== 100) p.set('limit', String(this.limit));
    if (this.offset) p.set('offset', String(this.offset));
    const qs = p.toString();
    history.replaceState(null, '', `#/devices${qs ? `?${qs}` : ''}`);
    void this.data.run(true);
  }

  private onSearch(e: Event): void {
    this.q = (e.target as HTMLInputElement).value;
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.apply(), 200);
  }

  private onVendor(e: Event): void {
    this.vendor = (e.target as HTMLSelectElement).value;
    this.apply();
  }

  private onKind(e: Event): void {
    this.kind = (e.target as HTMLSelectElement).value as DeviceKind | 'unknown' | '';
    this.apply();
  }

  private setFilter(f: DeviceFilter): void {
    this.filter = f;
    this.apply();
  }

  private setSort(s: DeviceSort): void {
    if (this.sort === s) this.order = this.order === 'asc' ? 'desc' : 'asc';
    else {
      this.sort = s;
      this.order = DESC_FIRST.includes(s) ? 'desc' : 'asc';
    }
    this.apply();
  }

  private setSortSelect(e: Event): void {
    const [s, o] = (e.target as HTMLSelectElement).value.split(':');
    this.sort = pick(s ?? null, DEVICE_SORTS, 'name');
    this.order = o === 'desc' ? 'desc' : 'asc';
    this.apply();
  }

  private page(offset: number): void {
    const total = this.data.value?.total ?? 0;
    this.offset = Math.max(0, Math.min(offset, Math.max(0, total - 1)));
    this.apply(false);
    this.renderRoot.querySelector('table')?.scrollIntoView({ block: 'start' });
  }

  override render() {
    const total = this.data.value?.total;
    return html`
      <h1>Devices ${total !== undefined ? html`<span class="muted">(${total})</span>` : nothing}</h1>
      <div class="toolbar">
        <input
          type="search"
          placeholder="Search name, IP, MAC, vendor, notes"
          aria-label="Search devices"
          .value=${this.q}
          @input=${this.onSearch}
        />
        <select class="vendor" aria-label="Filter by vendor" @change=${this.onVendor}>
          <option value="" ?selected=${!this.vendor}>All vendors</option>
          ${
            this.vendor && !this.vendors.some((v) => v.vendor === this.vendor)
              ? html`<option selected .value=${this.vendor}>${this.vendor}</option>`
              : nothing
          }
          ${this.vendors.map(
            (v) =>
              html`<option .value=${v.vendor} ?selected=${v.vendor === this.vendor}>${v.vendor} (${v.count})</option>`,
          )}
        </select>
        <select class="kind" aria-label="Filter by kind" @change=${this.onKind}>
          <option value="" ?selected=${!this.kind}>All kinds</option>
          ${(
            this.kinds.length
              ? this.kinds
              : [
                  ...DEVICE_KINDS.map((k) => ({ kind: k, label: KIND_INFO[k].label, count: -1 })),
                  { kind: 'unknown' as const, label: 'Unknown', count: -1 },
                ]
          ).map(
            (k) =>
              html`<option .value=${k.kind} ?selected=${k.kind === this.kind}>${k.label}${k.count >= 0 ? ` (${k.count})` : ''}</option>`,
          )}
        </select>
        <select aria-label="Sort by" @change=${this.setSortSelect}>
          ${COLUMNS.filter((c) => c.sort).flatMap((c) =>
            (['asc', 'desc'] as const).map(
              (o) =>
                html`<option value="${c.sort}:${o}" ?selected=${this.sort === c.sort && this.order === o}>
                  ${c.label} ${o === 'asc' ? '↑' : '↓'}
                </option>`,
            ),
          )}
        </select>
      </div>
      ${
        this.untrustedAtInstall > 0
          ? html`<div class="install-banner card" role="note">
            <span
              >${this.untrustedAtInstall} device${this.untrustedAtInstall === 1 ? ' was' : 's were'} already on the
              network when LAN Sentinel was installed. They raised no new-device alerts; devices that join later
              will.</span
            >
            <button class="primary" ?disabled=${this.trusting} @click=${() => this.trustInstall()}>
              Trust all ${this.untrustedAtInstall} devices found at install
            </button>
          </div>`
          : nothing
      }
      <div class="chips" role="group" aria-label="Filter">
        ${DEVICE_FILTERS.map(
          (f) =>
            html`<button aria-pressed=${this.filter === f ? 'true' : 'false'} @click=${() => this.setFilter(f)}>
              ${FILTER_LABELS[f]}
            </button>`,
        )}
      </div>
      ${this.data.render((list) => this.renderTable(list), 'Loading devices…')}
    `;
  }

  private renderTable(list: List<DeviceJson>) {
    if (list.items.length === 0) {
      const filtered = this.q.trim() || this.vendor.trim() || this.kind || this.filter !== 'all';
      return html`<ls-state
        kind="empty"
        .message=${
          filtered
            ? 'No device matches this search or filter.'
            : 'No devices yet — the first sweep runs within a minute.'
        }
      ></ls-state>`;
    }
    return html`
      <div class="card table-card">
        <table id="devices">
          <thead>
            <tr>
              ${COLUMNS.map((c) => {
                const active = c.sort === this.sort;
                const aria = active ? (this.order === 'asc' ? 'ascending' : 'descending') : 'none';
                return html`<th scope="col" aria-sort=${aria}>
                  ${
                    c.sort
                      ? html`<button @click=${() => this.setSort(c.sort!)}>
                        ${c.label}<span aria-hidden="true">${active ? (this.order === 'asc' ? '▲' : '▼') : ''}</span>
                      </button>`
                      : c.label
                  }
                </th>`;
              })}
            </tr>
          </thead>
          <tbody>
            ${list.items.map((d) => this.renderRow(d))}
          </tbody>
        </table>
      </div>
      ${pager(list, this.limit, (o) => this.page(o), {
        extra: html`<label
          >Rows
          <select
            @change=${(e: Event) => {
              this.limit = Number((e.target as HTMLSelectElement).value);
              this.apply();
            }}
          >
            ${PAGE_SIZES.map((n) => html`<option ?selected=${n === this.limit} value=${n}>${n}</option>`)}
          </select></label
        >`,
      })}
    `;
  }

  private renderRow(d: DeviceJson) {
    const sub = d.name && d.hostname && d.hostname !== d.name ? d.hostname : null;
    return html`<tr data-mac=${d.mac}>
      <td class="name" data-label="Name">
        ${kindIcon(d.kind, 20, d.kind_confidence)}<span class="namebox"
          ><a href=${deviceHref(d.mac)}>${d.display_name}</a> ${deviceFlags(d)}
          ${sub ? html`<span class="sub muted">${sub}</span>` : nothing}</span
        >
      </td>
      <td class="mono" data-label="IP">${d.ip ?? '—'}</td>
      <td class="mono" data-label="MAC">${d.identified_by === 'ip' ? '—' : d.mac}</td>
      <td data-label="Vendor">${d.vendor ?? (d.randomized ? html`<span class="muted">private MAC</span>` : '—')}</td>
      <td class="nowrap" data-label="Status">${onlineTag(d.online)}${
        !d.online && d.ip && d.identified_by !== 'ip' && this.scope.admin
          ? html` <button
              class="wake"
              title="Wake-on-LAN: send a magic packet to ${d.ip}'s subnet"
              aria-label="Wake ${d.display_name}"
              ?disabled=${this.waking.has(d.mac)}
              @click=${() => this.wake(d)}
            >
              Wake
            </button>`
          : nothing
      }</td>
      <td data-label="Last seen"><time datetime=${d.last_seen} title=${formatTime(d.last_seen)}>${timeAgo(d.last_seen)}</time></td>
      <td data-label="Open ports">${d.ports_scanned_at ? d.open_ports : html`<span class="muted" title="not port-scanned yet">–</span>`}</td>
      <td data-label="Risk">${levelBadge(d.risk)}</td>
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-devices-page': LsDevicesPage;
  }
}
