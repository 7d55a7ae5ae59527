/** `<data_dir>/.heartbeat`: the time of the last beat, every 30 s (the add-on's HEALTHCHECK and `health` read it). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HEARTBEAT_FILE = '.heartbeat';

function beat(dataDir: string): void {
  try {
    writeFileSync(join(dataDir, HEARTBEAT_FILE), new Date().toISOString());
  } catch {
    // health only
  }
}

/** Beats now and every `everyMs`; returns the stop. */
export function startHeartbeat(dataDir: string, everyMs = 30_000): () => void {
  beat(dataDir);
  const t = setInterval(() => beat(dataDir), everyMs);
  t.unref();
  return () => clearInterval(t);
}
