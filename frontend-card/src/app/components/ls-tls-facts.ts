import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatTime } from '../format.js';
import { baseStyles } from '../styles.js';
import { certExpiry, clip, isWeakProtocol, sanPreview } from '../tls.js';
import type { TlsFactJson } from '../types.js';

/**
 * What the last port scan's ssl-cert / ssl-enum-ciphers saw per TLS port: certificate subject, issuer, expiry,
 * self-signed, the subjectAltName list (bounded preview) and the protocols offered (weak ones marked). Every
 * value is network data: rendered as text by Lit (escaped), clipped, and wrapped anywhere so a hostile or
 * enormous certificate cannot break the layout.
 */
@customElement('ls-tls-facts')
export class LsTlsFacts extends LitElement {
  @property({ attribute: false }) facts: TlsFactJson[] = [];
  /** "443/tcp" keys of ports with an active cert_expiring finding (the server applies cert_expiry_days) */
  @property({ attribute: false }) expiring: string[] = [];

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .port {
        border-top: 1px solid var(--ls-border);
        padding-top: 0.5rem;
        margin-top: 0.5rem;
      }
      h3 {
        margin: 0 0 0.35rem;
        font-size: 0.95rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.2rem 0.75rem;
        margin: 0;
      }
      dt {
        color: var(--ls-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
        min-width: 0;
      }
      .protos {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
      }
      ul.san {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      ul.san li {
        display: inline;
      }
      ul.san li + li::before {
        content: ', ';
      }
    `,
  ];

  override render() {
    if (!this.facts.length) return nothing;
    return html`${this.facts.map((f) => this.renderFact(f))}`;
  }

  private renderFact(f: TlsFactJson) {
    const key = `${f.port}/${f.protocol}`;
    const exp = certExpiry(f.not_after, Date.now(), this.expiring.includes(key));
    const san = sanPreview(f.san);
    return html`<section class="port" data-port=${key}>
      <h3>
        <span class="mono">${f.port}/${f.protocol}</span> TLS
        <span class="tag ${exp.tone}">${exp.text}</span>
        ${f.self_signed ? html`<span class="tag warn" title="Signed by itself: browsers cannot verify it">self-signed</span>` : nothing}
      </h3>
      <dl>
        <dt>Subject</dt>
        <dd class="subject" title=${f.subject ?? ''}>${clip(f.subject)}</dd>
        <dt>Issuer</dt>
        <dd class="issuer">${f.self_signed ? 'itself (self-signed)' : clip(f.issuer)}</dd>
        <dt>Valid</dt>
        <dd class="validity">${formatTime(f.not_before)} → ${formatTime(f.not_after)}</dd>
        ${
          san.shown.length
            ? html`<dt>Names</dt>
              <dd class="san">
                <ul class="san">
                  ${san.shown.map((n) => html`<li>${n}</li>`)}
                </ul>
                ${
                  san.more || san.truncated
                    ? html`<span class="muted more"
                        >${san.more ? ` and ${san.more} more` : ''}${san.truncated ? ' (list cut: the certificate names even more)' : ''}</span
                      >`
                    : nothing
                }
              </dd>`
            : nothing
        }
        <dt>Protocols</dt>
        <dd class="protos">
          ${
            f.protocols.length
              ? f.protocols.map(
                  (p) =>
                    html`<span class="tag ${isWeakProtocol(p) ? 'bad' : 'ok'}" title=${isWeakProtocol(p) ? 'weak: turn it off' : ''}>${p}</span>`,
                )
              : html`<span class="muted">not seen</span>`
          }
        </dd>
        ${
          f.weak.some((w) => !isWeakProtocol(w))
            ? html`<dt>Weak ciphers</dt>
              <dd class="weak">${clip(f.weak.filter((w) => !isWeakProtocol(w)).join(', '), 200)}</dd>`
            : nothing
        }
      </dl>
    </section>`;
  }
}
