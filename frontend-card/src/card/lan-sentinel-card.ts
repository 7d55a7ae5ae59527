/**
 * `lan-sentinel-card`: who is on the LAN, what is new, what is risky. Reads `hass.states` only and re-renders
 * only when one of our state objects changed (compared by reference). Everything is rendered as text.
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { riskBadge, statusDot } from '../shared/badges.js';
import { kindIcon } from '../shared/kinds.js';
import { RISK_COLOR } from '../shared/risk.js';
import { badgeStyles } from '../shared/styles.js';
import { absoluteTime, relativeTime } from '../shared/time.js';
import {
  type CardConfig,
  FILTERS,
  type Filter,
  ingressPath,
  parseConfig,
  SORTS,
  type SortKey,
} from './config.js';
import { configForm } from './editor-schema.js';
import type { HomeAssistant, LovelaceCardConfig } from './ha-types.js';
import {
  countRows,
  type DeviceRow,
  type HubScan,
  hubScan,
  hubScanText,
  rowOf,
  type Selection,
  selectEntities,
  selectionChanged,
  summarize,
  visibleRows,
} from './model.js';
import { cardStyles } from './styles.js';

const FILTER_LABEL: Record<Filter, string> = {
  all: 'All',
  online: 'Online',
  offline: 'Offline',
  new: 'New',
  risky: 'Risky',
};
const SORT_LABEL: Record<SortKey, string> = { name: 'Name', ip: 'IP', last_seen: 'Last seen', risk: 'Risk' };

/** The row's "last seen" text: online, unavailable or "5 min. ago". */
function seenText(r: DeviceRow, now: number, locale: string | undefined): string {
  if (r.status === 'online') return 'online';
  if (r.status === 'unavailable') return 'unavailable';
  return relativeTime(r.lastSeen, now, locale);
}

