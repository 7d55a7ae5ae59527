import type { HaEvent, HaLink } from './link.js';

/**
 * An HaLink that exists before Home Assistant is reachable: the service starts at once and the real link is
 * attached when the (retrying) connection succeeds. Calls before that reject with a clear message;
 * subscriptions made before that are set up on attach.
 */
export class DeferredHaLink implements HaLink {
  private link: HaLink | null = null;
  private readonly pending: Array<{
    eventType: string;
    cb: (ev: HaEvent) => void;
    unsub: (() => Promise<void>) | null;
    cancelled: boolean;
  }> = [];
  private readonly attachWaiters: Array<(l: HaLink) => void> = [];

  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** Resolves once a link is attached. */
  ready(): Promise<HaLink> {
    if (this.link) return Promise.resolve(this.link);
    return new Promise((r) => this.attachWaiters.push(r));
  }

  async attach(link: HaLink): Promise<void> {
    this.link = link;
    for (const p of this.pending) {
      if (!p.cancelled) p.unsub = await link.subscribeEvents(p.eventType, p.cb);
    }
    for (const w of this.attachWaiters.splice(0)) w(link);
  }

  private current(): HaLink {
    if (!this.link) throw new Error('Home Assistant is not connected yet');
    return this.link;
  }

  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
    target?: Record<string, unknown>,
  ): Promise<unknown> {
    try {
      return this.current().callService(domain, service, data, target);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  sendMessage<T = unknown>(msg: Record<string, unknown> & { type: string }): Promise<T> {
    try {
      return this.current().sendMessage<T>(msg);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async subscribeEvents(eventType: string, cb: (ev: HaEvent) => void): Promise<() => Promise<void>> {
    if (this.link) return this.link.subscribeEvents(eventType, cb);
    const entry = { eventType, cb, unsub: null as (() => Promise<void>) | null, cancelled: false };
    this.pending.push(entry);
    return async () => {
      entry.cancelled = true;
      await entry.unsub?.();
    };
  }

  close(): void {
    this.link?.close();
  }
}
