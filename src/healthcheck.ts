/**
 * Docker HEALTHCHECK: healthy when the service's heartbeat file (rewritten every 30 s) is younger than 120 s.
 * Exit 0 = healthy, 1 = unhealthy.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

const dataDir = process.env.LAN_SENTINEL_DATA_DIR ?? '/data';
try {
  const age = Date.now() - statSync(join(dataDir, '.heartbeat')).mtimeMs;
  process.exit(age < 120_000 ? 0 : 1);
} catch {
  process.exit(1);
}