export class LanSentinelCard extends LitElement {
  static override styles = [badgeStyles, cardStyles];

  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
    _filter: { state: true },
    _query: { state: true },
    _sort: { state: true },
    _expanded: { state: true },
  };

  declare hass: HomeAssistant | undefined;
  declare _config: CardConfig | undefined;
  declare _filter: Filter;
  declare _query: string;
  declare _sort: SortKey;
  declare _expanded: boolean;

  /** The state objects last rendered (for the reference comparison in shouldUpdate). */
  private _selection: Selection | undefined;
  private _rows: DeviceRow[] = [];
  /** Number of renders so far (tests read it to prove unrelated hass changes do not re-render). */
  renderCount = 0;

  constructor() {
    super();
    this._filter = 'all';
    this._query = '';
    this._sort = 'last_seen';
    this._expanded = false;
  }

  static getConfigForm() {
    return configForm();
  }

  static getStubConfig(): Record<string, unknown> {
    return {
      title: 'LAN Sentinel',
      default_filter: 'all',
      sort: 'last_seen',
      max_rows: 10,
      show_offline: true,
    };
  }

  setConfig(config: LovelaceCardConfig): void {
    const parsed = parseConfig(config);
    const prev = this._config;
    this._config = parsed;
    if (!prev || prev.default_filter !== parsed.default_filter) this._filter = parsed.default_filter;
    if (!prev || prev.sort !== parsed.sort) this._sort = parsed.sort;
    this._selection = undefined;
  }

  getCardSize(): number {
    const c = this._config;
    if (!c) return 4;
    const rows = Math.min(c.max_rows, Math.max(1, this._rows.length));
    return 2 + (c.show_summary ? 2 : 0) + Math.ceil((rows * (c.compact ? 36 : 52)) / 50);
  }

  getGridOptions() {
    return { columns: 12, rows: 'auto', min_columns: 6, min_rows: 4 };
  }

  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    if (!this._config) return false;
    // Any change other than hass (config, filter, search…) renders.
    if (changed.size > 1 || !changed.has('hass')) {
      if (this.hass) this._refresh(selectEntities(this.hass.states, this._config));
      return true;
    }
    if (!this.hass) return false;
    const sel = selectEntities(this.hass.states, this._config);
    if (!selectionChanged(this._selection, sel)) return false;
    this._refresh(sel);
    return true;
  }

  private _refresh(sel: Selection): void {
    if (selectionChanged(this._selection, sel) || this._rows.length !== sel.trackers.length) {
      this._rows = sel.trackers.map(rowOf);
    }
    this._selection = sel;
  }

  protected override render(): TemplateResult | typeof nothing {
    const c = this._config;
    if (!c) return nothing;
    this.renderCount++;
    const sel = this._selection ?? { trackers: [], hub: {} };
    const rows = this._rows;
    const counts = countRows(rows);
    const summary = summarize(sel, rows);
    const visible = visibleRows(rows, {
      filter: this._filter,
      query: this._query,
      sort: this._sort,
      showOffline: c.show_offline,
    });
    const limit = this._expanded ? visible.length : c.max_rows;
    const shown = visible.slice(0, limit);
    const now = Date.now();
    const locale = this.hass?.locale?.language ?? this.hass?.language;

    return html`<ha-card class=${c.compact ? 'compact' : ''}>
      <header>
        <div class="title">${c.title}</div>
        <button class="open" type="button" @click=${this._openPanel} title="Open the LAN Sentinel panel">
          Open LAN Sentinel
        </button>
      </header>
      ${
        summary.hubUnavailable
          ? html`<div class="warning" role="status">
            LAN Sentinel is unavailable: the add-on is stopped or MQTT is disconnected.
          </div>`
          : nothing
      }
      ${c.show_summary ? this._renderSummary(summary) : nothing}
      ${this._renderScan(hubScan(sel.scanning))}
      ${
        rows.length === 0
          ? this._renderEmpty()
          : html`<div class="controls">
              <div class="chips" role="group" aria-label="Filter devices">
                ${FILTERS.map(
                  (f) =>
                    html`<button
                      class="chip"
                      type="button"
                      data-filter=${f}
                      aria-pressed=${this._filter === f ? 'true' : 'false'}
                      @click=${() => this._setFilter(f)}
                    >
                      ${FILTER_LABEL[f]}<span class="n">${f === 'all' && !c.show_offline ? counts.online : counts[f]}</span>
                    </button>`,
                )}
              </div>
            </div>
            <div class="search-row">
              <input
                type="search"
                placeholder="Search name, IP, MAC, vendor"
                aria-label="Search devices"
                .value=${this._query}
                @input=${this._onSearch}
              />
              <select aria-label="Sort by" @change=${this._onSort}>
                ${SORTS.map((s) => html`<option value=${s} ?selected=${this._sort === s}>${SORT_LABEL[s]}</option>`)}
              </select>
            </div>
            ${
              shown.length === 0
                ? html`<div class="empty">No devices match.</div>`
                : html`<ul role="list">
                  ${repeat(
                    shown,
                    (r) => r.entityId,
                    (r) => {
                      // an unchanged row (same state object, same "5 min ago") is not rendered again
                      const seen = seenText(r, now, locale);
                      return guard([r, seen, locale], () => this._renderRow(r, seen, locale));
                    },
                  )}
                </ul>`
            }
            ${
              visible.length > shown.length
                ? html`<button class="more" type="button" @click=${() => (this._expanded = true)}>
                  Show all ${visible.length} devices
                </button>`
                : this._expanded && visible.length > c.max_rows
                  ? html`<button class="more" type="button" @click=${() => (this._expanded = false)}>Show less</button>`
                  : nothing
            }`
      }
    </ha-card>`;
  }

  private _renderSummary(s: ReturnType<typeof summarize>): TemplateResult {
    const fmt = (n: number | null) => (n === null ? '—' : String(n));
    const tile = (label: string, value: number | null, filter: Filter, color?: string) =>
      html`<button
        class="tile"
        type="button"
        data-tile=${filter}
        aria-pressed=${this._filter === filter && filter !== 'all' ? 'true' : 'false'}
        style=${styleMap(color ? { '--tile-color': color } : {})}
        @click=${() => this._setFilter(filter)}
      >
        <span class="value">${fmt(value)}</span><span class="label">${label}</span>
      </button>`;
    return html`<div class="summary">
      ${tile('Online', s.online, 'online', s.online ? 'var(--success-color, #43a047)' : undefined)}
      ${tile('Known', s.known, 'all')}
      ${tile('New', s.new, 'new', s.new ? 'var(--primary-color, #03a9f4)' : undefined)}
      ${tile('Threats', s.threats, 'risky', s.threats ? RISK_COLOR.critical : undefined)}
    </div>`;
  }

  /** The hub line while a scan runs: what, how far, how long, with a bar. */
  private _renderScan(s: HubScan | null): TemplateResult | typeof nothing {
    if (!s) return nothing;
    const text = hubScanText(s);
    return html`<div class="scan" role="status">
      <div class="scan-text">${text}</div>
      <div
        class="scan-track"
        role="progressbar"
        aria-label=${text}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${s.percent === null ? nothing : Math.floor(s.percent)}
      >
        <div class="scan-fill ${s.percent === null ? 'indeterminate' : ''}" style=${styleMap({ width: `${s.percent ?? 30}%` })}></div>
      </div>
    </div>`;
  }

  private _renderEmpty(): TemplateResult {
    return html`<div class="empty">
      No devices from LAN Sentinel yet. Once the add-on has finished its first sweep and MQTT discovery is on, devices
      appear here.
    </div>`;
  }

  private _renderRow(r: DeviceRow, seen: string, locale: string | undefined): TemplateResult {
    const details = [r.vendor, r.hostname && r.hostname !== r.name ? r.hostname : '']
      .filter(Boolean)
      .join(' · ');
    return html`<li>
      <button
        class="row ${r.status}"
        type="button"
        data-entity=${r.entityId}
        @click=${() => this._moreInfo(r.entityId)}
      >
        ${statusDot(r.status)} ${kindIcon(r.kind, 18)}
        <span class="main">
          <span class="name"><span class="text">${r.name}</span>${r.isNew ? html`<span class="new-tag">new</span>` : nothing}</span>
          <span class="sub"><span class="ip">${r.ip || '—'}</span>${details ? ` · ${details}` : ''}</span>
        </span>
        <span class="side">
          ${riskBadge(r.risk, r.threats ? `${r.threats} active finding(s), risk score ${r.riskScore}` : undefined)}
          <span class="seen" title=${absoluteTime(r.lastSeen, locale)}>${seen}</span>
        </span>
      </button>
    </li>`;
  }

  private _setFilter(f: Filter): void {
    this._filter = f;
    this._expanded = false;
  }

  private _onSearch(ev: Event): void {
    this._query = (ev.target as HTMLInputElement).value.slice(0, 100);
    this._expanded = false;
  }

  private _onSort(ev: Event): void {
    const v = (ev.target as HTMLSelectElement).value as SortKey;
    if ((SORTS as readonly string[]).includes(v)) this._sort = v;
  }

  private _moreInfo(entityId: string): void {
    this.dispatchEvent(
      new CustomEvent('hass-more-info', { detail: { entityId }, bubbles: true, composed: true }),
    );
  }

  private _openPanel(): void {
    if (!this._config) return;
    history.pushState(null, '', ingressPath(this._config, this.hass?.devices));
    window.dispatchEvent(new CustomEvent('location-changed', { detail: { replace: false } }));
  }
}
