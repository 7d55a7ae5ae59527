import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type LiveMessage, live } from '../live.js';
import type { ScanJson, SseScanJson } from '../types.js';

export interface ProgressView {
  percent: number;
  hostsDone: number;
  hostsTotal: number;
  etaSeconds: number | null;
  queued: boolean;
  position: number | null;
}

/** "about 2 min left" / "under a minute left" / "" (no pace yet). */
export function etaText(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  if (s < 60) return 'under a minute left';
  const m = Math.round(s / 60);
  if (m < 90) return `about ${m} min left`;
  return `about ${Math.round(m / 60)} h left`;
}

/** One line for a running or queued scan: what, how far, how long. */
export function progressText(kind: string, p: ProgressView): string {
  const what = kind === 'ports' ? 'Port scan' : 'Sweep';
  if (p.queued) return `${what} queued${p.position ? ` (#${p.position} in line)` : ''}`;
  const unit = kind === 'ports' ? 'hosts' : 'addresses';
  const eta = etaText(p.etaSeconds);
  return `${what}: ${p.hostsDone} of ${p.hostsTotal} ${unit} · ${Math.floor(p.percent)} %${eta ? ` · ${eta}` : ''}`;
}

/**
 * A progress bar for one scan request, kept current by the live feed (`scan` events of this scan id).
 * Fires `scan-ended` when the scan finishes or fails.
 * <ls-scan-progress .scan=${scanJson}></ls-scan-progress>
 */
@customElement('ls-scan-progress')
export class LsScanProgress extends LitElement {
  @property({ attribute: false }) scan: ScanJson | null = null;
  @state() private view: ProgressView | null = null;

  private readonly onLive = (e: Event) => {
    const msg = (e as CustomEvent<LiveMessage>).detail;
    if (msg.type !== 'scan' || !this.scan) return;
    const d = msg.data as SseScanJson;
    if (d.scan_id !== this.scan.id) return;
    if (d.phase === 'finished' || d.phase === 'failed') {
      this.view = { ...(this.view ?? this.fromScan()), percent: 100, etaSeconds: 0, queued: false };
      this.dispatchEvent(new CustomEvent('scan-ended', { detail: d, bubbles: true, composed: true }));
      return;
    }
    const base = this.view ?? this.fromScan();
    this.view = {
      percent: d.percent ?? base.percent,
      hostsDone: d.hosts_done ?? base.hostsDone,
      hostsTotal: d.hosts_total ?? base.hostsTotal,
      etaSeconds: d.eta_seconds ?? base.etaSeconds,
      queued: false,
      position: null,
    };
  };

  static override styles = css`
    :host {
      display: block;
      min-width: 10rem;
    }
    .line {
      font-size: 0.88rem;
      margin-bottom: 0.25rem;
      color: var(--ls-text);
    }
    .track {
      height: 0.5rem;
      border-radius: 999px;
      background: var(--ls-neutral-bg);
      overflow: hidden;
    }
    .fill {
      height: 100%;
      background: var(--ls-accent);
      border-radius: 999px;
      transition: width 0.4s ease;
    }
    .queued .fill {
      background: var(--ls-muted);
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener('message', this.onLive);
  }

  override disconnectedCallback(): void {
    live.removeEventListener('message', this.onLive);
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('scan')) this.view = this.scan ? this.fromScan() : null;
  }

  private fromScan(): ProgressView {
    const p = this.scan?.progress;
    return {
      percent: p?.percent ?? 0,
      hostsDone: p?.hosts_done ?? 0,
      hostsTotal: p?.hosts_total ?? 0,
      etaSeconds: p?.eta_seconds ?? null,
      queued: this.scan?.status === 'queued',
      position: p?.queue_position ?? null,
    };
  }

  override render() {
    const v = this.view;
    if (!this.scan || !v) return nothing;
    const pct = Math.max(0, Math.min(100, v.percent));
    const text = progressText(this.scan.kind, v);
    return html`<div class=${v.queued ? 'queued' : ''}>
      <div class="line">${text}</div>
      <div
        class="track"
        role="progressbar"
        aria-label=${text}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${Math.floor(pct)}
      >
        <div class="fill" style="width:${pct}%"></div>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-scan-progress': LsScanProgress;
  }
}
