import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, errorText, getList } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { formatDuration, formatTime, timeAgo } from '../format.js';
import { changeList, deviceFlags, deviceLink, onlineTag } from '../fragments.js';
import { LiveRefresh } from '../live-refresh.js';
import { Loader } from '../loader.js';
import { scanHref } from '../router.js';
import { baseStyles } from '../styles.js';
import type {
  ChangeJson,
  DeviceJson,
  HealthJson,
  List,
  ScanAcceptedJson,
  ScanJson,
  SseScanJson,
} from '../types.js';
import '../components/ls-scan-progress.js';
import '../components/ls-trends.js';
import '../components/ls-badge.js';
import '../components/ls-state.js';

interface Overview {
  health: HealthJson;
  /** scans queued or running, oldest first */
  active: ScanJson[];
  threats: number;
  changes: List<ChangeJson>;
  risky: List<DeviceJson>;
}

/** Overview: counts, last scan + Scan now, recent changes, riskiest devices. */
@customElement('ls-dashboard')
export class LsDashboard extends LitElement {
  @state() private scanning = false;

  private readonly data = new Loader<Overview>(this, async () => {
    const [health, running, queued, findings, changes, risky] = await Promise.all([
      api.get<HealthJson>('health'),
      getList<ScanJson>('scans', { status: 'running', limit: 5 }),
      getList<ScanJson>('scans', { status: 'queued', limit: 5 }),
      getList<unknown>('findings', { min_severity: 'medium', status: 'active', limit: 1 }),
      getList<ChangeJson>('changes', { limit: 12 }),
      getList<DeviceJson>('devices', { filter: 'risky', sort: 'risk', order: 'desc', limit: 6 }),
    ]);
    const active = [...running.items, ...queued.items].sort((a, b) => a.id - b.id);
    return { health, active, threats: findings.total, changes, risky };
  });

  constructor() {
    super();
    new LiveRefresh(
      this,
      ['change', 'scan', 'scanning', 'finding'],
      () => this.data.run(true),
      // progress frames update the bars themselves; only starts and ends reload the overview
      (m) => m.type !== 'scan' || (m.data as SseScanJson).phase !== 'progress',
      800,
    );
  }

