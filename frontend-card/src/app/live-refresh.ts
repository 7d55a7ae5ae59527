import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type LiveMessage, live } from './live.js';

/**
 * Calls `fn` (debounced) whenever the live feed delivers one of `types`. Subscribes while the host is
 * connected.
 */
export class LiveRefresh implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly handler = (e: Event) => {
    const msg = (e as CustomEvent<LiveMessage>).detail;
    if (!this.types.includes(msg.type)) return;
    if (this.filter && !this.filter(msg)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fn(msg);
    }, this.delayMs);
  };

  constructor(
    host: ReactiveControllerHost,
    private readonly types: string[],
    private readonly fn: (msg: LiveMessage) => void,
    private readonly filter?: (msg: LiveMessage) => boolean,
    private readonly delayMs = 400,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    live.addEventListener('message', this.handler);
  }

  hostDisconnected(): void {
    live.removeEventListener('message', this.handler);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
