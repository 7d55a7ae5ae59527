import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { errorText } from './api.js';
import './components/ls-state.js';

export type LoadStatus = 'idle' | 'loading' | 'ok' | 'error';

/**
 * Runs an async load for a Lit element and tracks loading / value / error. Stale responses (an older
 * request finishing after a newer one) are dropped.
 */
export class Loader<T> implements ReactiveController {
  status: LoadStatus = 'idle';
  value: T | undefined;
  error = '';
  private seq = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly fn: () => Promise<T>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Starts a load. `quiet` keeps the current value on screen (refresh without a spinner). */
  async run(quiet = false): Promise<void> {
    const id = ++this.seq;
    if (!quiet || this.status !== 'ok') {
      this.status = 'loading';
      this.host.requestUpdate();
    }
    try {
      const v = await this.fn();
      if (id !== this.seq) return;
      this.value = v;
      this.status = 'ok';
      this.error = '';
    } catch (err) {
      if (id !== this.seq) return;
      this.status = 'error';
      this.error = errorText(err);
    }
    this.host.requestUpdate();
  }

  /** Renders loading / error states, or `ok(value)` once loaded. */
  render(ok: (value: T) => TemplateResult | string, loadingText?: string): TemplateResult | string {
    if (this.status === 'error') {
      return html`<ls-state kind="error" .message=${this.error} @retry=${() => this.run()}></ls-state>`;
    }
    if (this.status === 'ok' && this.value !== undefined) return ok(this.value);
    return html`<ls-state kind="loading" .message=${loadingText ?? 'Loading…'}></ls-state>`;
  }
}
