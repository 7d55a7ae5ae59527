import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, errorText, getList } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { formatDuration, formatTime, timeAgo } from '../format.js';
import { pager } from '../fragments.js';
import { LiveRefresh } from '../live-refresh.js';
import { Loader } from '../loader.js';
import { navigate } from '../navigate.js';
import { compareHref, scanHref } from '../router.js';
import { baseStyles, toolbarStyles } from '../styles.js';
import type { List, ScanAcceptedJson, ScanJson, SseScanJson } from '../types.js';
import '../components/ls-scan-progress.js';
import '../components/ls-state.js';

const PAGE = 50;

export function scanStatusTag(s: Pick<ScanJson, 'status'>) {
  const tone =
    s.status === 'failed' ? 'bad' : s.status === 'running' || s.status === 'queued' ? 'info' : 'ok';
  return html`<span class="tag ${tone}">${s.status}</span>`;
}

/** "#12 sweep" or "#12 sweep ×42" for folded quiet sweeps. */
export function scanTitle(s: Pick<ScanJson, 'id' | 'kind' | 'sweeps'>): string {
  return `#${s.id} ${s.kind === 'ports' ? 'port scan' : 'sweep'}${s.sweeps > 1 ? ` ×${s.sweeps}` : ''}`;
}

/** Scan history: list, start a sweep / port scan, pick two to compare. */
@customElement('ls-scans-page')
export class LsScansPage extends LitElement {
  @state() private offset = 0;
  @state() private kind: '' | 'sweep' | 'ports' = '';
  @state() private picked: number[] = [];
  @state() private starting = false;

  private readonly data = new Loader<List<ScanJson>>(this, () =>
    getList<ScanJson>('scans', { kind: this.kind || undefined, limit: PAGE, offset: this.offset }),
  );

  constructor() {
    super();
    new LiveRefresh(
      this,
      ['scan'],
      () => this.data.run(true),
      (m) => (m.data as SseScanJson).phase !== 'progress',
      600,
    );
  }

  static override styles = [
    baseStyles,
    toolbarStyles,
    css`
      td input {
        min-height: auto;
        width: 1.1rem;
        height: 1.1rem;
      }
      @media (max-width: 600px) {
        .hide-sm {
          display: none;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  private async start(kind: 'sweep' | 'ports'): Promise<void> {
    this.starting = true;
    try {
      const r = await api.post<ScanAcceptedJson>('scans', { kind, reason: 'ui' });
      toast(r.message || `${kind} queued`, 'ok');
      void this.data.run(true);
    } catch (err) {
      toast(`Scan not started: ${errorText(err)}`, 'bad');
    } finally {
      this.starting = false;
    }
  }

  private togglePick(id: number, on: boolean): void {
    const rest = this.picked.filter((x) => x !== id);
    this.picked = on ? [...rest, id].slice(-2) : rest;
  }

  private compare(): void {
    const [x, y] = [...this.picked].sort((a, b) => a - b);
    if (x !== undefined && y !== undefined) navigate(compareHref(x, y));
  }

  override render() {
    return html`<h1>Scans</h1>
      <div class="toolbar">
        <button class="primary" ?disabled=${this.starting} @click=${() => this.start('sweep')}>Sweep now</button>
        <button ?disabled=${this.starting} @click=${() => this.start('ports')}>Port scan now</button>
        <label
          >Kind
          <select
            @change=${(e: Event) => {
              this.kind = (e.target as HTMLSelectElement).value as typeof this.kind;
              this.offset = 0;
              void this.data.run();
            }}
          >
            <option value="">all</option>
            <option value="sweep">sweeps</option>
            <option value="ports">port scans</option>
          </select></label
        >
        <span class="spacer"></span>
        <button id="compare" ?disabled=${this.picked.length !== 2} @click=${() => this.compare()}>
          Compare ${this.picked.length === 2 ? `#${this.picked[0]} and #${this.picked[1]}` : '(pick two)'}
        </button>
      </div>
      ${this.data.render((l) => this.renderList(l), 'Loading scans…')}`;
  }

  private renderList(l: List<ScanJson>) {
    if (l.items.length === 0) {
      return html`<ls-state kind="empty" message="No scans yet — the first sweep runs within a minute."></ls-state>`;
    }
    return html`<div class="card table-wrap" style="padding:0.25rem 0.5rem">
        <table>
          <thead>
            <tr>
              <th><span class="muted" title="pick two scans to compare">Pick</span></th>
              <th>Scan</th>
              <th>Status</th>
              <th>Started</th>
              <th class="hide-sm">Duration</th>
              <th>Hosts up</th>
              <th class="hide-sm">Changes</th>
              <th class="hide-sm">Targets</th>
            </tr>
          </thead>
          <tbody>
            ${l.items.map(
              (s) => html`<tr>
                <td>
                  <input
                    type="checkbox"
                    aria-label="Pick scan ${s.id} for comparison"
                    .checked=${this.picked.includes(s.id)}
                    @change=${(e: Event) => this.togglePick(s.id, (e.target as HTMLInputElement).checked)}
                  />
                </td>
                <td>
                  <a href=${scanHref(s.id)}>${scanTitle(s)}</a>
                  ${s.sweeps > 1 ? html`<div class="muted" style="font-size:0.82rem">no changes, until ${timeAgo(s.finished_at ?? s.started_at)}</div>` : nothing}
                </td>
                <td>
                  ${
                    s.status === 'running' || s.status === 'queued'
                      ? html`<ls-scan-progress .scan=${s}></ls-scan-progress>`
                      : scanStatusTag(s)
                  }
                  ${s.error ? html` <span class="muted">${s.error}</span>` : nothing}
                </td>
                <td><time datetime=${s.started_at} title=${formatTime(s.started_at)}>${timeAgo(s.started_at)}</time></td>
                <td class="hide-sm">${s.duration_ms !== null ? formatDuration(s.duration_ms) : '—'}</td>
                <td>${s.hosts_up ?? '—'}</td>
                <td class="hide-sm">${s.changes ?? '—'}</td>
                <td class="hide-sm mono">${s.targets.join(', ')}</td>
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
    'ls-scans-page': LsScansPage;
  }
}
