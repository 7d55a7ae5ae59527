import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { LsToasts } from './components/ls-toasts.js';
import { apiKey, auth, forgetApiKey } from './credentials.js';
import { type LiveMessage, type LiveState, live } from './live.js';
import { deviceHref, type PageName, parseRoute, type Route } from './router.js';
import type { ChangeJson } from './types.js';
import './components/ls-toasts.js';
import './components/ls-sign-in.js';
import './pages/ls-dashboard.js';
import './pages/ls-devices-page.js';
import './pages/ls-device-page.js';
import './pages/ls-map-page.js';
import './pages/ls-scans-page.js';
import './pages/ls-scan-page.js';
import './pages/ls-compare-page.js';
import './pages/ls-changes-page.js';
import './pages/ls-findings-page.js';
import './pages/ls-rules-page.js';
import './pages/ls-alerts-page.js';
import './pages/ls-webhooks-page.js';
import './pages/ls-keys-page.js';
import './pages/ls-audit-page.js';
import './pages/ls-settings-page.js';
import './pages/ls-schedules-page.js';

interface NavItem {
  page: PageName;
  href: string;
  label: string;
  /** other pages that highlight this entry */
  also?: PageName[];
}

const NAV: NavItem[] = [
  { page: 'dashboard', href: '#/', label: 'Overview' },
  { page: 'devices', href: '#/devices', label: 'Devices', also: ['device'] },
  { page: 'map', href: '#/map', label: 'Map' },
  { page: 'changes', href: '#/changes', label: 'Live changes' },
  { page: 'scans', href: '#/scans', label: 'Scans', also: ['scan', 'compare'] },
  { page: 'schedules', href: '#/schedules', label: 'Schedules' },
  { page: 'findings', href: '#/findings', label: 'Findings' },
  { page: 'rules', href: '#/rules', label: 'Alert rules' },
  { page: 'alerts', href: '#/alerts', label: 'Alert history' },
  { page: 'webhooks', href: '#/webhooks', label: 'Webhooks' },
  { page: 'keys', href: '#/keys', label: 'API keys' },
  { page: 'audit', href: '#/audit', label: 'Audit log' },
  { page: 'settings', href: '#/settings', label: 'Settings' },
];

/** The application shell: navigation, the routed page, the live-feed status and toasts. */
@customElement('ls-app')
export class LsApp extends LitElement {
  @state() private route: Route = parseRoute(location.hash);
  @state() private liveState: LiveState = 'connecting';
  /** the server's 401 message while the UI waits for a sign-in; null = signed in */
  @state() private signIn: string | null = null;
  @state() private keyInUse = apiKey() !== null;

  private readonly onSignInNeeded = (e: Event) => {
    if (this.signIn !== null) return;
    // stop asking: every unauthenticated poll would count against this address's failure budget
    live.stop();
    forgetApiKey();
    this.keyInUse = false;
    this.signIn = (e as CustomEvent<string>).detail || '';
  };
  private readonly onSignedIn = () => {
    this.signIn = null;
    this.keyInUse = apiKey() !== null;
    live.start();
  };
  private forgetKey(): void {
    forgetApiKey();
    this.keyInUse = false;
    live.stop();
    this.signIn = 'Signed out: the API key is no longer kept in this browser.';
  }

