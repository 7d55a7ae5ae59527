import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, seg } from '../api.js';
import { formatDuration, formatTime, ipKey, matchesSearch, serviceText } from '../format.js';
import { deviceLink } from '../fragments.js';
import { Loader } from '../loader.js';
import { compareHref } from '../router.js';
import { baseStyles } from '../styles.js';
import type { ScanDetailJson } from '../types.js';
import { scanStatusTag, scanTitle } from './ls-scans-page.js';
import '../components/ls-scan-progress.js';
import '../components/ls-state.js';

/** One scan: summary and the hosts (and ports) it saw. */
@customElement('ls-scan-page')
export class LsScanPage extends LitElement {
  @property({ type: Number }) scanId = 0;
  @state() private q = '';

  private readonly data = new Loader<ScanDetailJson>(this, () =>
    api.get<ScanDetailJson>(`scans/${seg(this.scanId)}`),
  );

  static override styles = [
    baseStyles,
    css`
      .ports {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('scanId') && this.scanId > 0) void this.data.run();
  }

  override render() {
    return html`<a href="#/scans">← Scans</a>
      ${this.data.render((s) => this.renderScan(s), 'Loading scan…')}`;
  }

  private renderScan(s: ScanDetailJson) {
    const hosts = [...s.hosts]
      .filter((h) => matchesSearch(this.q, [h.ip, h.mac, h.hostname, h.vendor]))
      .sort((a, b) => ipKey(a.ip) - ipKey(b.ip));
    const active = s.status === 'running' || s.status === 'queued';
    return html`<h1>Scan ${scanTitle(s)}</h1>
      ${
        active
          ? html`<section class="card">
            <ls-scan-progress .scan=${s} @scan-ended=${() => this.data.run(true)}></ls-scan-progress>
            ${
              s.batches.length > 1
                ? html`<p class="muted">
                  ${s.batches.filter((b) => b.status === 'finished').length} of ${s.batches.length} batches done
                  ${s.profile ? html`· profile ${s.profile}` : nothing}
                </p>`
                : nothing
            }
          </section>`
          : nothing
      }
      <section class="card">
        <dl class="facts">
          <dt>Status</dt>
          <dd>${scanStatusTag(s)}</dd>
          <dt>Requested</dt>
          <dd>${formatTime(s.started_at)}</dd>
          ${
            s.sweeps > 1
              ? html`<dt>Sweeps</dt>
                <dd>${s.sweeps} scheduled sweeps with no change, folded into this record</dd>`
              : nothing
          }
          ${
            s.profile
              ? html`<dt>Profile</dt>
                <dd>${s.profile}</dd>`
              : nothing
          }
          <dt>Finished</dt>
          <dd>${formatTime(s.finished_at)}</dd>
          <dt>Duration</dt>
          <dd>${s.duration_ms !== null ? formatDuration(s.duration_ms) : '—'}</dd>
          <dt>Targets</dt>
          <dd class="mono">${s.targets.join(', ') || '—'}</dd>
          <dt>Hosts up</dt>
          <dd>${s.hosts_up ?? '—'}${s.hosts_total !== null ? ` of ${s.hosts_total}` : ''}</dd>
          <dt>Changes</dt>
          <dd>${s.changes ?? '—'}</dd>
          <dt>Reason</dt>
          <dd>${s.reason ?? '—'}</dd>
          ${
            s.error
              ? html`<dt>Error</dt>
                <dd>${s.error}</dd>`
              : nothing
          }
        </dl>
        ${
          s.previous_id !== null && s.status === 'finished'
            ? html`<p>
              <a href=${compareHref(s.previous_id, s.id)}
                >Compare with the previous ${s.kind === 'ports' ? 'port scan' : 'sweep'} (#${s.previous_id}) →</a
              >
            </p>`
            : nothing
        }
      </section>
      <section class="card">
        <div class="row" style="margin-bottom:0.5rem">
          <h2 style="margin:0">Hosts (${s.hosts.length})</h2>
          <span class="spacer"></span>
          <input
            type="search"
            placeholder="Filter hosts"
            aria-label="Filter hosts"
            @input=${(e: Event) => (this.q = (e.target as HTMLInputElement).value)}
          />
        </div>
        ${
          hosts.length
            ? html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>IP</th>
                    <th>Device</th>
                    <th>Vendor</th>
                    <th>Ports</th>
                  </tr>
                </thead>
                <tbody>
                  ${hosts.map(
                    (h) => html`<tr>
                      <td class="mono">${h.ip}</td>
                      <td>${deviceLink(h.mac, h.hostname ?? h.mac ?? null)}</td>
                      <td>${h.vendor ?? '—'}</td>
                      <td>
                        <div class="ports">
                          ${
                            h.ports.length
                              ? h.ports.map(
                                  (p) =>
                                    html`<span class="tag mono" title=${serviceText(p)}
                                    >${p.port}/${p.protocol}${p.service ? ` ${p.service}` : ''}</span
                                  >`,
                                )
                              : html`<span class="muted">${s.kind === 'sweep' ? 'not scanned' : 'none open'}</span>`
                          }
                        </div>
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
            : html`<p class="muted">${s.hosts.length ? 'No host matches.' : 'This scan saw no hosts.'}</p>`
        }
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-scan-page': LsScanPage;
  }
}
