import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { api, getList, seg } from '../api.js';
import { formatTime, serviceText } from '../format.js';
import { deviceLink } from '../fragments.js';
import { Loader } from '../loader.js';
import { navigate } from '../navigate.js';
import { compareHref, scanHref } from '../router.js';
import { baseStyles } from '../styles.js';
import type { CompareJson, ScanJson } from '../types.js';
import '../components/ls-state.js';

type HostRef = CompareJson['new_hosts'][number];

function hostLabel(h: HostRef): string {
  return h.hostname || h.vendor || h.mac || h.ip || '?';
}

/** Scan-to-scan comparison: new/removed hosts, new/removed ports, service changes (colour + text labels). */
@customElement('ls-compare-page')
export class LsComparePage extends LitElement {
  @property({ attribute: false }) a: number | null = null;
  @property({ attribute: false }) b: number | null = null;

  private readonly scans = new Loader<ScanJson[]>(
    this,
    async () => (await getList<ScanJson>('scans', { limit: 200 })).items,
  );
  private readonly diff = new Loader<CompareJson>(this, () =>
    api.get<CompareJson>(`scans/${seg(this.a ?? 0)}/compare/${seg(this.b ?? 0)}`),
  );

  static override styles = [
    baseStyles,
    css`
      .pick {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin-bottom: 1rem;
      }
      .pick select {
        max-width: 100%;
      }
      .diff li {
        border-left: 4px solid transparent;
        padding-left: 0.5rem;
      }
      .diff .added {
        border-left-color: var(--ls-ok);
      }
      .diff .removed {
        border-left-color: var(--ls-bad);
      }
      .diff .changed {
        border-left-color: var(--ls-warn);
      }
      .label {
        font-weight: 700;
        font-size: 0.75rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        padding: 0 0.4rem;
        border-radius: 4px;
      }
      .added .label {
        background: var(--ls-ok-bg);
        color: var(--ls-ok);
      }
      .removed .label {
        background: var(--ls-bad-bg);
        color: var(--ls-bad);
      }
      .changed .label {
        background: var(--ls-warn-bg);
        color: var(--ls-warn);
      }
      del {
        color: var(--ls-bad);
      }
      ins {
        color: var(--ls-ok);
        text-decoration: none;
        font-weight: 600;
      }
      .summary {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin-bottom: 1rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.scans.run();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('a') || changed.has('b')) && this.a && this.b) void this.diff.run();
  }

  private pick(): void {
    const sa = this.renderRoot.querySelector<HTMLSelectElement>('#scan-a');
    const sb = this.renderRoot.querySelector<HTMLSelectElement>('#scan-b');
    const a = Number(sa?.value);
    const b = Number(sb?.value);
    if (a > 0 && b > 0) navigate(compareHref(a, b));
  }

  override render() {
    return html`<a href="#/scans">← Scans</a>
      <h1>Compare scans</h1>
      ${this.renderPicker()}
      ${
        this.a && this.b
          ? this.diff.render((d) => this.renderDiff(d), 'Comparing…')
          : html`<ls-state kind="empty" message="Pick two scans to compare."></ls-state>`
      }`;
  }

  private renderPicker() {
    const list = this.scans.value ?? [];
    const options = (sel: number | null) =>
      list.map(
        (s) =>
          html`<option value=${s.id} ?selected=${s.id === sel}>
            #${s.id} ${s.kind} · ${formatTime(s.started_at)} · ${s.hosts_up ?? '?'} up
          </option>`,
      );
    return html`<div class="pick card">
      <label>From <select id="scan-a">${options(this.a)}</select></label>
      <label>To <select id="scan-b">${options(this.b)}</select></label>
      <button class="primary" @click=${() => this.pick()}>Compare</button>
    </div>`;
  }

  private section<T>(
    title: string,
    items: T[],
    kind: 'added' | 'removed' | 'changed',
    row: (x: T) => TemplateResult,
  ) {
    const word = kind === 'added' ? 'new' : kind === 'removed' ? 'gone' : 'changed';
    return html`<section class="card">
      <h2>${title} <span class="muted">(${items.length})</span></h2>
      ${
        items.length
          ? html`<ul class="list diff">
            ${items.map((x) => html`<li class=${kind}><span class="label">${word}</span>${row(x)}</li>`)}
          </ul>`
          : html`<p class="muted">None.</p>`
      }
    </section>`;
  }

  private renderDiff(d: CompareJson) {
    const host = (h: HostRef) =>
      html`${deviceLink(h.mac, hostLabel(h))} <span class="mono muted">${h.ip ?? ''}</span>
        <span class="mono muted">${h.mac ?? ''}</span>`;
    const port = (p: CompareJson['new_ports'][number]) =>
      html`<span class="mono">${p.port}/${p.protocol}</span> <span>${serviceText(p) || p.service || ''}</span> on
        ${host(p)}`;
    const nothingChanged =
      d.new_hosts.length +
        d.removed_hosts.length +
        d.new_ports.length +
        d.removed_ports.length +
        d.service_changes.length ===
      0;
    return html`
      <p>
        <a href=${scanHref(d.a.id)}>#${d.a.id} ${d.a.kind}</a> (${formatTime(d.a.started_at)}) →
        <a href=${scanHref(d.b.id)}>#${d.b.id} ${d.b.kind}</a> (${formatTime(d.b.started_at)})
      </p>
      <div class="summary">
        <span class="tag ok">+${d.new_hosts.length} hosts</span>
        <span class="tag bad">−${d.removed_hosts.length} hosts</span>
        <span class="tag warn">+${d.new_ports.length} ports</span>
        <span class="tag info">−${d.removed_ports.length} ports</span>
        <span class="tag warn">${d.service_changes.length} service changes</span>
      </div>
      ${nothingChanged ? html`<ls-state kind="empty" message="No differences between these scans."></ls-state>` : nothing}
      <div class="grid">
        ${this.section('New hosts', d.new_hosts, 'added', host)}
        ${this.section('Removed hosts', d.removed_hosts, 'removed', host)}
        ${this.section('New ports', d.new_ports, 'added', port)}
        ${this.section('Removed ports', d.removed_ports, 'removed', port)}
      </div>
      ${this.section(
        'Service changes',
        d.service_changes,
        'changed',
        (c) =>
          html`<span class="mono">${c.port}/${c.protocol}</span> on ${host(c)}:
            <del>${serviceText(c.before) || 'unknown'}</del> → <ins>${serviceText(c.after) || 'unknown'}</ins>`,
      )}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-compare-page': LsComparePage;
  }
}
