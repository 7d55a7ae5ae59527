import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getList } from '../api.js';
import { formatTime, timeAgo } from '../format.js';
import { deviceLink, pager } from '../fragments.js';
import { LiveRefresh } from '../live-refresh.js';
import { Loader } from '../loader.js';
import { baseStyles, toolbarStyles } from '../styles.js';
import type { FindingGroupJson, FindingJson, List } from '../types.js';
import '../components/ls-badge.js';
import '../components/ls-finding-groups.js';
import '../components/ls-state.js';

/**
 * Findings across every device. Active: remediation groups per device (device name, known exploited first,
 * then severity, then CVSS; accepted groups after the open ones). Resolved/all: one card per finding.
 */
@customElement('ls-findings-page')
export class LsFindingsPage extends LitElement {
  @state() private status: 'active' | 'resolved' | 'all' = 'active';
  @state() private minSeverity = '';
  @state() private offset = 0;

  private readonly groups = new Loader<List<FindingGroupJson>>(this, () =>
    getList<FindingGroupJson>('findings/groups', {
      min_severity: this.minSeverity || undefined,
      limit: 500,
    }),
  );

  private readonly data = new Loader<List<FindingJson>>(this, () =>
    getList<FindingJson>('findings', {
      status: this.status,
      min_severity: this.minSeverity || undefined,
      limit: 100,
      offset: this.offset,
    }),
  );

  constructor() {
    super();
    new LiveRefresh(this, ['finding'], () => this.reload(true), undefined, 800);
  }

  static override styles = [
    baseStyles,
    toolbarStyles,
    css`
      .f {
        border-left: 4px solid var(--ls-border);
      }
      .f.high,
      .f.critical {
        border-left-color: var(--ls-bad);
      }
      .f.medium {
        border-left-color: var(--ls-warn);
      }
      .f .fix {
        margin-top: 0.35rem;
      }
      .meta {
        font-size: 0.85rem;
      }
      h2 .count {
        font-size: 0.85rem;
        font-weight: normal;
        margin-left: 0.4rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  private reload(quiet = false) {
    return this.status === 'active' ? this.groups.run(quiet) : this.data.run(quiet);
  }

  override render() {
    return html`<h1>Findings</h1>
      <div class="toolbar">
        <label
          >Status
          <select
            @change=${(e: Event) => {
              this.status = (e.target as HTMLSelectElement).value as typeof this.status;
              this.offset = 0;
              void this.reload();
            }}
          >
            <option value="active">active (grouped by fix)</option>
            <option value="resolved">resolved</option>
            <option value="all">all</option>
          </select></label
        >
        <label
          >Severity
          <select
            @change=${(e: Event) => {
              this.minSeverity = (e.target as HTMLSelectElement).value;
              this.offset = 0;
              void this.reload();
            }}
          >
            <option value="">any</option>
            <option value="low">low+</option>
            <option value="medium">medium+</option>
            <option value="high">high+</option>
            <option value="critical">critical</option>
          </select></label
        >
      </div>
      ${
        this.status === 'active'
          ? this.groups.render((l) => this.renderGroups(l), 'Loading findings…')
          : this.data.render((l) => this.renderList(l), 'Loading findings…')
      }`;
  }

  private renderGroups(l: List<FindingGroupJson>) {
    if (l.items.length === 0) {
      return html`<ls-state
        kind="empty"
        message="No active findings. Port scans check every device for risky services, known-vulnerable versions and TLS."
      ></ls-state>`;
    }
    // devices in the order of their first (most urgent) group
    const byDevice = new Map<string, FindingGroupJson[]>();
    for (const g of l.items) byDevice.set(g.mac, [...(byDevice.get(g.mac) ?? []), g]);
    return html`${[...byDevice.entries()].map(([mac, gs]) => {
      const open = gs.filter((g) => !g.accepted).length;
      return html`<section class="device" data-mac=${mac}>
        <h2>${deviceLink(mac, gs[0]?.device_name ?? mac)}
          <span class="muted count">${open} to act on${gs.length > open ? `, ${gs.length - open} accepted` : ''}</span>
        </h2>
        <ls-finding-groups .groups=${gs} @changed=${() => void this.groups.run(true)}></ls-finding-groups>
      </section>`;
    })}`;
  }

  private renderList(l: List<FindingJson>) {
    if (l.items.length === 0) {
      return html`<ls-state
        kind="empty"
        message=${
          this.status === 'active'
            ? 'No active findings. Port scans check every device for risky services and known-vulnerable versions.'
            : 'No findings.'
        }
      ></ls-state>`;
    }
    return html`${l.items.map(
      (f) => html`<section class="card f ${f.severity}">
          <div class="row">
            <ls-badge .level=${f.severity} label="severity"></ls-badge>
            <strong>${f.title}</strong>
            ${f.cve ? html`<span class="tag mono">${f.cve}</span>` : nothing}
            ${f.cvss !== null ? html`<span class="tag">CVSS ${f.cvss}</span>` : nothing}
            ${f.known_exploited ? html`<span class="tag bad">known exploited</span>` : nothing}
            ${f.active ? nothing : html`<span class="tag ok">resolved</span>`}
          </div>
          <div class="meta muted">
            ${deviceLink(f.mac, f.device_name ?? f.mac)}
            ${f.port !== null ? html` · port <span class="mono">${f.port}/${f.protocol ?? 'tcp'}</span>` : nothing} · first
            seen <time datetime=${f.first_seen} title=${formatTime(f.first_seen)}>${timeAgo(f.first_seen)}</time>
            ${f.confidence < 1 ? html` · confidence ${Math.round(f.confidence * 100)}%` : nothing}
          </div>
          <div>${f.detail}</div>
          <div class="fix"><strong>Fix:</strong> ${f.remediation}</div>
        </section>`,
    )}
      ${pager(l, 100, (o) => this.show(o))}`;
  }

  private show(offset: number): void {
    this.offset = offset;
    void this.data.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-findings-page': LsFindingsPage;
  }
}
