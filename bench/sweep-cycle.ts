/**
 * Runs INSIDE a simulated LAN's scanner namespace (spawned by bench/lan.ts). Alternates, pair by pair, the two
 * sides of sweep_overhead_ratio and prints one JSON line:
 *   bare: the same nmap argv the service builds, spawned directly, stdout read and discarded;
 *   full: buildSweepArgs → runNmap → parseNmapXml → Store.recordSweep → HaBridge publish (changed devices, events,
 *         hub) acknowledged by mosquitto (QoS 1).
 * One untimed warm-up of each side first (the warm-up full cycle is the first sweep: every device is new).
 *
 * Usage: node --import tsx bench/sweep-cycle.ts <subnet> <mqtt url> <db file> <pairs> [ha]
 *   `ha` adds a third side per pair: HA nmap_tracker's default argv (for the anchor, not the ratio).
 */
import { spawn } from 'node:child_process';
import { HaBridge } from '../src/ha/bridge.js';
import { ingestSweep } from '../src/inventory/ingestSweep.js';
import { lookupVendor } from '../src/inventory/vendor.js';
import { MqttPublisher } from '../src/mqtt/client.js';
import { buildSweepArgs } from '../src/scan/nmapArgs.js';
import { runNmap } from '../src/scan/nmapRunner.js';
import { parseNmapXml } from '../src/scan/nmapXml.js';
import { openDatabase } from '../src/store/db.js';
import { Store } from '../src/store/store.js';
import { silentLogger } from '../src/util/logger.js';

const [subnet, mqttUrl, dbFile, pairsArg, haFlag] = process.argv.slice(2);
if (!subnet || !mqttUrl || !dbFile || !pairsArg)
  throw new Error('usage: sweep-cycle.ts <subnet> <mqtt url> <db> <pairs> [ha]');
const pairs = Number(pairsArg);
const target: string = subnet;
const NMAP = 'nmap';
/** home-assistant/core nmap_tracker default since PR #153047 */
const HA_ARGS = ['-n', '-sn', '-PR', '-T4', '--min-rate', '10', '--host-timeout', '5s', '-oX', '-', subnet];

const store = new Store(openDatabase(dbFile, silentLogger));
lookupVendor('00:11:32:00:00:00'); // the service preloads the vendor index at start
const publisher = new MqttPublisher({ url: mqttUrl, statusTopic: 'lan_sentinel/status' });
const bridge = new HaBridge({
  publisher,
  ctx: { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: 'bench' },
  listDevices: () => store.devices.all(),
  findingsFor: () => [],
  hubStats: () => {
    const c = store.devices.counts();
    return { online: c.online, total: c.total, new: c.new, threatsActive: 0, lastScan: null };
  },
  onScanNow: () => {},
  onRescan: () => {},
  reconcileMs: 300,
});
publisher.start();
await publisher.waitConnected(10_000);
await bridge.start();
await bridge.whenReconciled();

const argv = buildSweepArgs({ targets: [subnet], privileged: true, attached: true });

function bare(args: readonly string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NMAP, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', () => {});
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`nmap exited with ${code}`)),
    );
  });
}

interface Full {
  ms: number;
  nmapMs: number;
  parseMs: number;
  storeMs: number;
  publishMs: number;
  hostsUp: number;
  changed: number;
  changes: number;
}

async function full(): Promise<Full> {
  const t0 = performance.now();
  const run = await runNmap(argv, { nmapPath: NMAP, timeoutMs: 120_000 });
  if (run.exitCode !== 0) throw new Error(`nmap failed (${run.exitCode}): ${run.stderr.slice(0, 300)}`);
  const t1 = performance.now();
  const parsed = parseNmapXml(run.stdout, 'sweep', [target]);
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error}`);
  const t2 = performance.now();
  const now = new Date();
  const scanId = store.scans.start('sweep', [target], 'bench', argv.join(' '), now);
  const out = ingestSweep(store, scanId, parsed.result, {
    now,
    considerHome: 180,
    gatewayIp: null,
    lookupVendor,
  });
  const t3 = performance.now();
  await Promise.all([
    ...out.devices.map((d) => bridge.deviceUpdated(d)),
    ...out.changes.map((c) => bridge.publishEvent(c)),
    bridge.hubChanged(),
  ]);
  const t4 = performance.now();
  return {
    ms: t4 - t0,
    nmapMs: t1 - t0,
    parseMs: t2 - t1,
    storeMs: t3 - t2,
    publishMs: t4 - t3,
    hostsUp: parsed.result.hostsUp,
    changed: out.devices.length,
    changes: out.changes.length,
  };
}

const firstFull = await full();
await bare(argv);
const bares: number[] = [];
const fulls: Full[] = [];
const has: number[] = [];
for (let i = 0; i < pairs; i++) {
  // alternate which side goes first, so drift in machine load hits both
  if (i % 2 === 0) {
    bares.push(await bare(argv));
    fulls.push(await full());
  } else {
    fulls.push(await full());
    bares.push(await bare(argv));
  }
  if (haFlag === 'ha') has.push(await bare(HA_ARGS));
}
await bridge.stop();
await publisher.close(2000);
store.close();
process.stdout.write(
  `${JSON.stringify({ argv, firstFull, bares, fulls, has, publisherStats: publisher.stats })}\n`,
);
process.exit(0);
