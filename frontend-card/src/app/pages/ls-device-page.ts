import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, errorText, getList, seg } from '../api.js';
import { toast } from '../components/ls-toasts.js';
import { formatDuration, formatTime, serviceText, timeAgo } from '../format.js';
import { changeList, deviceFlags, onlineTag } from '../fragments.js';
import { LiveRefresh } from '../live-refresh.js';
import { Loader } from '../loader.js';
import { navigate } from '../navigate.js';
import { deviceHref } from '../router.js';
import { AdminScope } from '../scope.js';
import { baseStyles } from '../styles.js';
import { presenceSegments, uptimeShare } from '../timeline.js';
import type {
  DeviceHistoryJson,
  DeviceJson,
  DevicePatch,
  FindingGroupJson,
  ScanAcceptedJson,
  SseDeviceJson,
  TlsFactJson,
  WakeResultJson,
} from '../types.js';
import '../components/ls-badge.js';
import '../components/ls-tls-facts.js';
import '../components/ls-finding-groups.js';
import '../components/ls-state.js';
import '../components/ls-device-macs.js';
import { DEVICE_KINDS, type DeviceKind, KIND_INFO, kindIcon } from '../../shared/kinds.js';

const DAY = 86_400_000;
const WINDOWS = [
  { ms: DAY, label: '24 h' },
  { ms: 7 * DAY, label: '7 days' },
  { ms: 30 * DAY, label: '30 days' },
];

/**
 * One device, in the order a person acts on it: summary, presence timeline, ports/services, finding groups,
 * history (IP, ports, changes) and notes, each a collapsible section. Phone-height budget (390×844): the
 * presence timeline starts within the first screen, and the page with its default open sections stays under
 * 4 screens (3,400 px) for a device with 40 CVE findings — the CVEs sit inside their groups, history is closed.
 */
@customElement('ls-device-page')
export class LsDevicePage extends LitElement {
  @property() mac = '';
  @state() private editingName = false;
  @state() private confirmForget = false;
  @state() private busy = false;
  /** presence window the user picked; null: the smallest one that covers the device's whole life */
  @state() private pickedWindowMs: number | null = null;
  @state() private actionError = '';
  /** the last Wake-on-LAN answer for this device ("magic packet … sent to …") */
  @state() private wakeStatus = '';
  /** set when the live feed says this device was merged into another one */
  @state() private mergedInto: string | null = null;
  /** how many further MACs the device has (ls-device-macs tells once it loaded them) */
  @state() private furtherMacs = 0;
  private readonly scope = new AdminScope(this);

  private readonly device = new Loader<DeviceJson>(this, () =>
    api.get<DeviceJson>(`devices/${seg(this.mac)}`),
  );
  private readonly history = new Loader<DeviceHistoryJson>(this, () =>
    api.get<DeviceHistoryJson>(`devices/${seg(this.mac)}/history`, { limit: 500 }),
  );
  private readonly tls = new Loader<TlsFactJson[]>(this, async () => {
    const r = await api.get<{ items: TlsFactJson[] }>(`devices/${seg(this.mac)}/tls`);
    return r.items;
  });
  /** null: no list set (no port counts as unexpected) */
  private readonly expected = new Loader<string[] | null>(this, async () => {
    const r = await api.get<{ ports: string[] | null }>(`devices/${seg(this.mac)}/expected-ports`);
    return r.ports;
  });
  private readonly findings = new Loader<FindingGroupJson[]>(this, async () => {
    const l = await getList<FindingGroupJson>('findings/groups', { mac: this.mac, limit: 200 });
    return l.items;
  });

  constructor() {
    super();
    new LiveRefresh(
      this,
      ['device', 'change', 'finding'],
      (m) => {
        const d = m.data as SseDeviceJson;
        if (m.type === 'device' && d.action === 'removed' && d.reason === 'merged' && d.into) {
          this.mergedInto = d.into;
          return;
        }
        this.reload(true);
      },
      (m) => {
        const d = m.data as { mac?: unknown } | SseDeviceJson | null;
        return !!d && typeof d === 'object' && 'mac' in d && d.mac === this.mac;
      },
      600,
    );
  }

