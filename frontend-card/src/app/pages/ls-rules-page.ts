import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ALERT_CHANNEL_LABELS, eventLabel } from '../../../../src/vocabulary.js';
import { api, errorText, getList, seg } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { normalizeMac } from '../format.js';
import { Loader } from '../loader.js';
import { baseStyles } from '../styles.js';
import {
  ALERT_CHANNELS,
  ALERT_RULE_EVENTS,
  type AlertRuleCreate,
  type AlertRuleJson,
  type AlertRulePreviewJson,
  type List,
  SEVERITIES,
} from '../types.js';
import '../components/ls-badge.js';
import '../components/ls-state.js';

const EVENTS = ALERT_RULE_EVENTS;

type Draft = AlertRuleCreate & { id: number | null };

function emptyDraft(): Draft {
  return {
    id: null,
    name: '',
    enabled: true,
    events: ['new_device'],
    min_severity: 'info',
    channels: ['ha_notify'],
    macs: [],
    quiet_hours: null,
    dedup_window_s: 3600,
  };
}

/** Alert rules: list, enable/disable, create, edit, delete. */
@customElement('ls-rules-page')
export class LsRulesPage extends LitElement {
  @state() private draft: Draft | null = null;
  @state() private formError = '';
  @state() private busy = false;
  /** the editor's live preview: null before the first answer */
  @state() private draftPreview: AlertRulePreviewJson | string | null = null;
  /** last-7-days counts of the saved rules, by id */
  @state() private savedPreviews = new Map<number, AlertRulePreviewJson>();
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private previewSeq = 0;

  private readonly data = new Loader<List<AlertRuleJson>>(this, async () => {
    const l = await getList<AlertRuleJson>('alert-rules', { limit: 500 });
    void this.loadSavedPreviews(l.items);
    return l;
  });

  private async loadSavedPreviews(rules: AlertRuleJson[]): Promise<void> {
    const pairs = await Promise.all(
      rules.map(async (r) => {
        try {
          return [r.id, await api.get<AlertRulePreviewJson>(`alert-rules/${seg(r.id)}/preview`)] as const;
        } catch {
          return null;
        }
      }),
    );
    this.savedPreviews = new Map(pairs.filter((p) => p !== null));
  }

  /** Re-run the editor's preview shortly after the last edit. */
  private schedulePreview(form: HTMLFormElement | null): void {
    clearTimeout(this.previewTimer);
    if (!form) return;
    this.previewTimer = setTimeout(() => void this.runPreview(form), 250);
  }

  private async runPreview(form: HTMLFormElement): Promise<void> {
    const d = this.readForm(form);
    const seq = ++this.previewSeq;
    if (typeof d === 'string') {
      this.draftPreview = d;
      return;
    }
    const { id: _id, enabled: _enabled, ...body } = d;
    try {
      const p = await api.post<AlertRulePreviewJson>('alert-rules/preview', body);
      if (seq === this.previewSeq) this.draftPreview = p;
    } catch (err) {
      if (seq === this.previewSeq) this.draftPreview = errorText(err);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.previewTimer);
  }

