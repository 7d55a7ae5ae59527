/**
 * After a burst of work the V8 heap keeps the pages it grew into: the young objects of a sweep or a port
 * scan (or the module loading of the HTTP app at its first request) die, but the old-generation pages they
 * were promoted to stay mapped until a full collection that V8's memory reducer does not start on a service
 * this quiet (bench/README.md, "Idle memory": ~10 MB of resident memory after the first sweep and port scan).
 * So once the scan queue has been empty for `delayMs`, and after such a burst, one full collection gives them
 * back. It needs `gc`, which `--expose-gc` provides (the start script and the add-on's run script pass it);
 * without it nothing is done.
 */
import type { EventBus } from '../util/events.js';

export interface MemoryReleaseDeps {
  bus: EventBus;
  /** a full collection; default `globalThis.gc` (null: not exposed) */
  gc?: (() => void) | null;
  /** how long the scan queue must stay empty (default 5 s) */
  delayMs?: number;
}

export interface MemoryRelease {
  /** a burst of work ended: collect after the delay (unless a scan runs by then) */
  soon(): void;
  stop(): void;
}

export function releaseMemoryAfterScans(deps: MemoryReleaseDeps): MemoryRelease {
  const gc = deps.gc === undefined ? ((globalThis as { gc?: () => void }).gc ?? null) : deps.gc;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let scanning = false;
  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const soon = () => {
    if (!gc || scanning) return;
    cancel();
    timer = setTimeout(() => {
      timer = null;
      gc();
    }, deps.delayMs ?? 5_000);
    timer.unref();
  };
  const off = gc
    ? deps.bus.on('scanning', ({ running }) => {
        scanning = running;
        cancel();
        if (!running) soon();
      })
    : () => {};
  return {
    soon,
    stop() {
      off();
      cancel();
    },
  };
}
