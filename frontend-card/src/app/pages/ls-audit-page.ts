import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getList } from '../api.js';
import { formatTime } from '../format.js';
import { pager } from '../fragments.js';
import { Loader } from '../loader.js';
import { baseStyles, toolbarStyles } from '../styles.js';
import type { AuditEntryJson, List } from '../types.js';
import '../components/ls-state.js';

const PAGE = 100;

function detailText(d: unknown): string {
  if (d === null || d === undefined) return '';
  if (typeof d === 'string') return d;
  try {
    return JSON.stringify(d);
  } catch {
    return String(d);
  }
}

/** Audit log: who did what, when, from where. */
@customElement('ls-audit-page')
export class LsAuditPage extends LitElement {
  @state() private actor = '';
  @state() private action = '';
  @state() private offset = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  private readonly data = new Loader<List<AuditEntryJson>>(this, () =>
    getList<AuditEntryJson>('audit', {
      actor: this.actor.trim() || undefined,
      action: this.action.trim() || undefined,
      limit: PAGE,
      offset: this.offset,
    }),
  );

  static override styles = [
    baseStyles,
    toolbarStyles,
    css`
      td.detail {
        font-family: var(--ls-mono);
        font-size: 0.8rem;
        max-width: 28rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.data.run();
  }

  private later(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.offset = 0;
      void this.data.run();
    }, 300);
  }

  override render() {
    return html`<h1>Audit log</h1>
      <div class="toolbar">
        <input
          placeholder="Actor"
          aria-label="Filter by actor"
          @input=${(e: Event) => {
            this.actor = (e.target as HTMLInputElement).value;
            this.later();
          }}
        />
        <input
          placeholder="Action (e.g. device.update)"
          aria-label="Filter by action"
          @input=${(e: Event) => {
            this.action = (e.target as HTMLInputElement).value;
            this.later();
          }}
        />
      </div>
      ${this.data.render((l) => this.renderList(l), 'Loading the audit log…')}`;
  }

  private renderList(l: List<AuditEntryJson>) {
    if (l.items.length === 0) return html`<ls-state kind="empty" message="No audit entries."></ls-state>`;
    return html`<div class="card table-wrap" style="padding:0.25rem 0.5rem">
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Target</th>
              <th>From</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            ${l.items.map(
              (a) => html`<tr>
                <td>${formatTime(a.time)}</td>
                <td>${a.actor} <span class="muted">(${a.actor_kind})</span></td>
                <td><span class="tag ${a.action.startsWith('auth.fail') ? 'bad' : ''}">${a.action}</span></td>
                <td class="mono">${a.target ?? ''}</td>
                <td class="mono">${a.ip ?? ''}</td>
                <td class="detail">${detailText(a.detail)}</td>
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
    'ls-audit-page': LsAuditPage;
  }
}