  static override styles = [
    baseStyles,
    css`
      form {
        display: grid;
        gap: 0.75rem;
      }
      fieldset {
        border: 1px solid var(--ls-border);
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
        margin: 0;
      }
      legend {
        font-size: 0.9rem;
        color: var(--ls-muted);
      }
      .checks {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
        gap: 0.25rem 0.75rem;
      }
      .checks label {
        display: flex;
        gap: 0.35rem;
        align-items: center;
      }
      .checks input,
      td input[type='checkbox'] {
        min-height: auto;
      }
      .fields {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
      }
      .fields label {
        display: grid;
        gap: 0.2rem;
      }
      .preview {
        border-left: 3px solid var(--ls-accent, #3b82f6);
        padding: 0.35rem 0.75rem;
        margin: 0;
      }
      .preview strong {
        font-size: 1.05rem;
      }
      .preview ul {
        margin: 0.35rem 0 0;
        padding-left: 1.1rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  private startNew(): void {
    this.formError = '';
    this.draft = emptyDraft();
    this.previewDraft();
  }

  /** A new or another rule in the editor: preview it as it is once the form is on screen. */
  private previewDraft(): void {
    this.draftPreview = null;
    void this.updateComplete.then(() => this.schedulePreview(this.renderRoot.querySelector('form')));
  }

  private edit(r: AlertRuleJson): void {
    this.formError = '';
    this.draft = {
      id: r.id,
      name: r.name,
      enabled: r.enabled,
      events: r.events as Draft['events'],
      min_severity: r.min_severity,
      channels: r.channels,
      macs: r.macs,
      quiet_hours: r.quiet_hours,
      dedup_window_s: r.dedup_window_s,
    };
    this.previewDraft();
  }

  private async setEnabled(r: AlertRuleJson, enabled: boolean): Promise<void> {
    try {
      await api.patch(`alert-rules/${seg(r.id)}`, { enabled });
      toast(`Rule “${r.name}” ${enabled ? 'enabled' : 'disabled'}`, 'ok');
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  private async deleteItem(r: AlertRuleJson): Promise<void> {
    try {
      await api.del(`alert-rules/${seg(r.id)}`);
      toast(`Rule “${r.name}” deleted`, 'ok');
      void this.data.run(true);
    } catch (err) {
      toast(errorText(err), 'bad');
    }
  }

  private readForm(form: HTMLFormElement): Draft | string {
    const fd = new FormData(form);
    const name = String(fd.get('name') ?? '').trim();
    if (!name) return 'Name: must not be empty.';
    const events = fd.getAll('events').map(String) as Draft['events'];
    if (events.length === 0) return 'Events: pick at least one change type or finding kind.';
    const channels = fd.getAll('channels').map(String) as Draft['channels'];
    if (channels.length === 0) return 'Channels: pick at least one channel.';
    const macText = String(fd.get('macs') ?? '').trim();
    const macs: string[] = [];
    for (const part of macText.split(/[\s,;]+/).filter(Boolean)) {
      const m = normalizeMac(part);
      if (!m) return `Devices: “${part}” is not a MAC address such as aa:bb:cc:dd:ee:ff.`;
      macs.push(m);
    }
    const qs = String(fd.get('quiet_start') ?? '');
    const qe = String(fd.get('quiet_end') ?? '');
    if ((qs && !qe) || (!qs && qe)) return 'Quiet hours: give both a start and an end, or neither.';
    const dedupMin = Number(fd.get('dedup') ?? 60);
    if (!Number.isFinite(dedupMin) || dedupMin < 0 || dedupMin > 10080) {
      return 'Repeat window: must be between 0 and 10080 minutes.';
    }
    return {
      id: this.draft?.id ?? null,
      name,
      enabled: fd.get('enabled') === 'on',
      events,
      min_severity: String(fd.get('min_severity')) as Draft['min_severity'],
      channels,
      macs,
      quiet_hours: qs && qe ? { start: qs, end: qe } : null,
      dedup_window_s: Math.round(dedupMin * 60),
    };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.readForm(e.target as HTMLFormElement);
    if (typeof d === 'string') {
      this.formError = d;
      return;
    }
    this.busy = true;
    this.formError = '';
    const { id, ...body } = d;
    try {
      if (id === null) await api.post('alert-rules', body);
      else await api.patch(`alert-rules/${seg(id)}`, body);
      toast(`Rule “${d.name}” saved`, 'ok');
      this.draft = null;
      void this.data.run(true);
    } catch (err) {
      this.formError = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<div class="row">
        <h1 style="margin:0">Alert rules</h1>
        <span class="spacer"></span>
        <button class="primary" @click=${() => this.startNew()}>New rule</button>
      </div>
      <p class="muted">Rules decide which changes and findings reach your phone, webhooks or the HA event entity.</p>
      ${this.draft ? this.renderForm(this.draft) : nothing}
      ${this.data.render((l) => this.renderList(l), 'Loading rules…')}`;
  }

