import { SSE_EVENTS } from './types.js';

/**
 * Live updates over Server-Sent Events (`api/events`, a relative URL). EventSource retries by itself after
 * network errors; when the server answers with an error status it gives up (readyState CLOSED), so we
 * reopen with a capped exponential backoff.
 */

export type LiveState = 'connecting' | 'open' | 'reconnecting';

export interface LiveMessage {
  type: string;
  data: unknown;
}

export class LiveFeed extends EventTarget {
  private source: EventSource | null = null;
  private retryMs = 1000;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  state: LiveState = 'connecting';

  constructor(private readonly url = 'api/events') {
    super();
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
  }

  private setState(s: LiveState): void {
    if (this.state === s) return;
    this.state = s;
    this.dispatchEvent(new CustomEvent('state', { detail: s }));
  }

  private open(): void {
    if (this.stopped || typeof EventSource === 'undefined') return;
    this.source?.close();
    const es = new EventSource(this.url);
    this.source = es;
    es.onopen = () => {
      this.retryMs = 1000;
      this.setState('open');
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        this.setState('reconnecting');
        this.scheduleReopen();
      } else {
        this.setState('reconnecting');
      }
    };
    const forward = (type: string) => (ev: MessageEvent) => {
      let data: unknown = ev.data;
      if (typeof ev.data === 'string') {
        try {
          data = JSON.parse(ev.data);
        } catch {
          data = ev.data;
        }
      }
      this.dispatchEvent(new CustomEvent<LiveMessage>('message', { detail: { type, data } }));
    };
    es.addEventListener('message', forward('message'));
    for (const name of SSE_EVENTS) es.addEventListener(name, forward(name) as EventListener);
  }

  private scheduleReopen(): void {
    if (this.stopped || this.timer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }
}

/** One feed for the whole page. */
export const live = new LiveFeed();
