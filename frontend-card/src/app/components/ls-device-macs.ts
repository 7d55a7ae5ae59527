import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, errorText, getList, seg } from '../api.js';
import { formatTime, timeAgo } from '../format.js';
import { onlineTag } from '../fragments.js';
import { LiveRefresh } from '../live-refresh.js';
import { Loader } from '../loader.js';
import { baseStyles } from '../styles.js';
import type { DeviceIdentityJson, DeviceJson, SseDeviceJson } from '../types.js';
import { toast } from './ls-toasts.js';
import './ls-state.js';

type FurtherMac = DeviceIdentityJson['macs'][number];

const LINKED_BY: Record<FurtherMac['linked_by'], { tag: string; text: string }> = {
  dhcp: {
    tag: 'rotated private MAC',
    text: 'linked by its DHCP fingerprint (same hostname, client id and parameter list)',
  },
  manual: { tag: 'merged', text: 'merged by hand' },
};

/**
 * A device's MACs (DESIGN §15): its own, and the further ones — rotated private addresses linked by DHCP
 * fingerprint, and devices merged into it — with how each was linked and what the device said about itself
 * (DHCP, mDNS). Admins merge another device into this one (a picker with search, then a confirmation that says
 * what happens) and split a further MAC off. Fires `changed` after a merge or split; follows the live feed.
 */
@customElement('ls-device-macs')
export class LsDeviceMacs extends LitElement {
  @property({ attribute: false }) device!: DeviceJson;
  /** the caller may merge and split (scope admin) */
  @property({ type: Boolean }) admin = false;
  @state() private picking = false;
  @state() private query = '';
  @state() private candidate: DeviceJson | null = null;
  @state() private splitting: string | null = null;
  @state() private busy = false;
  @state() private error = '';
  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly identity = new Loader<DeviceIdentityJson>(this, () =>
    api.get<DeviceIdentityJson>(`devices/${seg(this.device.mac)}/identity`),
  );
  private readonly candidates = new Loader<DeviceJson[]>(this, async () => {
    const l = await getList<DeviceJson>('devices', {
      q: this.query.trim() || undefined,
      sort: 'last_seen',
      order: 'desc',
      limit: 13,
    });
    return l.items.filter((d) => d.mac !== this.device.mac).slice(0, 12);
  });

  constructor() {
    super();
    // this device changed (a merge or split from anywhere: CLI, another browser), or one merged into it
    new LiveRefresh(
      this,
      ['device'],
      () => {
        void this.identity.run(true);
        if (this.picking) void this.candidates.run(true);
      },
      (m) => {
        const d = m.data as SseDeviceJson | null;
        if (!d || typeof d !== 'object') return false;
        return d.mac === this.device?.mac || ('into' in d && d.into === this.device?.mac) || this.picking;
      },
      300,
    );
  }

