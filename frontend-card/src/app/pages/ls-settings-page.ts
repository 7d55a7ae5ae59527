import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { api } from '../api.js';
import { formatDuration, formatTime } from '../format.js';
import { Loader } from '../loader.js';
import { baseStyles } from '../styles.js';
import type { HealthJson, SettingsJson } from '../types.js';
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
  private readonly data = new Loader<{ health: HealthJson; settings: SettingsJson }>(this, async () => {
    const [health, settings] = await Promise.all([
      api.get<HealthJson>('health'),
      api.get<SettingsJson>('settings'),
    ]);
    return { health, settings };
  });

  static override styles = [baseStyles];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  override render() {
    return html`<h1>Settings</h1>
      ${this.data.render(({ health, settings }) => {
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
          </div>`;
      }, 'Loading settings…')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-settings-page': LsSettingsPage;
  }
}
