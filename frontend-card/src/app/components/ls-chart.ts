import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { EChartsCoreOption, EChartsType } from '../charts/echarts.js';
import { type ChartTheme, chartTheme } from '../charts/theme.js';

/** Builds the chart option from the theme (so light/dark switches re-colour it). */
export type OptionBuilder = (theme: ChartTheme) => EChartsCoreOption;

let lib: Promise<typeof import('../charts/echarts.js')> | null = null;
/** ECharts is fetched once, the first time a chart is shown. */
export function loadCharts(): Promise<typeof import('../charts/echarts.js')> {
  lib ??= import('../charts/echarts.js');
  return lib;
}

/**
 * One ECharts chart. Loads the library lazily, follows its box size and the colour scheme, and re-fires the
 * chart's clicks as a `chart-click` event whose detail is the clicked item's `data`.
 */
@customElement('ls-chart')
export class LsChart extends LitElement {
  @property({ attribute: false }) build: OptionBuilder | null = null;
  /** accessible description of what the chart shows */
  @property() label = '';
  @state() private failed = '';
  private chart: EChartsType | null = null;
  private resize: ResizeObserver | null = null;
  private scheme = matchMedia('(prefers-color-scheme: dark)');
  private readonly onScheme = () => this.draw(true);

  static override styles = css`
    :host {
      display: block;
      position: relative;
      min-height: 180px;
    }
    .box {
      position: absolute;
      inset: 0;
    }
    .err {
      color: var(--ls-bad);
      font-size: 0.9rem;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.scheme.addEventListener('change', this.onScheme);
    // fetch the library and set the chart up while the page's data is still on its way
    void loadCharts()
      .then(async (m) => {
        await this.updateComplete;
        this.ensureChart(m.init);
      })
      .catch(() => undefined);
  }

  private ensureChart(init: typeof import('../charts/echarts.js')['init']): EChartsType | null {
    if (this.chart) return this.chart;
    const box = this.renderRoot.querySelector('.box') as HTMLDivElement | null;
    if (!box || !this.isConnected) return null;
    const chart = init(box, undefined, { renderer: 'canvas' });
    chart.on('click', (p) =>
      this.dispatchEvent(new CustomEvent('chart-click', { detail: (p as { data?: unknown }).data })),
    );
    let lastWidth = this.clientWidth;
    this.resize = new ResizeObserver(() => {
      chart.resize();
      // a much narrower or wider box (phone rotation, sidebar): options that scale with it are rebuilt
      if (Math.abs(this.clientWidth - lastWidth) > lastWidth * 0.2) {
        lastWidth = this.clientWidth;
        void this.draw(false);
      }
    });
    this.resize.observe(this);
    this.chart = chart;
    return chart;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.scheme.removeEventListener('change', this.onScheme);
    this.resize?.disconnect();
    this.resize = null;
    this.chart?.dispose();
    this.chart = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('build')) void this.draw(false);
  }

  /** Resolves once the current option is drawn (tests and benchmarks wait on it). */
  drawn: Promise<void> = Promise.resolve();

  private draw(themeChanged: boolean): Promise<void> {
    this.drawn = (async () => {
      if (!this.build) return;
      try {
        const { init } = await loadCharts();
        if (this.id) performance.mark(`ls-chart-lib:${this.id}`);
        const chart = this.ensureChart(init);
        if (!chart) return;
        chart.setOption(this.build(chartTheme(this)), { notMerge: true, lazyUpdate: false });
        if (themeChanged) chart.resize();
        // setOption draws synchronously: the mark is when this chart is on the canvas (tests, benchmarks)
        if (this.id) performance.mark(`ls-chart-drawn:${this.id}`);
        this.failed = '';
      } catch (err) {
        this.failed = `Chart not shown: ${(err as Error).message}`;
      }
    })();
    return this.drawn;
  }

  override render() {
    return html`<div class="box" role="img" aria-label=${this.label}></div>
      ${this.failed ? html`<div class="err" role="alert">${this.failed}</div>` : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-chart': LsChart;
  }
}