  static override styles = [
    baseStyles,
    css`
      .counts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
        gap: 0.75rem;
        margin-bottom: 1rem;
      }
      .count {
        display: block;
        background: var(--ls-surface);
        border: 1px solid var(--ls-border);
        border-radius: var(--ls-radius);
        padding: 0.8rem 1rem;
        color: var(--ls-text);
        box-shadow: var(--ls-shadow);
      }
      .count:hover {
        border-color: var(--ls-accent);
        text-decoration: none;
      }
      .count .n {
        font-size: 1.9rem;
        font-weight: 700;
        line-height: 1.1;
      }
      .count .l {
        color: var(--ls-muted);
        font-size: 0.9rem;
      }
      .count.warn .n {
        color: var(--ls-warn);
      }
      .count.bad .n {
        color: var(--ls-bad);
      }
      .active {
        display: grid;
        gap: 0.6rem;
        margin-top: 0.75rem;
      }
      .active-scan {
        display: block;
        color: inherit;
      }
      .active-scan:hover {
        text-decoration: none;
      }
      .scanbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  private async scanNow(): Promise<void> {
    this.scanning = true;
    try {
      const r = await api.post<ScanAcceptedJson>('scans', { kind: 'sweep', reason: 'ui' });
      toast(r.message || 'Scan queued', 'ok');
      void this.data.run(true);
    } catch (err) {
      toast(`Scan not started: ${errorText(err)}`, 'bad');
    } finally {
      this.scanning = false;
    }
  }

  override render() {
    return html`<h1>Overview</h1>
      ${this.data.render((o) => this.renderOverview(o), 'Loading the overview…')}`;
  }

  private renderOverview(o: Overview) {
    const h = o.health;
    const last = h.last_scan;
    const running = h.scanner.running;
    return html`
      ${
        h.status === 'degraded'
          ? html`<div class="error-banner" role="alert" data-health="degraded">
              <strong>LAN Sentinel is degraded.</strong>
              ${h.problems.map((p) => html`<div>${p.message} <span class="muted">(since ${formatTime(p.since)})</span></div>`)}
            </div>`
          : nothing
      }
      <div class="counts">
        <a class="count" href="#/devices?filter=online"
          ><div class="n">${h.devices.online}</div>
          <div class="l">online now</div></a
        >
        <a class="count" href="#/devices"
          ><div class="n">${h.devices.total}</div>
          <div class="l">devices known</div></a
        >
        <a class="count ${h.devices.new > 0 ? 'warn' : ''}" href="#/devices?filter=new"
          ><div class="n">${h.devices.new}</div>
          <div class="l">new (not yet trusted)</div></a
        >
        <a class="count ${o.threats > 0 ? 'bad' : ''}" href="#/findings"
          ><div class="n">${o.threats}</div>
          <div class="l">active threats (medium+)</div></a
        >
      </div>
      <section class="card">
        <div class="scanbar">
          <div>
            <h2>Last scan</h2>
            ${
              last
                ? html`<div>
                  <a href=${scanHref(last.id)}>#${last.id} ${last.kind}</a>
                  <span class="tag ${last.status === 'failed' ? 'bad' : last.status === 'running' ? 'info' : 'ok'}"
                    >${last.status}</span
                  >
                  <time class="muted" datetime=${last.started_at} title=${formatTime(last.started_at)}
                    >${timeAgo(last.finished_at ?? last.started_at)}</time
                  >
                  ${last.hosts_up !== null ? html`· ${last.hosts_up} hosts up` : ''}
                  ${last.duration_ms !== null ? html`· took ${formatDuration(last.duration_ms)}` : ''}
                  ${last.error ? html`<div class="muted">${last.error}</div>` : ''}
                </div>`
                : html`<div class="muted">No scan yet — the first sweep runs within a minute of start-up.</div>`
            }
          </div>
          <div>
            <h2>Last port scan</h2>
            ${portScanLine(h)}
          </div>
          <span class="spacer"></span>
          ${running && o.active.length === 0 ? html`<span class="tag info" role="status">scanning…</span>` : ''}
          <button class="primary" ?disabled=${this.scanning} @click=${() => this.scanNow()}>
            ${this.scanning ? 'Starting…' : 'Scan now'}
          </button>
        </div>
        ${
          o.active.length
            ? html`<div class="active" role="status" aria-live="polite">
              ${o.active.map(
                (s) => html`<a class="active-scan" href=${scanHref(s.id)}
                  ><ls-scan-progress .scan=${s} @scan-ended=${() => this.data.run(true)}></ls-scan-progress
                ></a>`,
              )}
            </div>`
            : ''
        }
      </section>
      <ls-trends></ls-trends>
      <div class="grid">
        <section class="card">
          <h2>Recent changes</h2>
          ${
            o.changes.items.length
              ? changeList(o.changes.items, { clamp: true })
              : html`<ls-state kind="empty" message="No changes recorded yet."></ls-state>`
          }
          <p><a href="#/changes">All changes →</a></p>
        </section>
        <section class="card">
          <h2>Riskiest devices</h2>
          ${
            o.risky.items.length
              ? html`<ul class="list">
                ${o.risky.items.map(
                  (d) => html`<li>
                    <ls-badge .level=${d.risk} label="risk"></ls-badge>
                    ${deviceLink(d.mac, d.display_name)} ${deviceFlags(d)}
                    <span class="spacer"></span>
                    <span class="muted mono">${d.ip ?? ''}</span>
                    ${onlineTag(d.online)}
                  </li>`,
                )}
              </ul>`
              : html`<ls-state kind="empty" message="No risky devices found. Port scans feed this list."></ls-state>`
          }
        </section>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-dashboard': LsDashboard;
  }
}

/** When the last port scan ran and what waits for one: never a silent all-clear before the first. */
function portScanLine(h: HealthJson) {
  const p = h.port_scans;
  if (!p) return nothing;
  const waiting =
    p.pending_devices > 0
      ? html`<div>
          <a href="#/devices?filter=unscanned">${p.pending_devices} device${p.pending_devices === 1 ? '' : 's'} not scanned
            yet</a
          >${p.queued_batches > 0 ? ' · port scan pending' : p.next_retry_at ? html` · retry ${timeAgo(p.next_retry_at)}` : ''}
        </div>`
      : nothing;
  return html`${
    p.last_at
      ? html`<div><time datetime=${p.last_at} title=${formatTime(p.last_at)}>${timeAgo(p.last_at)}</time></div>`
      : html`<div class="muted">
          ${p.initial === 'pending' || p.queued_batches > 0 ? 'First port scan pending — risk is unknown until it finishes.' : 'No port scan yet — risk is unknown.'}
        </div>`
  }${waiting}`;
}
