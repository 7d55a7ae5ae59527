import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { releaseMemoryAfterScans } from '../../src/service/memoryRelease.js';
import { EventBus } from '../../src/util/events.js';

describe('a full collection once the scan queue has been empty for a while', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once after the queue empties; a scan that starts within the delay puts it off', () => {
    const bus = new EventBus(() => {});
    const gc = vi.fn();
    const release = releaseMemoryAfterScans({ bus, gc, delayMs: 5_000 });
    bus.emit('scanning', { running: true });
    vi.advanceTimersByTime(10_000);
    expect(gc).not.toHaveBeenCalled(); // never while scanning
    bus.emit('scanning', { running: false });
    vi.advanceTimersByTime(4_000);
    bus.emit('scanning', { running: true }); // the next batch came within the delay
    vi.advanceTimersByTime(10_000);
    expect(gc).not.toHaveBeenCalled();
    bus.emit('scanning', { running: false });
    vi.advanceTimersByTime(5_000);
    expect(gc).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(gc).toHaveBeenCalledTimes(1); // once per burst, not periodically
    // another burst (the HTTP app built at its first request): once more; not while a scan runs
    release.soon();
    vi.advanceTimersByTime(5_000);
    expect(gc).toHaveBeenCalledTimes(2);
    bus.emit('scanning', { running: true });
    release.soon();
    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(2);
    bus.emit('scanning', { running: false });
    release.stop();
    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(2); // stopped: the pending one is cancelled
  });
});
