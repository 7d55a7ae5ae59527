import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api } from '../api.js';
import { mapMatches, mapOption } from '../charts/mapOption.js';
import type { ChartTheme } from '../charts/theme.js';
import { LiveRefresh } from '../live-refresh.js';
import { navigate } from '../navigate.js';
import { deviceHref } from '../router.js';
import { baseStyles, toolbarStyles } from '../styles.js';
import type { MapJson } from '../types.js';
import '../components/ls-chart.js';
import '../components/ls-state.js';

const LEGEND = [
  ['critical', 'Critical'],
  ['high', 'High'],
  ['medium', 'Medium'],
  ['low', 'Low'],
  ['none', 'No risk'],
  ['unknown', 'Not scanned yet'],
] as const;

/** The network map: gateway at the centre, devices grouped by subnet and kind, coloured by risk. */
@customElement('ls-map-page')
export class LsMapPage extends LitElement {
  @state() private map: MapJson | null = null;
  @state() private error = '';
  @state() private q = '';
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    new LiveRefresh(this, ['device', 'scan'], () => this.load(), undefined, 3000);
  }

  static override styles = [
    baseStyles,
    toolbarStyles,
    css`
      :host {
        --map-critical: var(--lsn-risk-critical, #db4437);
        --map-high: var(--lsn-risk-high, #f4511e);
        --map-medium: var(--lsn-risk-medium, #f59e0b);
        --map-low: var(--lsn-risk-low, #039be5);
        --map-none: var(--lsn-risk-none, #2e9d57);
        --map-unknown: var(--lsn-risk-unknown, #9aa5b1);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem 0.9rem;
        font-size: 0.85rem;
        color: var(--ls-muted);
      }
      .legend i {
        display: inline-block;
        width: 0.7rem;
        height: 0.7rem;
        border-radius: 50%;
        margin-right: 0.3rem;
        vertical-align: -1px;
      }
      .legend .off {
        opacity: 0.35;
      }
      .mapcard {
        padding: 0.25rem;
      }
      ls-chart {
        height: min(78vh, 900px);
        min-height: 420px;
      }
      @media (max-width: 600px) {
        ls-chart {
          height: 70vh;
          min-height: 360px;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearTimeout(this.timer);
  }

  private async load(): Promise<void> {
    try {
      performance.mark('ls-map-fetch');
      const map = await api.get<MapJson>('map');
      performance.mark('ls-map-data');
      this.map = map;
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private onSearch(e: Event): void {
    const v = (e.target as HTMLInputElement).value;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      performance.mark('ls-map-search');
      this.q = v;
    }, 150);
  }

  private onClick(e: CustomEvent): void {
    const d = e.detail as { id?: string; value?: string } | undefined;
    const node = this.map?.nodes.find((n) => n.id === d?.id);
    if (node?.mac) navigate(deviceHref(node.mac));
  }

  override render() {
    const m = this.map;
    const devices = m?.nodes.filter((n) => n.type === 'device') ?? [];
    const hits = m ? mapMatches(m, this.q) : null;
    const theme = (t: ChartTheme) => (m ? mapOption(m, t, this.q) : {});
    return html`<h1>Network map ${m ? html`<span class="muted">(${devices.length} devices)</span>` : ''}</h1>
      <div class="toolbar">
        <input
          type="search"
          placeholder="Find a device: name, IP, MAC, kind"
          aria-label="Find a device on the map"
          @input=${this.onSearch}
        />
        ${hits ? html`<span class="muted" role="status">${hits.size} found</span>` : ''}
      </div>
      <div class="legend" aria-label="Colours">
        ${LEGEND.map(([k, l]) => html`<span><i style="background:var(--map-${k})"></i>${l}</span>`)}
        <span class="off"><i style="background:var(--ls-muted)"></i>offline (dimmed)</span>
        <span>Drag to pan, scroll or pinch to zoom, click a device to open it.</span>
      </div>
      ${this.error ? html`<div class="error-banner" role="alert">Map not loaded: ${this.error}</div>` : ''}
      ${
        m && devices.length === 0
          ? html`<ls-state kind="empty" message="No devices yet: the first sweep fills the map."></ls-state>`
          : html`<section class="card mapcard">
            <ls-chart
              id="network-map"
              label="Network map: the gateway in the centre, devices grouped by subnet and kind"
              .build=${m ? theme : null}
              @chart-click=${this.onClick}
            ></ls-chart>
          </section>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-map-page': LsMapPage;
  }
}