  static override styles = [
    baseStyles,
    css`
      ul.macs li {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        align-items: center;
        gap: 0.5rem;
      }
      ul.macs .mac {
        margin-right: 0.25rem;
      }
      ul.macs .how {
        font-size: 0.85rem;
        margin-top: 0.15rem;
      }
      .picker {
        margin-top: 0.75rem;
        border: 1px solid var(--ls-border);
        border-radius: 6px;
        padding: 0.6rem 0.75rem;
        background: var(--ls-surface-2);
      }
      .picker input[type='search'] {
        width: 100%;
      }
      .picker ul {
        list-style: none;
        margin: 0.5rem 0 0;
        padding: 0;
        max-height: 22rem;
        overflow-y: auto;
      }
      .picker li + li {
        border-top: 1px solid var(--ls-border);
      }
      button.candidate {
        all: unset;
        box-sizing: border-box;
        cursor: pointer;
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.1rem 0.75rem;
        width: 100%;
        padding: 0.45rem 0.35rem;
        border-radius: 4px;
      }
      button.candidate:hover,
      button.candidate:focus-visible {
        background: var(--ls-info-bg);
        outline: none;
      }
      button.candidate .who {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      button.candidate .facts {
        grid-column: 1 / -1;
        font-size: 0.85rem;
        color: var(--ls-muted);
        overflow-wrap: anywhere;
      }
      .confirm ul {
        margin: 0.25rem 0 0.6rem;
        padding-left: 1.2rem;
      }
      dl.facts {
        margin-top: 0.75rem;
      }
      h3 {
        font-size: 0.95rem;
        margin: 1rem 0 0.4rem;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    const before = changed.get('device') as DeviceJson | undefined;
    if (changed.has('device') && before?.mac !== this.device.mac) {
      this.picking = false;
      this.candidate = null;
      this.splitting = null;
      this.error = '';
      this.told = undefined;
      void this.identity.run();
    }
  }

  private told: number | undefined;

  /** Tells the page how many further MACs there are (`loaded`, detail: the count) whenever it changes. */
  protected override updated(): void {
    const i = this.identity.value;
    if (this.identity.status !== 'ok' || !i || i.mac !== this.device.mac) return;
    const n = i.macs.length;
    if (n === this.told) return;
    this.told = n;
    this.dispatchEvent(new CustomEvent<number>('loaded', { detail: n }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.searchTimer) clearTimeout(this.searchTimer);
  }

  private openPicker(): void {
    this.picking = true;
    this.candidate = null;
    this.error = '';
    this.query = '';
    void this.candidates.run();
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLInputElement>('#merge-search')?.focus(),
    );
  }

  private closePicker(): void {
    this.picking = false;
    this.candidate = null;
  }

  private onSearch(e: Event): void {
    this.query = (e.target as HTMLInputElement).value;
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.candidates.run(true), 200);
  }

  private merge(other: DeviceJson): Promise<void> {
    return this.post('merge', other.mac, 'Not merged', () => {
      toast(`Merged ${other.display_name} (${other.mac}) into ${this.device.display_name}`, 'ok');
      this.closePicker();
    });
  }

  private split(mac: string): Promise<void> {
    return this.post('split', mac, 'Not split', () => {
      toast(`Split ${mac} off ${this.device.display_name}: a device of its own when next seen`, 'ok');
      this.splitting = null;
    });
  }

  /** POST api/devices/:mac/merge|split {mac}; the server's refusal is shown as it is, after `failed`. */
  private async post(
    action: 'merge' | 'split',
    mac: string,
    failed: string,
    done: () => void,
  ): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await api.post<DeviceJson>(`devices/${seg(this.device.mac)}/${action}`, { mac });
      done();
      await this.identity.run(true);
      this.dispatchEvent(new CustomEvent('changed'));
    } catch (err) {
      this.error = `${failed}: ${errorText(err)}`;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return this.identity.render((i) => this.renderIdentity(i), 'Loading MACs…');
  }

  private renderIdentity(i: DeviceIdentityJson) {
    const d = this.device;
    return html`
      ${this.error ? html`<div class="error-banner" role="alert">${this.error}</div>` : nothing}
      <ul class="list macs" id="device-macs">
        <li data-mac=${d.mac}>
          <div>
            ${
              d.identified_by === 'ip'
                ? html`<span class="mac">no MAC</span> <span class="tag info">by IP</span>
                  <div class="how muted">
                    a host on a routed subnet, known by its address ${d.ip ?? ''} · first seen
                    ${formatTime(d.first_seen)} · last seen ${timeAgo(d.last_seen)}
                  </div>`
                : html`<span class="mono mac">${d.mac}</span> <span class="tag info">primary</span>
                  <div class="how muted">
                    its Home Assistant entities are keyed by it · first seen ${formatTime(d.first_seen)} · last seen
                    ${timeAgo(d.last_seen)}
                  </div>`
            }
          </div>
        </li>
        ${i.macs.map((m) => this.renderFurther(m))}
      </ul>
      ${
        i.macs.length === 0
          ? html`<p class="muted" id="no-further-macs">
            No further MACs. A phone that rotates its private MAC is linked here by its DHCP fingerprint; a device
            seen under two MACs can be merged by hand.
          </p>`
          : nothing
      }
      ${this.splitting ? this.renderSplitConfirm(this.splitting) : nothing}
      ${
        this.admin
          ? this.picking
            ? this.renderPicker()
            : html`<div class="row" style="margin-top:0.6rem">
              <button id="merge-open" ?disabled=${this.busy} @click=${() => this.openPicker()}>
                Merge another device into this one…
              </button>
            </div>`
          : nothing
      }
      ${this.renderHeard(i)}
    `;
  }

  private renderFurther(m: FurtherMac) {
    const how = LINKED_BY[m.linked_by];
    return html`<li data-mac=${m.mac}>
      <div>
        <span class="mono mac">${m.mac}</span>
        <span class="tag ${m.linked_by === 'manual' ? 'warn' : 'info'}">${how.tag}</span>
        <div class="how muted">
          ${how.text} · since ${formatTime(m.first_seen)} · last seen ${timeAgo(m.last_seen)}
        </div>
      </div>
      ${
        this.admin
          ? html`<button
              class="split"
              aria-label="Split ${m.mac} off"
              ?disabled=${this.busy}
              @click=${() => {
                this.splitting = m.mac;
                this.error = '';
              }}
            >
              Split off…
            </button>`
          : nothing
      }
    </li>`;
  }

  private renderSplitConfirm(mac: string) {
    const d = this.device;
    return html`<div class="confirm" role="alertdialog" aria-label="Confirm split">
      <p style="margin:0 0 0.5rem">
        Split <strong class="mono">${mac}</strong> off <strong>${d.display_name}</strong>? It stops counting as this
        device: the next time it is seen it becomes a device of its own (with its own Home Assistant entities, and
        a “new device” alert unless it is trusted). The history so far stays with ${d.display_name}.
      </p>
      <div class="row">
        <button class="danger" id="split-confirm" ?disabled=${this.busy} @click=${() => this.split(mac)}>
          Split ${mac} off
        </button>
        <button @click=${() => (this.splitting = null)}>Cancel</button>
      </div>
    </div>`;
  }

  private renderPicker() {
    const c = this.candidate;
    if (c) return this.renderMergeConfirm(c);
    return html`<div class="picker" role="group" aria-label="Merge another device into this one">
      <div class="row">
        <strong>Merge which device into ${this.device.display_name}?</strong>
        <span class="spacer"></span>
        <button @click=${() => this.closePicker()}>Cancel</button>
      </div>
      <input
        id="merge-search"
        type="search"
        placeholder="Search name, IP, MAC, vendor"
        aria-label="Search devices to merge"
        .value=${this.query}
        @input=${this.onSearch}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Escape') this.closePicker();
        }}
        style="margin-top:0.5rem"
      />
      ${this.candidates.render(
        (list) =>
          list.length === 0
            ? html`<p class="muted">${this.query.trim() ? 'No other device matches.' : 'There is no other device.'}</p>`
            : html`<ul id="merge-candidates">
              ${list.map(
                (o) => html`<li>
                  <button class="candidate" data-mac=${o.mac} @click=${() => (this.candidate = o)}>
                    <span class="who">${o.display_name}</span>
                    <span>${onlineTag(o.online)}</span>
                    <span class="facts"
                      ><span class="mono">${o.identified_by === 'ip' ? 'no MAC (by IP)' : o.mac}</span> ·
                      <span class="mono">${o.ip ?? 'no IP'}</span> ·
                      ${o.vendor ?? (o.randomized ? 'private MAC' : 'unknown vendor')} · seen ${timeAgo(o.last_seen)}</span
                    >
                  </button>
                </li>`,
              )}
            </ul>`,
        'Loading devices…',
      )}
    </div>`;
  }

  private renderMergeConfirm(other: DeviceJson) {
    const d = this.device;
    return html`<div class="confirm" role="alertdialog" aria-label="Confirm merge">
      <p style="margin:0 0 0.25rem">
        Merge <strong>${other.display_name}</strong> (<span class="mono">${other.mac}</span>) into
        <strong>${d.display_name}</strong>?
      </p>
      <ul>
        <li>
          ${d.display_name} stays, with its Home Assistant entities and its history; the IP and presence history
          of ${other.display_name} move over to it.
        </li>
        <li><span class="mono">${other.mac}</span> becomes a further MAC of ${d.display_name}: when it is seen, ${d.display_name} is home.</li>
        <li>
          ${other.display_name} is removed as a device, with its Home Assistant entities, open ports and findings.
          ${d.display_name} keeps its own name, trust and notes (and takes those of ${other.display_name} where it has none).
        </li>
      </ul>
      <p class="muted" style="margin:0 0 0.5rem">You can split the MAC off again later; the history that moved stays.</p>
      <div class="row">
        <button class="danger" id="merge-confirm" ?disabled=${this.busy} @click=${() => this.merge(other)}>
          Merge into ${d.display_name}
        </button>
        <button ?disabled=${this.busy} @click=${() => (this.candidate = null)}>Back</button>
        <button ?disabled=${this.busy} @click=${() => this.closePicker()}>Cancel</button>
      </div>
    </div>`;
  }

  /** What the device said about itself (passive listening): the facts a rotated MAC is linked by. */
  private renderHeard(i: DeviceIdentityJson) {
    const m = i.mdns;
    const anyMdns = m.hosts.length + m.services.length + m.instances.length > 0;
    if (!i.dhcp && !anyMdns) return nothing;
    return html`<h3>What it said about itself</h3>
      <dl class="facts" id="device-heard">
        ${
          i.dhcp
            ? html`<dt>DHCP hostname</dt>
              <dd>${i.dhcp.hostname ?? '—'}</dd>
              <dt>Client id</dt>
              <dd class="mono">${i.dhcp.client_id ?? '—'}</dd>
              <dt>Parameter list</dt>
              <dd class="mono">${i.dhcp.parameter_request_list.join(',') || '—'}</dd>
              ${i.dhcp.vendor_class ? html`<dt>Vendor class</dt><dd>${i.dhcp.vendor_class}</dd>` : nothing}`
            : nothing
        }
        ${m.hosts.length ? html`<dt>mDNS names</dt><dd>${m.hosts.join(', ')}</dd>` : nothing}
        ${m.services.length ? html`<dt>mDNS services</dt><dd>${m.services.join(', ')}</dd>` : nothing}
        ${i.heard_at ? html`<dt>Last heard</dt><dd>${i.heard_via ?? ''} ${timeAgo(i.heard_at)}</dd>` : nothing}
      </dl>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-device-macs': LsDeviceMacs;
  }
}
