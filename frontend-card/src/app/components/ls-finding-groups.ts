import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { api, errorText } from '../api.js';
import { baseStyles } from '../styles.js';
import type { FindingGroupJson } from '../types.js';
import './ls-badge.js';
import { toast } from './ls-toasts.js';

const EXPIRY_DAYS = [0, 7, 30, 90] as const;

/**
 * Finding groups of one device (or many): "Update Apache httpd 2.4.49 to 2.4.60 or newer — fixes 30 CVEs,
 * 3 known exploited", the CVEs inside on demand, and accept (mute) with a reason and an optional expiry.
 * Fires `changed` after an accept or revoke so the owner reloads.
 */
@customElement('ls-finding-groups')
export class LsFindingGroups extends LitElement {
  @property({ attribute: false }) groups: FindingGroupJson[] = [];
  /** the group whose accept form is open */
  @state() private accepting: string | null = null;
  @state() private busy = false;

  static override styles = [
    baseStyles,
    css`
      .g {
        border-left: 4px solid var(--ls-border);
        margin-bottom: 0.6rem;
      }
      .g.high,
      .g.critical {
        border-left-color: var(--ls-bad);
      }
      .g.medium {
        border-left-color: var(--ls-warn);
      }
      .g.accepted {
        opacity: 0.7;
        border-left-color: var(--ls-border);
      }
      .fix {
        margin-top: 0.35rem;
      }
      details > summary {
        cursor: pointer;
        margin-top: 0.35rem;
      }
      ul.cves {
        margin: 0.35rem 0 0;
        padding-left: 1.1rem;
      }
      ul.cves li {
        margin-bottom: 0.3rem;
      }
      form.accept {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        margin-top: 0.5rem;
      }
      form.accept input[name='reason'] {
        flex: 1 1 14rem;
        min-width: 10rem;
      }
      .tag.cond {
        font-style: italic;
      }
    `,
  ];

  override render() {
    return html`${this.groups.map((g) => this.renderGroup(g))}`;
  }

  private renderGroup(g: FindingGroupJson) {
    const acceptId = g.findings.find((f) => f.accepted)?.accepted?.id;
    const accepted = g.findings.find((f) => f.accepted)?.accepted;
    const cves = g.findings.filter((f) => f.cve);
    return html`<section class="card g ${g.severity} ${g.accepted ? 'accepted' : ''}" data-group=${g.key}>
      <div class="row">
        <ls-badge .level=${g.severity} label="severity"></ls-badge>
        <strong class="title">${g.title}</strong>
        ${g.known_exploited_count ? html`<span class="tag bad">${g.known_exploited_count} known exploited</span>` : nothing}
        ${g.cvss_max !== null ? html`<span class="tag">CVSS ≤ ${g.cvss_max}</span>` : nothing}
        ${g.accepted ? html`<span class="tag ok">accepted</span>` : nothing}
        ${!g.accepted && g.accepted_count ? html`<span class="tag">${g.accepted_count} accepted</span>` : nothing}
      </div>
      ${
        accepted && g.accepted
          ? html`<div class="muted">
              Accepted by ${accepted.by}: “${accepted.reason}”${accepted.expires_at ? html` · until ${accepted.expires_at.slice(0, 10)}` : ' · until the version changes'}
            </div>`
          : nothing
      }
      ${cves.length === 0 ? html`<div>${g.findings[0]?.detail ?? ''}</div>` : nothing}
      <div class="fix"><strong>Fix:</strong> ${g.remediation}</div>
      ${
        cves.length
          ? html`<details>
              <summary>${cves.length} CVE${cves.length === 1 ? '' : 's'} in this group</summary>
              <ul class="cves">
                ${cves.map(
                  (f) => html`<li>
                    <span class="mono">${f.cve}</span>
                    <ls-badge .level=${f.severity} label="severity"></ls-badge>
                    ${f.cvss !== null ? html`<span class="tag">CVSS ${f.cvss}</span>` : nothing}
                    ${f.known_exploited ? html`<span class="tag bad">known exploited</span>` : nothing}
                    ${f.component === 'module' && f.part ? html`<span class="tag cond">only if ${f.part} is enabled</span>` : nothing}
                    ${f.confidence < 1 ? html`<span class="muted">confidence ${Math.round(f.confidence * 100)}%</span>` : nothing}
                    ${f.accepted ? html`<span class="tag ok">accepted</span>` : nothing}
                    <div class="muted">${f.detail}</div>
                  </li>`,
                )}
              </ul>
            </details>`
          : nothing
      }
      <div class="row">
        ${
          g.accepted && acceptId !== undefined
            ? html`<button ?disabled=${this.busy} @click=${() => this.revoke(acceptId)}>Count again</button>`
            : this.accepting === g.key
              ? this.renderForm(g)
              : html`<button ?disabled=${this.busy} @click=${() => (this.accepting = g.key)}>Accept…</button>`
        }
      </div>
    </section>`;
  }

  private renderForm(g: FindingGroupJson) {
    return html`<form
      class="accept"
      @submit=${(e: Event) => {
        e.preventDefault();
        const f = new FormData(e.target as HTMLFormElement);
        void this.accept(g, String(f.get('reason') ?? ''), Number(f.get('days') ?? 0));
      }}
    >
      <input name="reason" required maxlength="500" placeholder="Why is this acceptable?" aria-label="Reason" />
      <select name="days" aria-label="Expires">
        ${EXPIRY_DAYS.map((d) => html`<option value=${d}>${d === 0 ? 'until the version changes' : `for ${d} days`}</option>`)}
      </select>
      <button type="submit" ?disabled=${this.busy}>Accept</button>
      <button type="button" @click=${() => (this.accepting = null)}>Cancel</button>
    </form>`;
  }

  private async accept(g: FindingGroupJson, reason: string, days: number) {
    this.busy = true;
    try {
      await api.post('findings/accepts', {
        mac: g.mac,
        scope: 'group',
        target: g.key,
        reason,
        ...(days > 0 ? { expires_at: new Date(Date.now() + days * 86_400_000).toISOString() } : {}),
      });
      toast('Accepted: it no longer counts in the risk', 'ok');
      this.accepting = null;
      this.dispatchEvent(new CustomEvent('changed', { bubbles: true, composed: true }));
    } catch (err) {
      toast(errorText(err), 'bad');
    } finally {
      this.busy = false;
    }
  }

  private async revoke(id: number) {
    this.busy = true;
    try {
      await api.del(`findings/accepts/${id}`);
      toast('Counts again', 'ok');
      this.dispatchEvent(new CustomEvent('changed', { bubbles: true, composed: true }));
    } catch (err) {
      toast(errorText(err), 'bad');
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-finding-groups': LsFindingGroups;
  }
}
