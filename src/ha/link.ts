/**
 * The narrow port the rest of the service uses to talk to Home Assistant's websocket API
 * (implemented in src/ha/websocket.ts on home-assistant-js-websocket + ws).
 */
export interface HaEvent {
  event_type: string;
  data: Record<string, unknown>;
  origin?: string;
  time_fired?: string;
}

export interface HaLink {
  /** `call_service`; resolves with the result, rejects with the HA error message. */
  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
    target?: Record<string, unknown>,
  ): Promise<unknown>;
  /** Any other websocket command, e.g. `{ type: 'lovelace/resources' }`. */
  sendMessage<T = unknown>(msg: Record<string, unknown> & { type: string }): Promise<T>;
  /** `subscribe_events`; survives reconnects (the library resubscribes). Returns an unsubscribe function. */
  subscribeEvents(eventType: string, cb: (ev: HaEvent) => void): Promise<() => Promise<void>>;
  /** true while authenticated and connected */
  readonly connected: boolean;
  close(): void;
}

/** A websocket command answered with `success: false`. `code` is HA's error code (`not_found`, `unknown_command`…). */
export class HaCommandError extends Error {
  readonly code: string;
  constructor(command: string, code: string, message: string) {
    super(`Home Assistant rejected ${command}: ${code}: ${message}`);
    this.name = 'HaCommandError';
    this.code = code;
  }
}
