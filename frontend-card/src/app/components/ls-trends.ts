import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api } from '../api.js';
import { barOption, findingsOption, lineOption, onlineOption } from '../charts/trendOptions.js';
import { baseStyles } from '../styles.js';
import type { TrendsJson } from '../types.js';
import './ls-chart.js';

const WINDOWS = [
  { days: 1, label: '24 h' },
  { days: 7, label: '7 days' },
  { days: 90, label: '90 days' },
] as const;

interface Trends {
  online: TrendsJson;
  fresh: TrendsJson;
  ports: TrendsJson;
  findings: TrendsJson;
}

/** The overview's trend charts: devices online, new devices per day, open ports, findings by severity. */
@customElement('ls-trends')
export class LsTrends extends LitElement {
  @state() private days: 1 | 7 | 90 = 7;
  @state() private data: Trends | null = null;
  @state() private error = '';
  private seq = 0;

  static override styles = [
    baseStyles,
    css`
      .head {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin-bottom: 0.5rem;
      }
      .head h2 {
        margin: 0;
      }
      .windows {
        display: inline-flex;
        gap: 0;
      }
      .windows button {
        border-radius: 0;
        min-height: 1.9rem;
        padding: 0.2rem 0.7rem;
      }
      .windows button:first-child {
        border-radius: 6px 0 0 6px;
      }
      .windows button:last-child {
        border-radius: 0 6px 6px 0;
      }
      .windows button[aria-pressed='true'] {
        background: var(--ls-accent);
        color: var(--ls-accent-text);
        border-color: var(--ls-accent);
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
        gap: 0.75rem 1rem;
      }
      figure {
        margin: 0;
        min-width: 0;
      }
      figcaption {
        font-size: 0.88rem;
        color: var(--ls-muted);
        margin-bottom: 0.2rem;
      }
      figcaption strong {
        color: var(--ls-text);
        font-size: 1.05rem;
        margin-right: 0.3rem;
      }
      ls-chart {
        height: 190px;
      }
      .empty {
        color: var(--ls-muted);
        font-size: 0.9rem;
        padding: 1rem 0;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Reload (the overview calls this after a scan finished). */
  async load(): Promise<void> {
    const seq = ++this.seq;
    const days = this.days;
    const q = (metric: string, d: number, granularity?: 'day' | 'hour') =>
      api.get<TrendsJson>('stats/trends', { metric, days: d, granularity });
    try {
      const [online, fresh, ports, findings] = await Promise.all([
        q('devices_online', days),
        q('new_devices', Math.max(days, 7), 'day'),
        q('open_ports', days),
        q('findings', days),
      ]);
      if (seq !== this.seq) return;
      this.data = { online, fresh, ports, findings };
      this.error = '';
    } catch (err) {
      if (seq === this.seq) this.error = (err as Error).message;
    }
  }

  private setDays(d: 1 | 7 | 90): void {
    this.days = d;
    void this.load();
  }

  override render() {
    const d = this.data;
    const last = (t: TrendsJson | undefined, key: string) => t?.points.at(-1)?.values[key];
    const sum = (t: TrendsJson | undefined) => t?.points.reduce((a, p) => a + (p.values.value ?? 0), 0) ?? 0;
    const f = d?.findings.points.at(-1)?.values;
    return html`<section class="card" id="trends">
      <div class="head">
        <h2>Trends</h2>
        <span class="spacer"></span>
        <div class="windows" role="group" aria-label="Time window">
          ${WINDOWS.map(
            (w) =>
              html`<button aria-pressed=${this.days === w.days ? 'true' : 'false'} @click=${() => this.setDays(w.days)}>
                ${w.label}
              </button>`,
          )}
        </div>
      </div>
      ${this.error ? html`<div class="error-banner" role="alert">Trends not loaded: ${this.error}</div>` : ''}
      ${
        d && d.online.points.length === 0
          ? html`<div class="empty">No trend data yet: every sweep adds a point.</div>`
          : ''
      }
      <div class="charts">
        <figure>
          <figcaption><strong>${last(d?.online, 'avg') ?? '–'}</strong>devices online</figcaption>
          <ls-chart
            id="chart-online"
            label="Devices online over time"
            .build=${d ? (t: Parameters<typeof onlineOption>[1]) => onlineOption(d.online, t) : null}
          ></ls-chart>
        </figure>
        <figure>
          <figcaption><strong>${d ? sum(d.fresh) : '–'}</strong>new devices (per day)</figcaption>
          <ls-chart
            id="chart-new"
            label="New devices per day"
            .build=${d ? (t: Parameters<typeof onlineOption>[1]) => barOption(d.fresh, t, 'new devices') : null}
          ></ls-chart>
        </figure>
        <figure>
          <figcaption><strong>${last(d?.ports, 'value') ?? '–'}</strong>open ports</figcaption>
          <ls-chart
            id="chart-ports"
            label="Open ports over time"
            .build=${d ? (t: Parameters<typeof onlineOption>[1]) => lineOption(d.ports, t, 'open ports') : null}
          ></ls-chart>
        </figure>
        <figure>
          <figcaption>
            <strong>${f ? (f.low ?? 0) + (f.medium ?? 0) + (f.high ?? 0) + (f.critical ?? 0) : '–'}</strong>findings by
            severity
          </figcaption>
          <ls-chart
            id="chart-findings"
            label="Active findings by severity over time"
            .build=${d ? (t: Parameters<typeof onlineOption>[1]) => findingsOption(d.findings, t) : null}
          ></ls-chart>
        </figure>
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-trends': LsTrends;
  }
}
