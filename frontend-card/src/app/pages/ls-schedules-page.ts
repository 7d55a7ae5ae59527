import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { api, errorText, getList, seg } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { formatTime, timeAgo } from '../format.js';
import { Loader } from '../loader.js';
import { baseStyles } from '../styles.js';
import type { List, ScheduleJson } from '../types.js';
import '../components/ls-state.js';

const KINDS = [
  ['ports', 'Port/service scan'],
  ['sweep', 'Presence sweep'],
] as const;
const PROFILES = [
  ['', 'the port_profile option'],
  ['home', 'home'],
  ['top100', 'top100'],
  ['top1000', 'top1000'],
  ['custom', 'custom (the ports option)'],
] as const;

/** Named scheduled scans (`api/schedules`): list, add, enable/disable, delete. Schedule 0 is the option. */
@customElement('ls-schedules-page')
export class LsSchedulesPage extends LitElement {
  @state() private adding = false;
  @state() private formError = '';
  @state() private confirmDelete: number | null = null;

  private readonly data = new Loader<List<ScheduleJson>>(this, () =>
    getList<ScheduleJson>('schedules', { limit: 500 }),
  );

  static override styles = [
    baseStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: flex-end;
      }
      form label {
        display: grid;
        gap: 0.2rem;
      }
      .targets {
        flex: 1 1 240px;
      }
      td.targets-cell {
        overflow-wrap: anywhere;
        max-width: 18rem;
      }
      .hint {
        font-size: 0.85rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  private async add(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const fd = new FormData(form);
    const name = String(fd.get('name') ?? '').trim();
    const cron = String(fd.get('cron') ?? '').trim();
    const profile = String(fd.get('profile') ?? '');
    const targets = String(fd.get('targets') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    if (!name) {
      this.formError = 'Name: must not be empty.';
      return;
    }
    if (cron.split(/\s+/).length !== 5) {
      this.formError =
        'Cron: must be five fields, minute hour day month weekday, such as "0 4 * * 0" (Sundays at 04:00).';
      return;
    }
    try {
      await api.post('schedules', {
        name,
        cron,
        kind: String(fd.get('kind') ?? 'ports'),
        profile: profile === '' ? null : profile,
        targets,
        enabled: fd.get('enabled') === 'on',
      });
      toast(`Schedule “${name}” added`, 'ok');
      this.adding = false;
      this.formError = '';
      void this.data.run(true);
    } catch (err) {
      this.formError = errorText(err);
    }
  }

  private async setEnabled(s: ScheduleJson, enabled: boolean): Promise<void> {
    try {
      await api.patch(`schedules/${seg(s.id)}`, { enabled });
      toast(`Schedule “${s.name}” ${enabled ? 'enabled' : 'disabled'}`, 'ok');
    } catch (err) {
      toast(errorText(err), 'bad');
    }
    void this.data.run(true);
  }

  private async deleteSchedule(s: ScheduleJson): Promise<void> {
    this.confirmDelete = null;
    try {
      await api.del(`schedules/${seg(s.id)}`);
      toast(`Schedule “${s.name}” deleted`, 'ok');
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  override render() {
    return html`<div class="row">
        <h1 style="margin:0">Schedules</h1>
        <span class="spacer"></span>
        <button class="primary" @click=${() => {
          this.adding = !this.adding;
          this.formError = '';
        }}>${this.adding ? 'Close' : 'Add schedule'}</button>
      </div>
      <p class="muted">
        Named scans on a cron schedule (times are the service's local time). The first row is the
        <code>port_scan_schedule</code> option; change it in the add-on's options. Presence sweeps also run every
        <code>sweep_interval</code> seconds regardless.
      </p>
      ${
        this.adding
          ? html`<section class="card">
            ${this.formError ? html`<div class="error-banner" role="alert">${this.formError}</div>` : nothing}
            <form @submit=${this.add}>
              <label>Name <input name="name" required maxlength="64" placeholder="weekly" /></label>
              <label>Cron <input name="cron" required placeholder="0 4 * * 0" class="mono" /></label>
              <label
                >Kind
                <select name="kind">
                  ${KINDS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
                </select></label
              >
              <label
                >Ports
                <select name="profile">
                  ${PROFILES.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
                </select></label
              >
              <label class="targets"
                >Targets (optional) <input name="targets" placeholder="192.168.1.0/24, 192.168.1.20"
              /></label>
              <label class="row"><input type="checkbox" name="enabled" checked /> Enabled</label>
              <button class="primary" type="submit">Add</button>
            </form>
            <p class="muted hint">
              Cron fields: minute hour day-of-month month weekday. <code>0 3 * * *</code> = every night at 03:00,
              <code>0 4 * * 0</code> = Sundays at 04:00, <code>*/30 * * * *</code> = every 30 minutes. Empty targets =
              every online device (port scans) or the swept networks (sweeps).
            </p>
          </section>`
          : nothing
      }
      ${this.data.render((l) => this.renderList(l), 'Loading schedules…')}`;
  }

  private renderList(l: List<ScheduleJson>) {
    if (l.items.length === 0) return html`<ls-state kind="empty" message="No schedules."></ls-state>`;
    return html`<div class="table-wrap">
      <table data-testid="schedules">
        <thead>
          <tr>
            <th>On</th>
            <th>Name</th>
            <th>Cron</th>
            <th>Kind</th>
            <th>Ports</th>
            <th>Targets</th>
            <th>Next run</th>
            <th>Last run</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${l.items.map((s) => this.renderRow(s))}
        </tbody>
      </table>
    </div>`;
  }

  private renderRow(s: ScheduleJson) {
    return html`<tr data-id=${s.id}>
      <td>
        ${
          s.default
            ? html`<span class="tag ${s.enabled ? 'ok' : ''}" title="the port_scan_schedule option"
                >${s.enabled ? 'on' : 'off'}</span
              >`
            : html`<input
                type="checkbox"
                aria-label="Enable ${s.name}"
                .checked=${s.enabled}
                @change=${(e: Event) => this.setEnabled(s, (e.target as HTMLInputElement).checked)}
              />`
        }
      </td>
      <td><strong>${s.name}</strong>${s.default ? html` <span class="tag info">option</span>` : nothing}</td>
      <td class="mono nowrap">${s.cron || '—'}</td>
      <td>${s.kind === 'ports' ? 'port scan' : 'sweep'}</td>
      <td>${s.profile ?? html`<span class="muted">option</span>`}</td>
      <td class="targets-cell mono">${s.targets.length ? s.targets.join(', ') : html`<span class="muted">all</span>`}</td>
      <td class="nowrap" title=${s.next_run ?? ''}>${s.next_run ? formatTime(s.next_run) : '—'}</td>
      <td class="nowrap" title=${s.last_run_at ?? ''}>${s.last_run_at ? timeAgo(s.last_run_at) : 'never'}</td>
      <td class="nowrap">
        ${
          s.default
            ? nothing
            : this.confirmDelete === s.id
              ? html`<button class="danger" @click=${() => this.deleteSchedule(s)}>Delete “${s.name}”</button>
                  <button @click=${() => (this.confirmDelete = null)}>Keep</button>`
              : html`<button @click=${() => (this.confirmDelete = s.id)}>Delete</button>`
        }
      </td>
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-schedules-page': LsSchedulesPage;
  }
}
