import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { api } from '../api.js';
import { formatDuration, formatTime, timeAgo } from '../format.js';
import { Loader } from '../loader.js';
import { baseStyles } from '../styles.js';
import type { AgentJson, HealthJson, List, SettingsJson } from '../types.js';
import '../components/ls-cve-feed.js';
import '../components/ls-state.js';

function valueText(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.map((x) => String(x)).join(', ') : '(empty)';
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

const SIGN_IN: Record<string, string> = {
  ingress: 'Home Assistant (ingress)',
  login_link: 'login link printed at start, or an API key',
  api_key: 'API key',
};

/** Read-only summary of the running configuration (secrets are redacted by the API). */
@customElement('ls-settings-page')
export class LsSettingsPage extends LitElement {
  private readonly data = new Loader<{ health: HealthJson; settings: SettingsJson; agents: AgentJson[] }>(
    this,
    async () => {
      const [health, settings, agents] = await Promise.all([
        api.get<HealthJson>('health'),
        api.get<SettingsJson>('settings'),
        api.get<Pick<List<AgentJson>, 'items'>>('agents').then(
          (r) => r.items,
          () => [] as AgentJson[],
        ),
      ]);
      return { health, settings, agents };
    },
  );

  static override styles = [baseStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  override render() {
    return html`<h1>Settings</h1>
      ${this.data.render(({ health, settings, agents }) => {
        const entries = Object.entries(settings.settings).sort(([a], [b]) => a.localeCompare(b));
        return html`<div class="grid">
            <section class="card">
              <h2>Service</h2>
              <dl class="facts">
                <dt>Version</dt>
                <dd>${settings.version}</dd>
                <dt>Mode</dt>
                <dd>${settings.mode === 'addon' ? 'Home Assistant add-on' : 'standalone'}</dd>
                <dt>Up for</dt>
                <dd>${formatDuration(health.uptime_s * 1000)}</dd>
                <dt>Server time</dt>
                <dd>${formatTime(health.time)}</dd>
                <dt>Scanner</dt>
                <dd>${health.scanner.running ? `running (${health.scanner.kind ?? 'scan'})` : 'idle'}, ${health.scanner.queue} queued</dd>
                <dt>You are</dt>
                <dd>${health.auth.actor} (${health.auth.kind}, ${health.auth.scope})</dd>
                <dt>API keys required</dt>
                <dd>${settings.require_api_key ? 'yes' : 'no'}</dd>
                <dt>Sign-in</dt>
                <dd>${SIGN_IN[settings.sign_in] ?? settings.sign_in}</dd>
              </dl>
            </section>
            <section class="card">
              <h2>Options</h2>
              <p class="muted">
                Change these in the add-on's Configuration tab (or flags / LAN_SENTINEL_* variables when standalone).
              </p>
              <dl class="facts">
                ${entries.map(
                  ([k, v]) => html`<dt class="mono">${k}</dt>
                    <dd>${valueText(v)}</dd>`,
                )}
              </dl>
            </section>
            <ls-cve-feed ?admin=${health.auth.scope === 'admin'}></ls-cve-feed>
            ${this.renderAgents(agents)}
          </div>`;
      }, 'Loading settings…')}`;
  }

  /** Satellite agents (DESIGN §16): health, devices, queue and refusals per agent. */
  private renderAgents(agents: AgentJson[]) {
    return html`<section class="card agents">
      <h2>Satellite agents</h2>
      ${
        agents.length === 0
          ? html`<p class="muted">
              None. A <span class="mono">lan-sentinel agent</span> in another VLAN reports here once its id is
              listed in the option <span class="mono">agents</span>.
            </p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Agent</th>
                    <th>Health</th>
                    <th>Devices</th>
                    <th>Last heartbeat</th>
                    <th>Last sweep</th>
                    <th>Queue</th>
                    <th>Results</th>
                  </tr>
                </thead>
                <tbody>
                  ${agents.map(
                    (a) => html`<tr>
                      <td class="mono">${a.id}${a.configured ? '' : html` <span class="tag warn">not configured</span>`}</td>
                      <td>
                        <span class="tag ${a.health === 'online' ? 'ok' : a.health === 'offline' ? 'bad' : 'warn'}"
                          >${a.health}</span
                        >${a.last_error ? html`<div class="muted">${a.last_error}</div>` : ''}
                      </td>
                      <td>${a.devices_online} online / ${a.devices}</td>
                      <td>${a.last_heartbeat ? timeAgo(a.last_heartbeat) : 'never'}</td>
                      <td>${a.last_sweep ? timeAgo(a.last_sweep) : 'never'}</td>
                      <td>${a.queue_pending} waiting, ${a.queue_dropped} dropped</td>
                      <td>
                        ${a.results} received${a.refused ? html`, <span class="tag warn">${a.refused} refused</span>` : ''}
                        ${a.last_refusal ? html`<div class="muted">${a.last_refusal}</div>` : ''}
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-settings-page': LsSettingsPage;
  }
}
