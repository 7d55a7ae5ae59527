import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getList } from '../api.js';
import { CHANGE_LABELS } from '../format.js';
import { changeList } from '../fragments.js';
import { type LiveMessage, live } from '../live.js';
import { Loader } from '../loader.js';
import { baseStyles, toolbarStyles } from '../styles.js';
import type { ChangeJson, List } from '../types.js';
import '../components/ls-state.js';

const MAX_ROWS = 500;

/** The live changes feed: the stored history, with new changes prepended as they arrive over SSE. */
@customElement('ls-changes-page')
export class LsChangesPage extends LitElement {
  @state() private type = '';
  @state() private minSeverity = '';
  @state() private arrived: ChangeJson[] = [];
  @state() private paused = false;

  private readonly data = new Loader<List<ChangeJson>>(this, () =>
    getList<ChangeJson>('changes', {
      type: this.type || undefined,
      min_severity: this.minSeverity || undefined,
      limit: 200,
    }),
  );

  private readonly onLive = (e: Event) => {
    const m = (e as CustomEvent<LiveMessage>).detail;
    if (m.type !== 'change' || this.paused) return;
    const c = m.data as ChangeJson;
    if (!c || typeof c !== 'object' || typeof c.type !== 'string') return;
    if (this.type && c.type !== this.type) return;
    this.arrived = [c, ...this.arrived].slice(0, MAX_ROWS);
  };

  static override styles = [
    baseStyles,
    toolbarStyles,
    css`
      .fresh {
        border-left: 3px solid var(--ls-accent);
        padding-left: 0.5rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener('message', this.onLive);
    void this.data.run();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener('message', this.onLive);
  }

  private reload(): void {
    this.arrived = [];
    void this.data.run();
  }

  override render() {
    return html`<h1>Live changes</h1>
      <div class="toolbar">
        <label
          >Type
          <select
            @change=${(e: Event) => {
              this.type = (e.target as HTMLSelectElement).value;
              this.reload();
            }}
          >
            <option value="">all</option>
            ${Object.entries(CHANGE_LABELS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
          </select></label
        >
        <label
          >Severity
          <select
            @change=${(e: Event) => {
              this.minSeverity = (e.target as HTMLSelectElement).value;
              this.reload();
            }}
          >
            <option value="">any</option>
            <option value="low">low+</option>
            <option value="medium">medium+</option>
            <option value="high">high+</option>
          </select></label
        >
        <span class="spacer"></span>
        <button aria-pressed=${this.paused ? 'true' : 'false'} @click=${() => (this.paused = !this.paused)}>
          ${this.paused ? 'Resume live' : 'Pause live'}
        </button>
      </div>
      ${this.data.render((l) => {
        const all = [...this.arrived, ...l.items];
        if (all.length === 0) {
          return html`<ls-state
            kind="empty"
            message="No changes yet. New devices, ports and presence changes appear here as they happen."
          ></ls-state>`;
        }
        return html`<section class="card">
          ${this.arrived.length ? html`<div class="fresh" aria-live="polite">${changeList(this.arrived)}</div>` : ''}
          ${changeList(l.items)}
          ${l.total > l.items.length ? html`<p class="muted">Showing the latest ${l.items.length} of ${l.total}.</p>` : ''}
        </section>`;
      }, 'Loading changes…')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-changes-page': LsChangesPage;
  }
}
