import { apiKey, authHeaders, signInNeeded } from './credentials.js';
import { SSE_EVENTS } from './types.js';

/**
 * Live updates over Server-Sent Events (`api/events`, a relative URL). EventSource retries by itself after
 * network errors; when the server answers with an error status it gives up (readyState CLOSED), so we
 * reopen with a capped exponential backoff. With an API key (EventSource cannot send headers) the same
 * stream is read through fetch with `Authorization`, and parsed here.
 */

export type LiveState = 'connecting' | 'open' | 'reconnecting';

export interface LiveMessage {
  type: string;
  data: unknown;
}

export class LiveFeed extends EventTarget {
  private source: EventSource | null = null;
  private abort: AbortController | null = null;
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
    this.abort?.abort();
    this.abort = null;
  }

  private setState(s: LiveState): void {
    if (this.state === s) return;
    this.state = s;
    this.dispatchEvent(new CustomEvent('state', { detail: s }));
  }

  private emit(type: string, raw: unknown): void {
    let data: unknown = raw;
    if (typeof raw === 'string') {
      try {
        data = JSON.parse(raw);
      } catch {
        data = raw;
      }
    }
    this.dispatchEvent(new CustomEvent<LiveMessage>('message', { detail: { type, data } }));
  }

  /** The stream through fetch, for a key in a header. */
  private async openWithKey(): Promise<void> {
    this.abort?.abort();
    const ctl = new AbortController();
    this.abort = ctl;
    try {
      const res = await fetch(this.url, {
        headers: { accept: 'text/event-stream', ...authHeaders() },
        credentials: 'same-origin',
        signal: ctl.signal,
      });
      if (res.status === 401) {
        this.setState('reconnecting');
        signInNeeded('the API key is unknown or revoked');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      this.retryMs = 1000;
      this.setState('open');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let type = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length) this.emit(type, data.join('\n'));
          cut = buf.indexOf('\n\n');
        }
      }
    } catch {
      if (ctl.signal.aborted) return;
    }
    if (this.abort !== ctl || this.stopped) return;
    this.setState('reconnecting');
    this.scheduleReopen();
  }

  private open(): void {
    if (this.stopped) return;
    if (apiKey()) {
      void this.openWithKey();
      return;
    }
    if (typeof EventSource === 'undefined') return;
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
    const forward = (type: string) => (ev: MessageEvent) => this.emit(type, ev.data);
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
