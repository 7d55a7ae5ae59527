/**
 * Arrival latency with passive listening on vs off, side by side in one simulated LAN (root, iproute2, nmap,
 * dnsmasq, busybox, tcpdump; only this run's own lsn- namespaces). Two built services run in the same scanner
 * namespace with the same options (sweep_interval 15, MQTT off) except `passive`: one listens, one only sweeps.
 * dnsmasq serves DHCP on the router; each join is a new host (namespace + veth) whose busybox udhcpc sends a
 * real DHCP DISCOVER/REQUEST; the time from starting the client to `GET api/devices/<mac>` answering 200 is
 * taken on both services (polled every 50 ms), counted from the moment udhcpc reports its first DISCOVER. The next
 * join starts when both have seen the last one, after a pause drawn (seeded, so runs compare) from 0..sweep_interval:
 * without it every join would start right after the sweep that saw the previous one, and the sweep-only figure
 * would be the worst case each time instead of arrivals at random points of the sweep cycle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { prng } from '../tests/helpers/nmapXmlGen.js';
import { CLI, ServiceProcess } from '../tests/helpers/serviceProcess.js';
import { BUSYBOX, DNSMASQ, dhcpJoin, startDnsmasq, TCPDUMP } from '../tests/lan/peers.js';
import { SimLan } from '../tests/lan/sim-lan.js';
import {
  type Benchmark,
  type BenchResult,
  errorText,
  fmtList,
  median,
  missing,
  round,
  waitUntil,
} from './lib.js';

const SWEEP_INTERVAL = 15;

const ON_P50 = { name: 'arrival_passive_p50_s', unit: 's', target: '<= 5 s' };
const ON_MAX = { name: 'arrival_passive_max_s', unit: 's', target: '<= 5 s' };
const OFF_P50 = {
  name: 'arrival_sweep_only_p50_s',
  unit: 's',
  target: `<= ${SWEEP_INTERVAL + 5} s (reference)`,
};
const OFF_MAX = {
  name: 'arrival_sweep_only_max_s',
  unit: 's',
  target: `<= ${SWEEP_INTERVAL + 5} s (reference)`,
};
const ALL = [ON_P50, ON_MAX, OFF_P50, OFF_MAX];

function prerequisites(): string | null {
  if (process.getuid?.() !== 0) return 'root is required for network namespaces';
  if (spawnSync('nmap', ['--version'], { stdio: 'ignore' }).status !== 0) return 'nmap not found';
  if (!DNSMASQ || !BUSYBOX || !TCPDUMP)
    return 'dnsmasq, busybox and tcpdump are required (apt-get install dnsmasq-base busybox-static tcpdump)';
  if (!existsSync(CLI)) return `${CLI} is missing: run "npm run build" first`;
  return null;
}

export const passiveBenchmark: Benchmark = {
  names: ALL,
  async run(ctx) {
    const why = prerequisites();
    if (why) return ALL.map((n) => missing(n, why));
    const joins = ctx.quick ? 4 : 10;
    let lan: SimLan | null = null;
    const services: ServiceProcess[] = [];
    try {
      lan = await SimLan.create({
        hosts: [
          { name: 'router', mac: '78:8a:20:10:00:01', ip: 1 },
          { name: 'pi', mac: 'b8:27:eb:12:34:56', ip: 10 },
        ],
      });
      const dnsmasq = await startDnsmasq(lan, 'router');
      const flags = (passive: boolean) => [
        '--sweep-interval',
        String(SWEEP_INTERVAL),
        '--port-scan-schedule',
        'off',
        '--no-scan-new-devices',
        // the first-start port scan of the baseline runs regardless: one TCP port keeps it from delaying sweeps
        '--port-profile',
        'custom',
        '--ports',
        '9',
        '--mqtt-url',
        'none',
        passive ? '--passive' : '--no-passive',
      ];
      const on = await ServiceProcess.start(lan, { flags: flags(true), httpPort: 8101 });
      services.push(on);
      const off = await ServiceProcess.start(lan, { flags: flags(false), httpPort: 8102 });
      services.push(off);
      const seen = async (svc: ServiceProcess, mac: string) =>
        (await svc.api(`api/devices/${mac}`)).status === 200;
      for (const svc of [on, off])
        await waitUntil(() => seen(svc, 'b8:27:eb:12:34:56'), 90_000, 'the baseline sweep', 250);
      const tOn: number[] = [];
      const tOff: number[] = [];
      const pauses: number[] = [];
      const phase = prng(19);
      for (let i = 0; i < joins; i++) {
        const pause = phase() * SWEEP_INTERVAL * 1000;
        pauses.push(pause / 1000);
        await new Promise((r) => setTimeout(r, pause));
        const mac = `da:a1:19:77:00:${(0x10 + i).toString(16)}`;
        await lan.addHost({ name: `j${i}`, mac, ip: 200 + i });
        const t0 = performance.now();
        const client = dhcpJoin(lan, `j${i}`, { hostname: `bench-phone-${i}` });
        const wait = async (svc: ServiceProcess) => {
          await waitUntil(() => seen(svc, mac), 60_000, `${mac} to appear`, 50);
          return performance.now();
        };
        const [onAt, offAt, res] = await Promise.all([wait(on), wait(off), client]);
        // from the client's first DISCOVER (its process start-up under load is not the network's arrival)
        const from = res.discoverAt ?? t0;
        tOn.push(Math.max(0, onAt - from) / 1000);
        tOff.push(Math.max(0, offAt - from) / 1000);
        ctx.log(
          `join ${i + 1}/${joins}: passive ${round(tOn.at(-1) ?? 0, 2)} s, sweep only ${round(tOff.at(-1) ?? 0, 2)} s`,
        );
      }
      await dnsmasq.stop();
      const max = (xs: number[]) => Math.max(...xs);
      const how = `${joins} joins (new host + real DHCP from busybox udhcpc to dnsmasq; timed from the client's first DISCOVER), both services in one scanner namespace, sweep_interval ${SWEEP_INTERVAL}, joins at random points of the sweep cycle (seeded pauses ${fmtList(pauses.map((x) => round(x, 1)))} s), polled every 50 ms; passive: ${fmtList(tOn.map((x) => round(x, 2)))} s; sweep only: ${fmtList(tOff.map((x) => round(x, 2)))} s`;
      const row = (spec: typeof ON_P50, v: number, limit: number): BenchResult => ({
        name: spec.name,
        value: round(v, 2),
        unit: 's',
        target: spec.target,
        pass: v <= limit,
        detail: how,
      });
      return [
        row(ON_P50, median(tOn), 5),
        row(ON_MAX, max(tOn), 5),
        row(OFF_P50, median(tOff), SWEEP_INTERVAL + 5),
        row(OFF_MAX, max(tOff), SWEEP_INTERVAL + 5),
      ];
    } catch (err) {
      for (const s of services) ctx.log(`service log tail:\n${s.log.slice(-1500)}`);
      return ALL.map((n) => missing(n, `failed: ${errorText(err)}`));
    } finally {
      for (const s of services) {
        await s.stop('SIGTERM', 15_000).catch(() => undefined);
        s.cleanup();
      }
      await lan?.destroy();
    }
  },
};