  private renderList(l: List<AlertRuleJson>) {
    if (l.items.length === 0)
      return html`<ls-state kind="empty" message="No alert rules yet. Create one to get notified."></ls-state>`;
    return html`<div class="card table-wrap" style="padding:0.25rem 0.5rem">
      <table>
        <thead>
          <tr>
            <th>On</th>
            <th>Name</th>
            <th>Events</th>
            <th>Min severity</th>
            <th>Channels</th>
            <th title="How often the rule would have fired in the last 7 days">Last 7 days</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${l.items.map(
            (r) => html`<tr>
              <td>
                <input
                  type="checkbox"
                  aria-label="Enable ${r.name}"
                  .checked=${r.enabled}
                  @change=${(e: Event) => this.setEnabled(r, (e.target as HTMLInputElement).checked)}
                />
              </td>
              <td>${r.name}${r.macs.length ? html`<div class="muted">${r.macs.length} device(s)</div>` : nothing}</td>
              <td>${r.events.map((ev) => eventLabel(ev)).join(', ')}</td>
              <td><ls-badge .level=${r.min_severity}></ls-badge></td>
              <td>${r.channels.map((c) => (ALERT_CHANNEL_LABELS as Record<string, string>)[c] ?? c).join(', ')}</td>
              <td data-testid="rule-fired-7d">${this.savedPreviews.has(r.id) ? firedText(this.savedPreviews.get(r.id)!.fired) : '…'}</td>
              <td>
                <div class="row">
                  <button @click=${() => this.edit(r)}>Edit</button>
                  <button class="danger" @click=${() => this.deleteItem(r)}>Delete</button>
                </div>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderPreview() {
    const p = this.draftPreview;
    if (p === null)
      return html`<p class="preview muted" data-testid="rule-preview">Checking the last 7 days…</p>`;
    if (typeof p === 'string')
      return html`<p class="preview muted" data-testid="rule-preview">No preview: ${p}</p>`;
    const held = p.suppressed_dedup + p.suppressed_quiet;
    return html`<div class="preview" data-testid="rule-preview" aria-live="polite">
      <strong>Would have fired ${firedText(p.fired)} in the last ${p.days} days</strong>
      <span class="muted"
        >— ${p.matched} matching change${p.matched === 1 ? '' : 's'}${p.devices ? html`, ${p.devices} device${p.devices === 1 ? '' : 's'}` : nothing}${
          held
            ? html`; ${p.suppressed_dedup ? `${p.suppressed_dedup} held back by the repeat window` : ''}${p.suppressed_dedup && p.suppressed_quiet ? ', ' : ''}${p.suppressed_quiet ? `${p.suppressed_quiet} by quiet hours` : ''}`
            : nothing
        }${p.truncated ? ' (only the newest changes were replayed)' : ''}</span
      >
      ${
        p.recent.length
          ? html`<ul>
            ${p.recent.slice(0, 5).map(
              (h) => html`<li><span class="muted">${new Date(h.time).toLocaleString()}</span> ${h.message}
                  <span class="muted">(${OUTCOME_TEXT[h.outcome]})</span></li>`,
            )}
          </ul>`
          : nothing
      }
    </div>`;
  }

  private renderForm(d: Draft) {
    return html`<section class="card">
      <h2>${d.id === null ? 'New rule' : `Edit rule “${d.name}”`}</h2>
      ${this.formError ? html`<div class="error-banner" role="alert">${this.formError}</div>` : nothing}
      <form
        @submit=${this.save}
        @input=${(e: Event) => this.schedulePreview(e.currentTarget as HTMLFormElement)}
        @change=${(e: Event) => this.schedulePreview(e.currentTarget as HTMLFormElement)}
      >
        <div class="fields">
          <label>Name <input name="name" required maxlength="100" .value=${d.name} /></label>
          <label
            >Minimum severity
            <select name="min_severity">
              ${SEVERITIES.map((s) => html`<option value=${s} ?selected=${s === d.min_severity}>${s}</option>`)}
            </select></label
          >
          <label
            >Repeat window (minutes)
            <input name="dedup" type="number" min="0" max="10080" .value=${String(Math.round(d.dedup_window_s / 60))}
          /></label>
          <label>Quiet from <input name="quiet_start" type="time" .value=${d.quiet_hours?.start ?? ''} /></label>
          <label>Quiet until <input name="quiet_end" type="time" .value=${d.quiet_hours?.end ?? ''} /></label>
        </div>
        <fieldset>
          <legend>Events</legend>
          <div class="checks">
            ${EVENTS.map(
              (ev) =>
                html`<label
                  ><input type="checkbox" name="events" value=${ev} .checked=${d.events.includes(ev as never)} />${eventLabel(ev)}</label
                >`,
            )}
          </div>
        </fieldset>
        <fieldset>
          <legend>Channels</legend>
          <div class="checks">
            ${ALERT_CHANNELS.map(
              (c) =>
                html`<label
                  ><input type="checkbox" name="channels" value=${c} .checked=${d.channels.includes(c)} />${ALERT_CHANNEL_LABELS[c]}</label
                >`,
            )}
          </div>
        </fieldset>
        <label
          >Only these devices (MACs, comma separated; empty = all)
          <textarea name="macs" rows="2" style="width:100%">${d.macs.join(', ')}</textarea></label
        >
        ${this.renderPreview()}
        <label class="row"><input type="checkbox" name="enabled" .checked=${d.enabled} /> Enabled</label>
        <div class="row">
          <button class="primary" type="submit" ?disabled=${this.busy}>Save rule</button>
          <button type="button" @click=${() => (this.draft = null)}>Cancel</button>
        </div>
      </form>
    </section>`;
  }
}

function firedText(n: number): string {
  return n === 1 ? '1 time' : `${n} times`;
}

const OUTCOME_TEXT: Record<AlertRulePreviewJson['recent'][number]['outcome'], string> = {
  fired: 'would notify',
  suppressed_dedup: 'repeat, held back',
  suppressed_quiet: 'quiet hours, held back',
};

declare global {
  interface HTMLElementTagNameMap {
    'ls-rules-page': LsRulesPage;
  }
}
