/**
 * After a burst of scanning the V8 heap keeps the pages it grew into: the young objects of a sweep or a port
 * scan die, but the old-generation pages they were promoted to stay mapped until a full collection that
 * V8's memory reducer does not start on a service this quiet (bench/README.md, "Idle memory": ~10 MB of
 * resident memory after the first sweep and port scan). So once the scan queue has been empty for `delayMs`,
 * one full collection gives them back. It needs `gc`, which `--expose-gc` provides (the start script and the
 * add-on's run script pass it); without it nothing is done.
 */
import type { EventBus } from '../util/events.js';

export interface MemoryReleaseDeps {
  bus: EventBus;
  /** a full collection; default `globalThis.gc` (null: not exposed) */
  gc?: (() => void) | null;
  /** how long the queue must stay empty first (default 5 s) */
  delayMs?: number;
}

/** Attaches to the bus; returns the stop. */
export function releaseMemoryAfterScans(deps: MemoryReleaseDeps): () => void {
  const gc = deps.gc === undefined ? ((globalThis as { gc?: () => void }).gc ?? null) : deps.gc;
  if (!gc) return () => {};
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const off = deps.bus.on('scanning', ({ running }) => {
    cancel();
    if (running) return;
    timer = setTimeout(() => {
      timer = null;
      gc();
    }, deps.delayMs ?? 5_000);
    timer.unref();
  });
  return () => {
    off();
    cancel();
  };
}
