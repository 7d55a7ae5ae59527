import { EventEmitter } from 'node:events';
import type { Change, Device } from '../inventory/types.js';
import type { ScanKind } from '../scan/types.js';
import type { StoredFinding } from '../threats/types.js';

/** Everything the core tells the edges (MQTT, API/SSE, alerts). Plain data only. */
export interface BusEvents {
  'scan:started': { scanId: number; kind: ScanKind; targets: string[]; reason: string; startedAt: string };
  /** Progress of the whole request (all its batches): percent 0-100, hosts done of total, ETA. */
  'scan:progress': {
    scanId: number;
    kind: ScanKind;
    percent: number;
    hostsDone: number;
    hostsTotal: number;
    etaSeconds: number | null;
    batches: number;
    batchesDone: number;
    message?: string;
  };
  'scan:finished': {
    scanId: number;
    kind: ScanKind;
    startedAt: string;
    finishedAt: string;
    hostsUp: number;
    changes: number;
    /** a scheduled sweep that changed nothing was folded into this earlier scan record */
    collapsedInto?: number;
  };
  'scan:failed': { scanId: number; kind: ScanKind; startedAt: string; finishedAt: string; error: string };
  /** One per detected change, in order. */
  change: Change;
  /** A device row changed (presence, ip, ports, risk, name, flags, ...). */
  'device:updated': Device;
  /** The device was forgotten (deleted), became ignored or was merged into another: its HA entities must go. */
  'device:removed':
    | { mac: string; reason: 'forgotten' | 'ignored' }
    /** merged: `into` is the device it became part of */
    | { mac: string; reason: 'merged'; into: string };
  /** The hub counters (devices new/known/ignored) changed without a scan: a user command. */
  'inventory:changed': { reason: string };
  /** A finding was detected, resolved, accepted or un-accepted (by a port scan or a user's command). */
  'finding:updated': StoredFinding;
  /** A write to the database failed because of the storage (full disk, I/O error, read-only); rolled back. */
  'storage:failed': { code: string; full: boolean; message: string; at: string };
  /** The service's health changed (a problem began or cleared): the hub's problem sensor follows. */
  'health:changed': { status: 'ok' | 'degraded'; problems: number };
  /** A named schedule was added, changed or removed (api/schedules): the scheduler reloads them. */
  'schedules:changed': Record<string, never>;
  /** Scanning state for the binary sensor. */
  scanning: { running: boolean };
}

export type BusEventName = keyof BusEvents;

/** A typed in-process event bus. Listener errors are caught and reported, never crash the emitter. */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly onError: (event: string, err: unknown) => void;

  constructor(onError?: (event: string, err: unknown) => void) {
    this.emitter.setMaxListeners(100);
    this.onError = onError ?? ((event, err) => console.error(`event listener for ${event} failed:`, err));
  }

  on<K extends BusEventName>(
    event: K,
    listener: (payload: BusEvents[K]) => void | Promise<void>,
  ): () => void {
    const wrapped = (payload: BusEvents[K]) => {
      try {
        const r = listener(payload);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.onError(event, err));
        }
      } catch (err) {
        this.onError(event, err);
      }
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends BusEventName>(event: K, payload: BusEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  listenerCount(event: BusEventName): number {
    return this.emitter.listenerCount(event);
  }
}