  static override styles = [
    baseStyles,
    css`
      details.sec > summary {
        cursor: pointer;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        list-style: none;
      }
      details.sec > summary::-webkit-details-marker {
        display: none;
      }
      details.sec > summary::before {
        content: '▸';
        color: var(--ls-muted, #888);
      }
      details.sec[open] > summary::before {
        content: '▾';
      }
      details.sec > summary h2 {
        margin: 0;
      }
      details.sec[open] > summary {
        margin-bottom: 0.6rem;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
      }
      .head h1 {
        margin: 0;
      }
      .head .kind-icon {
        color: var(--ls-accent);
        flex: none;
      }
      .head .kind-icon.unsure {
        opacity: 0.6;
      }
      .kind-row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      .kind-row select {
        max-width: 12rem;
      }
      .back {
        display: inline-block;
        margin-bottom: 0.5rem;
      }
      .rename {
        display: flex;
        gap: 0.4rem;
        flex-wrap: wrap;
        align-items: center;
      }
      .rename input {
        font-size: 1.1rem;
        min-width: 0;
        flex: 1 1 14rem;
      }
      .toggles {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        margin: 0.75rem 0 0;
      }
      .toggles label {
        display: flex;
        gap: 0.35rem;
        align-items: center;
        cursor: pointer;
      }
      .toggles input {
        min-height: auto;
        width: 1.1rem;
        height: 1.1rem;
      }
      .explain {
        font-size: 0.85rem;
        color: var(--ls-muted);
        margin: 0.25rem 0 0;
      }
      .timeline {
        position: relative;
        height: 1.4rem;
        background: var(--ls-neutral-bg);
        border-radius: 4px;
        overflow: hidden;
        margin: 0.5rem 0 0.25rem;
      }
      .timeline span {
        position: absolute;
        top: 0;
        bottom: 0;
      }
      .timeline .on {
        background: var(--ls-ok);
      }
      .timeline .off {
        background: repeating-linear-gradient(
          45deg,
          var(--ls-bad-bg),
          var(--ls-bad-bg) 4px,
          var(--ls-border) 4px,
          var(--ls-border) 6px
        );
      }
      .axis {
        display: flex;
        justify-content: space-between;
        font-size: 0.78rem;
        color: var(--ls-muted);
      }
      .finding {
        border-left: 4px solid var(--ls-border);
        padding: 0.4rem 0.75rem;
        margin-bottom: 0.6rem;
        background: var(--ls-surface-2);
        border-radius: 4px;
      }
      .finding.high,
      .finding.critical {
        border-left-color: var(--ls-bad);
      }
      .finding.medium {
        border-left-color: var(--ls-warn);
      }
      .finding.resolved {
        opacity: 0.7;
      }
      .finding .fix {
        margin-top: 0.3rem;
      }
      button.further {
        all: unset;
        cursor: pointer;
        color: var(--ls-accent);
        font-family: var(--ls-font);
        font-size: 0.9rem;
        margin-left: 0.5rem;
      }
      button.further:hover {
        text-decoration: underline;
      }
      button.further:focus-visible {
        outline: 2px solid var(--ls-accent);
      }
      .tls-head {
        margin: 1rem 0 0;
        font-size: 1rem;
      }
      textarea {
        width: 100%;
        min-height: 4rem;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('mac')) {
      this.editingName = false;
      this.confirmForget = false;
      this.actionError = '';
      this.wakeStatus = '';
      this.mergedInto = null;
      this.furtherMacs = 0;
      const macs = this.renderRoot?.querySelector<HTMLDetailsElement>('#sec-macs');
      if (macs) macs.open = false;
      this.pickedWindowMs = null;
      this.reload(false);
    }
  }

  private reload(quiet: boolean): void {
    void this.device.run(quiet);
    void this.history.run(quiet);
    void this.findings.run(quiet);
    void this.tls.run(quiet);
    void this.expected.run(quiet);
  }

  private async patch(body: DevicePatch, okText?: string): Promise<boolean> {
    this.busy = true;
    this.actionError = '';
    try {
      const d = await api.patch<DeviceJson>(`devices/${seg(this.mac)}`, body);
      this.device.value = d;
      if (okText) toast(okText, 'ok');
      return true;
    } catch (err) {
      this.actionError = errorText(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async saveName(e: Event): Promise<void> {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#name-input');
    if (!input) return;
    const name = input.value.trim();
    if (await this.patch({ name: name === '' ? null : name }, name ? 'Name saved' : 'Name cleared')) {
      this.editingName = false;
    }
  }

  private async setKind(e: Event): Promise<void> {
    const v = (e.target as HTMLSelectElement).value;
    const kind = (DEVICE_KINDS as readonly string[]).includes(v) ? (v as DeviceKind) : null;
    await this.patch({ kind }, kind ? `Kind: ${KIND_INFO[kind].label}` : 'Kind: automatic');
  }

  private async saveNotes(): Promise<void> {
    const ta = this.renderRoot.querySelector<HTMLTextAreaElement>('#notes');
    if (!ta) return;
    const notes = ta.value.trim();
    await this.patch({ notes: notes === '' ? null : notes }, 'Notes saved');
  }

  private async forget(): Promise<void> {
    this.busy = true;
    try {
      await api.del(`devices/${seg(this.mac)}`);
      toast(`Forgot ${this.device.value?.display_name ?? this.mac}`, 'ok');
      navigate('#/devices');
    } catch (err) {
      this.actionError = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private async rescan(): Promise<void> {
    this.busy = true;
    try {
      const r = await api.post<ScanAcceptedJson>(`devices/${seg(this.mac)}/scan`, {});
      toast(r.message || 'Deep scan queued', 'ok');
    } catch (err) {
      this.actionError = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private async wake(d: DeviceJson): Promise<void> {
    this.busy = true;
    this.actionError = '';
    this.wakeStatus = '';
    try {
      const r = await api.post<WakeResultJson>(`devices/${seg(d.mac)}/wake`, {});
      this.wakeStatus = r.message;
      toast(`Wake ${d.display_name}: ${r.message}`, 'ok');
    } catch (err) {
      this.actionError = `Not woken: ${errorText(err)}`;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    if (this.mergedInto) {
      return html`<a class="back" href="#/devices">← Devices</a>
        <ls-state
          kind="empty"
          .message=${`${this.mac} was merged into another device: its MAC and history are there now.`}
        ></ls-state>
        <p>
          <a id="merged-into" href=${deviceHref(this.mergedInto)}
            >Open the device it is part of now (<span class="mono">${this.mergedInto}</span>)</a
          >
        </p>`;
    }
    return html`<a class="back" href="#/devices">← Devices</a>
      ${this.device.render((d) => this.renderDevice(d), 'Loading device…')}`;
  }

  private renderDevice(d: DeviceJson) {
    const admin = this.scope.admin;
    return html`
      <div class="head">
        ${
          this.editingName
            ? html`<form class="rename" @submit=${this.saveName}>
              <input
                id="name-input"
                aria-label="Device name"
                maxlength="64"
                .value=${d.name ?? ''}
                placeholder=${d.hostname ?? d.vendor ?? 'Name'}
                @keydown=${(e: KeyboardEvent) => {
                  if (e.key === 'Escape') this.editingName = false;
                }}
              />
              <button class="primary" type="submit" ?disabled=${this.busy}>Save</button>
              <button type="button" @click=${() => (this.editingName = false)}>Cancel</button>
            </form>`
            : html`${kindIcon(d.kind, 30, d.kind_confidence)}<h1 id="device-name">${d.display_name}</h1>
              ${
                admin
                  ? html`<button id="rename" @click=${() => this.startRename()} title="Rename">Rename</button>`
                  : nothing
              }`
        }
        ${onlineTag(d.online)} <ls-badge .level=${d.risk} label="risk"></ls-badge> ${deviceFlags(d)}
      </div>
      ${this.actionError ? html`<div class="error-banner" role="alert">${this.actionError}</div>` : nothing}
      <details class="card sec" id="sec-summary" open>
          <summary><h2>Summary</h2></summary>
          <dl class="facts">
            <dt>MAC</dt>
            <dd class="mono">
              ${d.identified_by === 'ip' ? html`<span id="device-by-ip">none: identified by IP (routed subnet)</span>` : d.mac}
              ${
                this.furtherMacs > 0
                  ? html`<button class="further" @click=${() => this.showMacs()}>
                      + ${this.furtherMacs} further MAC${this.furtherMacs === 1 ? '' : 's'}
                    </button>`
                  : nothing
              }
            </dd>
            <dt>IP</dt>
            <dd class="mono">${d.ip ?? (d.ipv6_addresses.length > 0 ? 'none (IPv6 only)' : '—')}</dd>
            <dt>IPv6</dt>
            <dd id="device-ipv6" class="mono">
              ${
                d.ipv6_addresses.length > 0
                  ? d.ipv6_addresses.map(
                      (a) =>
                        html`<div>${a}${a.startsWith('fe80:') ? html` <span class="muted">link-local</span>` : nothing}</div>`,
                    )
                  : '—'
              }
            </dd>
            <dt>Hostname</dt>
            <dd>${d.hostname ?? '—'}</dd>
            <dt>Vendor</dt>
            <dd>${d.vendor ?? (d.randomized ? 'none (private MAC)' : 'unknown')}</dd>
            <dt>Kind</dt>
            <dd id="device-kind">
              <div class="kind-row">
                <select aria-label="Device kind" ?disabled=${this.busy || !admin} @change=${(e: Event) => this.setKind(e)}>
                  <option value="" ?selected=${d.kind_source !== 'user'}>
                    ${d.kind_guess ? `Automatic: ${KIND_INFO[d.kind_guess].label}` : 'Automatic: unknown'}
                  </option>
                  ${DEVICE_KINDS.map(
                    (k) =>
                      html`<option .value=${k} ?selected=${d.kind_source === 'user' && d.kind === k}>
                        ${KIND_INFO[k].label}
                      </option>`,
                  )}
                </select>
                <span class="muted">
                  ${
                    d.kind_source === 'user'
                      ? 'set by you'
                      : d.kind
                        ? `${d.kind_confidence}% sure: ${d.kind_reasons.slice(0, 3).join(', ')}`
                        : 'no clue yet: a port scan may tell'
                  }
                </span>
              </div>
            </dd>
            <dt>First seen</dt>
            <dd>${formatTime(d.first_seen)}</dd>
            <dt>Last seen</dt>
            <dd>${formatTime(d.last_seen)} <span class="muted">(${timeAgo(d.last_seen)})</span></dd>
            <dt>Presence</dt>
            <dd>${d.presence === 'home' ? 'home' : 'away'}</dd>
            <dt>Risk score</dt>
            <dd>${Math.round(d.risk_score)} / 100</dd>
          </dl>
          ${
            d.randomized
              ? html`<p class="explain">
                <strong>Private/randomized MAC.</strong> This device uses a made-up (locally administered) address,
                as phones and laptops do for privacy. It has no vendor, and it may show up as a “new device” again
                when it rotates its address. Name it and mark it trusted if you recognise it.
              </p>`
              : nothing
          }
          <div class="toggles">
            ${this.toggle(d, admin, 'known', 'Trusted', 'Known device: no “new device” alerts')}
            ${this.toggle(d, admin, 'watched', 'Watched', 'Alert when it goes offline')}
            ${this.toggle(d, admin, 'ignored', 'Ignored', 'Hide from Home Assistant and alerts')}
          </div>
          ${
            admin
              ? html`<div class="row" style="margin-top:0.9rem">
                <button ?disabled=${this.busy} @click=${() => this.rescan()}>Rescan ports</button>
                <button
                  id="wake"
                  ?disabled=${this.busy || !d.ip || d.identified_by === 'ip'}
                  title=${
                    d.identified_by === 'ip'
                      ? 'Wake-on-LAN needs the MAC: this device is identified by IP'
                      : d.ip
                        ? 'Wake-on-LAN: send a magic packet to its subnet'
                        : 'Wake-on-LAN needs an IPv4 address'
                  }
                  @click=${() => this.wake(d)}
                >
                  Wake
                </button>
                <span class="spacer"></span>
                <button class="danger" ?disabled=${this.busy} @click=${() => (this.confirmForget = true)}>Forget…</button>
              </div>
              ${this.wakeStatus ? html`<p class="explain" id="wake-status" role="status">${this.wakeStatus}</p>` : nothing}`
              : nothing
          }
          ${
            this.confirmForget
              ? html`<div class="confirm" role="alertdialog" aria-label="Confirm forget">
                <p style="margin:0 0 0.5rem">
                  Forget <strong>${d.display_name}</strong>? Its history is deleted and its Home Assistant entities are
                  removed. If it is still on the network it will come back as a new device.
                </p>
                <div class="row">
                  <button class="danger" id="forget-confirm" ?disabled=${this.busy} @click=${() => this.forget()}>
                    Forget device
                  </button>
                  <button @click=${() => (this.confirmForget = false)}>Cancel</button>
                </div>
              </div>`
              : nothing
          }
      </details>
      ${this.history.render((h) => this.renderHistory(h), 'Loading presence…')}
      <details class="card sec" id="sec-ports" open>
        <summary><h2>Ports and services</h2> <span class="muted">${d.ports.length} open</span></summary>
        ${this.renderPorts(d)}
        <div class="row">
          ${this.renderExpected()}
          ${
            admin
              ? html`<button id="expect-ports" ?disabled=${this.busy || !d.ports_scanned_at} @click=${() => this.expectCurrentPorts()}
                title="Any port opened later raises an “unexpected port” alert">Expect only these ports</button>`
              : nothing
          }
        </div>
        ${this.renderTls()}
      </details>
      <details class="card sec" id="sec-findings" open>
        <summary><h2>Findings</h2> ${this.findings.value ? html`<span class="muted">${this.findings.value.filter((g) => !g.accepted).length} to act on</span>` : nothing}</summary>
        ${this.findings.render((f) => this.renderFindings(f), 'Loading findings…')}
      </details>
      <details class="card sec" id="sec-macs">
        <summary><h2>MACs and identity</h2> <span class="muted">${
          this.furtherMacs > 0
            ? `${this.furtherMacs + 1} MACs`
            : admin
              ? 'one MAC; merge another device into this one'
              : 'one MAC'
        }</span></summary>
        <ls-device-macs
          .device=${d}
          ?admin=${admin}
          @loaded=${(e: CustomEvent<number>) => this.macsLoaded(e.detail)}
          @changed=${() => this.reload(true)}
        ></ls-device-macs>
      </details>
      ${this.history.render((h) => this.renderHistoryTables(h), '')}
      <details class="card sec" id="sec-notes">
        <summary><h2>Notes</h2></summary>
        <textarea id="notes" aria-label="Notes" maxlength="2000" ?readonly=${!admin} .value=${d.notes ?? ''}></textarea>
        ${
          admin
            ? html`<div class="row" style="margin-top:0.4rem">
              <button ?disabled=${this.busy} @click=${() => this.saveNotes()}>Save notes</button>
            </div>`
            : nothing
        }
      </details>
    `;
  }

  /** Opens the MACs section when the device has further MACs; never closes it under the user's eyes. */
  private macsLoaded(further: number): void {
    this.furtherMacs = further;
    const sec = this.renderRoot.querySelector<HTMLDetailsElement>('#sec-macs');
    if (sec && further > 0) sec.open = true;
  }

  private showMacs(): void {
    const sec = this.renderRoot.querySelector<HTMLDetailsElement>('#sec-macs');
    if (!sec) return;
    sec.open = true;
    sec.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  private startRename(): void {
    this.editingName = true;
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('#name-input');
      input?.focus();
      input?.select();
    });
  }

  private toggle(
    d: DeviceJson,
    admin: boolean,
    key: 'known' | 'watched' | 'ignored',
    label: string,
    help: string,
  ) {
    return html`<label title=${help}>
      <input
        type="checkbox"
        name=${key}
        .checked=${d[key]}
        ?disabled=${this.busy || !admin}
        @change=${(e: Event) => {
          const on = (e.target as HTMLInputElement).checked;
          void this.patch({ [key]: on } as DevicePatch, `${label}: ${on ? 'on' : 'off'}`);
        }}
      />
      ${label}
    </label>`;
  }

  private renderPorts(d: DeviceJson) {
    if (!d.ports_scanned_at) {
      return html`<ls-state kind="empty" message="Not port-scanned yet. Press “Rescan ports” or wait for the scheduled scan."></ls-state>`;
    }
    if (d.ports.length === 0) {
      return html`<p class="muted">No open ports found (scanned ${timeAgo(d.ports_scanned_at)}).</p>`;
    }
    return html`<div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Port</th>
              <th>Service</th>
              <th>Product / version</th>
            </tr>
          </thead>
          <tbody>
            ${d.ports.map(
              (p) => html`<tr>
                <td class="mono">${p.port}/${p.protocol}${
                  this.expected.value && !this.expected.value.includes(`${p.protocol}/${p.port}`)
                    ? html` <span class="tag bad" title="Not in the expected ports">unexpected</span>`
                    : nothing
                }</td>
                <td>${p.service ?? '—'}</td>
                <td>${serviceText({ product: p.product, version: p.version, extrainfo: p.extrainfo }) || '—'}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <p class="muted">Scanned ${timeAgo(d.ports_scanned_at)}.</p>`;
  }

  private renderExpected() {
    const e = this.expected.value;
    if (e === undefined) return nothing;
    return html`<span class="muted" id="expected-ports"
      >${
        e === null
          ? 'No expected ports set.'
          : `Expected: ${e.map((k) => k.split('/').reverse().join('/')).join(', ') || 'none'}.`
      }</span
    >`;
  }

  private renderTls() {
    const facts = this.tls.value;
    if (!facts?.length) return nothing;
    const expiring = (this.findings.value ?? [])
      .filter((g) => g.kind === 'cert_expiring')
      .flatMap((g) => g.findings.map((f) => `${f.port}/${f.protocol ?? 'tcp'}`));
    return html`<h3 class="tls-head">TLS certificates and protocols</h3>
      <ls-tls-facts id="tls" .facts=${facts} .expiring=${expiring}></ls-tls-facts>`;
  }

  private renderFindings(groups: FindingGroupJson[]) {
    if (groups.length === 0) return html`<p class="muted">No active findings for this device.</p>`;
    return html`<ls-finding-groups .groups=${groups} @changed=${() => this.reload(true)}></ls-finding-groups>`;
  }

  private async expectCurrentPorts() {
    this.busy = true;
    try {
      const r = await api.put<{ ports: string[] | null }>(`devices/${seg(this.mac)}/expected-ports`, {
        from_current: true,
      });
      toast(
        `Expected ports: ${(r.ports ?? []).join(', ') || 'none'}. Any other open port raises “unexpected port”.`,
        'ok',
      );
      this.expected.value = r.ports;
      this.requestUpdate();
    } catch (err) {
      toast(errorText(err), 'bad');
    } finally {
      this.busy = false;
    }
  }

  /** A device seen for the first time 3 hours ago gets the 24 h view, not a sliver at the end of 7 days. */
  private get windowMs(): number {
    if (this.pickedWindowMs !== null) return this.pickedWindowMs;
    const first = Date.parse(this.device.value?.first_seen ?? '');
    const age = Number.isFinite(first) ? Date.now() - first : Number.POSITIVE_INFINITY;
    return (WINDOWS.find((w) => w.ms >= age) ?? WINDOWS[1]!).ms;
  }

  private renderHistory(h: DeviceHistoryJson) {
    const now = Date.now();
    const segs = presenceSegments(h.presence, now, this.windowMs);
    const up = uptimeShare(segs);
    const transitions = [...h.presence].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, 12);
    return html`
      <details class="card sec" id="sec-presence" open>
        <summary class="row">
          <h2 style="margin:0">Presence</h2>
          <span class="spacer"></span>
          ${WINDOWS.map(
            (w) =>
              html`<button aria-pressed=${this.windowMs === w.ms ? 'true' : 'false'} @click=${() => (this.pickedWindowMs = w.ms)}>
                ${w.label}
              </button>`,
          )}
        </summary>
        ${
          segs.length
            ? html`<div class="timeline" role="img" aria-label="Presence over the last ${formatDuration(this.windowMs)}">
                ${segs.map(
                  (s) =>
                    html`<span
                      class=${s.online ? 'on' : 'off'}
                      style="left:${(s.left * 100).toFixed(3)}%;width:${Math.max(s.width * 100, 0.2).toFixed(3)}%"
                      title="${s.online ? 'online' : 'offline'} ${formatTime(new Date(s.start).toISOString())} – ${formatTime(new Date(s.end).toISOString())}"
                    ></span>`,
                )}
              </div>
              <div class="axis"><span>${formatDuration(this.windowMs)} ago</span><span>now</span></div>
              <p class="muted">
                ${up !== null ? html`Online ${Math.round(up * 100)}% of the recorded time. ` : nothing}
                <span class="tag ok">■ online</span> <span class="tag bad">▨ offline</span>
              </p>
              <ul class="list">
                ${transitions.map(
                  (p) => html`<li>
                    ${onlineTag(p.online)}
                    <time datetime=${p.time}>${formatTime(p.time)}</time>
                    <span class="muted">${timeAgo(p.time)}</span>
                  </li>`,
                )}
              </ul>`
            : html`<p class="muted">No presence history in this window yet.</p>`
        }
      </details>
    `;
  }

  private renderHistoryTables(h: DeviceHistoryJson) {
    return html`<details class="card sec" id="sec-history">
      <summary><h2>History</h2> <span class="muted">IP addresses, port changes, change log</span></summary>
      <div class="grid">
        <section class="card">
          <h2>IP history</h2>
          ${
            h.ip_history.length
              ? html`<div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>IP</th>
                      <th>First seen</th>
                      <th>Last seen</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${h.ip_history.map(
                      (r) => html`<tr>
                        <td class="mono">${r.ip}</td>
                        <td>${formatTime(r.first_seen)}</td>
                        <td>${formatTime(r.last_seen)}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
              : html`<p class="muted">No IP history.</p>`
          }
        </section>
        <section class="card">
          <h2>Port history</h2>
          ${
            h.ports.length
              ? html`<ul class="list">
                ${h.ports.map(
                  (p) => html`<li>
                    <span class="tag ${p.event === 'closed' ? 'info' : 'warn'}"
                      >${p.event === 'service_changed' ? 'changed' : p.event}</span
                    >
                    <span class="mono">${p.port}/${p.protocol}</span>
                    <span>${serviceText(p) || ''}</span>
                    <span class="spacer"></span>
                    <span class="muted">${timeAgo(p.time)}</span>
                  </li>`,
                )}
              </ul>`
              : html`<p class="muted">No port changes recorded.</p>`
          }
        </section>
      </div>
      <section class="card">
        <h2>Changes</h2>
        ${h.changes.length ? changeList(h.changes, { showDevice: false }) : html`<p class="muted">No changes recorded.</p>`}
      </section>
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-device-page': LsDevicePage;
  }
}