  private readonly onHash = () => {
    this.route = parseRoute(location.hash);
    window.scrollTo(0, 0);
  };
  private readonly onLiveState = (e: Event) => {
    this.liveState = (e as CustomEvent<LiveState>).detail;
  };
  private readonly onLive = (e: Event) => {
    const msg = (e as CustomEvent<LiveMessage>).detail;
    if (msg.type !== 'change') return;
    const c = msg.data as ChangeJson;
    const toasts = this.renderRoot.querySelector('ls-toasts') as LsToasts | null;
    if (!toasts || !c || typeof c !== 'object') return;
    if (c.type === 'new_device') {
      const who = c.name || c.vendor || 'Unknown device';
      toasts.show(
        `New device: ${who} ${c.mac ?? ''}${c.ip ? ` at ${c.ip}` : ''}`,
        'warn',
        c.mac ? { href: deviceHref(c.mac), text: 'Open' } : undefined,
        10_000,
      );
    } else if (c.type === 'threat_detected' || c.type === 'gateway_mac_changed' || c.type === 'ip_conflict') {
      toasts.show(c.message, 'bad', c.mac ? { href: deviceHref(c.mac), text: 'Open' } : undefined, 10_000);
    }
  };

  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: 210px minmax(0, 1fr);
      min-height: 100vh;
    }
    nav {
      background: var(--ls-surface);
      border-right: 1px solid var(--ls-border);
      padding: 0.75rem 0.5rem;
      position: sticky;
      top: 0;
      align-self: start;
      height: 100vh;
      overflow-y: auto;
    }
    .brand {
      font-weight: 700;
      font-size: 1.05rem;
      padding: 0.25rem 0.6rem 0.75rem;
      display: flex;
      align-items: center;
      gap: 0.4rem;
      color: var(--ls-text);
    }
    .brand .dot {
      width: 0.65rem;
      height: 0.65rem;
      border-radius: 50%;
      background: var(--ls-muted);
      flex: none;
    }
    .brand .dot.open {
      background: var(--ls-ok);
    }
    .brand .dot.reconnecting {
      background: var(--ls-warn);
    }
    nav a {
      display: block;
      padding: 0.45rem 0.6rem;
      border-radius: 6px;
      color: var(--ls-text);
      text-decoration: none;
      font-size: 0.95rem;
      white-space: nowrap;
    }
    nav a:hover {
      background: var(--ls-surface-2);
    }
    nav a[aria-current='page'] {
      background: var(--ls-info-bg);
      color: var(--ls-info);
      font-weight: 600;
    }
    nav a:focus-visible {
      outline: 2px solid var(--ls-accent);
    }
    .live {
      font-size: 0.78rem;
      color: var(--ls-muted);
      padding: 0.75rem 0.6rem 0;
    }
    button.forget {
      margin: 0.6rem 0.6rem 0;
      font: inherit;
      font-size: 0.78rem;
      background: none;
      border: 1px solid var(--ls-border);
      border-radius: 6px;
      color: var(--ls-muted);
      padding: 0.2rem 0.5rem;
      cursor: pointer;
    }
    main {
      padding: 1.25rem 1.5rem 4rem;
      min-width: 0;
      max-width: 1400px;
    }
    @media (max-width: 760px) {
      :host {
        grid-template-columns: 1fr;
      }
      nav {
        position: sticky;
        top: 0;
        z-index: 10;
        height: auto;
        border-right: none;
        border-bottom: 1px solid var(--ls-border);
        padding: 0.4rem 0.5rem;
        display: flex;
        gap: 0.15rem;
        overflow-x: auto;
        scrollbar-width: none;
      }
      .brand {
        padding: 0.3rem 0.5rem;
        font-size: 0.95rem;
      }
      .brand .name,
      .live {
        display: none;
      }
      nav a {
        padding: 0.35rem 0.55rem;
        font-size: 0.9rem;
      }
      main {
        padding: 0.75rem 0.75rem 4rem;
      }
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    live.addEventListener('state', this.onLiveState);
    live.addEventListener('message', this.onLive);
    auth.addEventListener('signin-needed', this.onSignInNeeded);
    this.addEventListener('signed-in', this.onSignedIn);
    live.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    live.removeEventListener('state', this.onLiveState);
    live.removeEventListener('message', this.onLive);
    auth.removeEventListener('signin-needed', this.onSignInNeeded);
    this.removeEventListener('signed-in', this.onSignedIn);
    live.stop();
  }

  private renderPage(): TemplateResult {
    if (this.signIn !== null) return html`<ls-sign-in .message=${this.signIn}></ls-sign-in>`;
    const r = this.route;
    switch (r.page) {
      case 'dashboard':
        return html`<ls-dashboard></ls-dashboard>`;
      case 'devices':
        return html`<ls-devices-page .params=${r.params}></ls-devices-page>`;
      case 'device':
        return html`<ls-device-page .mac=${r.mac}></ls-device-page>`;
      case 'map':
        return html`<ls-map-page></ls-map-page>`;
      case 'scans':
        return html`<ls-scans-page></ls-scans-page>`;
      case 'schedules':
        return html`<ls-schedules-page></ls-schedules-page>`;
      case 'scan':
        return html`<ls-scan-page .scanId=${r.id}></ls-scan-page>`;
      case 'compare':
        return html`<ls-compare-page .a=${r.a} .b=${r.b}></ls-compare-page>`;
      case 'changes':
        return html`<ls-changes-page></ls-changes-page>`;
      case 'findings':
        return html`<ls-findings-page></ls-findings-page>`;
      case 'rules':
        return html`<ls-rules-page></ls-rules-page>`;
      case 'alerts':
        return html`<ls-alerts-page></ls-alerts-page>`;
      case 'webhooks':
        return html`<ls-webhooks-page></ls-webhooks-page>`;
      case 'keys':
        return html`<ls-keys-page></ls-keys-page>`;
      case 'audit':
        return html`<ls-audit-page></ls-audit-page>`;
      case 'settings':
        return html`<ls-settings-page></ls-settings-page>`;
      default:
        return html`<h1>Page not found</h1>
          <p>There is no page at “${r.path}”. <a href="#/">Back to the overview</a>.</p>`;
    }
  }

  override render() {
    const current = this.route.page;
    const liveText =
      this.liveState === 'open'
        ? 'Live updates on'
        : this.liveState === 'reconnecting'
          ? 'Reconnecting…'
          : 'Connecting…';
    return html`
      <nav aria-label="Main">
        <a class="brand" href="#/" title=${liveText}
          ><span class="dot ${this.liveState}" aria-hidden="true"></span><span class="name">LAN Sentinel</span></a
        >
        ${NAV.map(
          (n) =>
            html`<a href=${n.href} aria-current=${n.page === current || n.also?.includes(current) ? 'page' : 'false'}
              >${n.label}</a
            >`,
        )}
        <div class="live" role="status">${liveText}</div>
        ${
          this.keyInUse
            ? html`<button class="forget" data-testid="forget-key" @click=${this.forgetKey}>Forget API key</button>`
            : ''
        }
      </nav>
      <main>${this.renderPage()}</main>
      <ls-toasts></ls-toasts>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ls-app': LsApp;
  }
}
