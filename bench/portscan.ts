/**
 * Port scan of a small home LAN (root, iproute2, nmap; only this run's own lsn- namespaces): the `home`
 * profile as the service runs it — a TCP run then a UDP run (buildPortScanRuns) — beside the reference, the
 * one combined `-sS -sU -sV` run the same argv builder produced before the split. Same five hosts (router,
 * Pi with an MQTT broker, NAS, old FTP box, camera), same bound, alternated. The LAN is always destroyed.
 *   port_scan_home_s           TCP run + UDP run, wall time per batch of 5 hosts (median)
 *   port_scan_combined_ratio   combined run / split runs
 */

import { buildPortScanArgs, buildPortScanRuns, buildUdpScanArgs } from '../src/scan/nmapArgs.js';
import { HOME_TCP, HOME_UDP } from '../src/scan/portProfiles.js';
import { defaultHosts, type HostSpec } from '../tests/lan/hosts.js';
import { mqtt } from '../tests/lan/services.js';
import { SimLan } from '../tests/lan/sim-lan.js';
import { type Benchmark, type BenchResult, errorText, fmtList, median, missing, round } from './lib.js';

const SPLIT = { name: 'port_scan_home_s', unit: 's', target: 'report (5 hosts, TCP run + UDP run)' };
const RATIO = { name: 'port_scan_combined_ratio', unit: 'x', target: 'report (combined run / split runs)' };
const KEEP = ['router', 'pi', 'nas', 'oldbox', 'camera'];

/** The pre-split argv: one run with -sS -sU and a T:…,U:… port list (what buildPortScanArgs built before). */
function combinedArgv(targets: string[]): string[] {
  const tcp = buildPortScanArgs({ targets, profile: 'home', privileged: true, hostTimeoutSec: 180 });
  if (!buildUdpScanArgs({ targets, profile: 'home', privileged: true, hostTimeoutSec: 180 }))
    throw new Error('no UDP run for the home profile as root');
  const p = tcp.indexOf('-p');
  const out = [...tcp];
  out.splice(p, 2, '-p', `T:${HOME_TCP.join(',')},U:${HOME_UDP.join(',')}`);
  out.splice(2, 0, '-sU');
  return out;
}

export const portscanBenchmark: Benchmark = {
  names: [SPLIT, RATIO],
  async run(ctx): Promise<BenchResult[]> {
    if (process.getuid?.() !== 0)
      return [SPLIT, RATIO].map((n) => missing(n, 'needs root (network namespaces)'));
    const hosts: HostSpec[] = defaultHosts()
      .filter((h) => KEEP.includes(h.name))
      .map((h) => (h.name === 'pi' ? { ...h, services: [...(h.services ?? []), mqtt(1883)] } : h));
    const lan = await SimLan.create({ hosts });
    try {
      const targets = hosts.map((h) => lan.host(h.name).ip);
      const timed = async (argv: string[]) => {
        const r = await lan.execInScanner('nmap', argv, { timeoutMs: 300_000, maxBuffer: 64 << 20 });
        if (r.code !== 0) throw new Error(`nmap exited ${r.code}: ${r.stderr.slice(0, 300)}`);
        return r.durationMs / 1000;
      };
      const rounds = ctx.quick ? 1 : 2;
      const split: number[] = [];
      const combined: number[] = [];
      const parts: string[] = [];
      for (let i = 0; i < rounds; i++) {
        let s = 0;
        for (const run of buildPortScanRuns({
          targets,
          profile: 'home',
          privileged: true,
          hostTimeoutSec: 180,
        })) {
          const t = await timed(run.argv);
          parts.push(`${run.protocol} ${round(t, 1)} s`);
          s += t;
        }
        split.push(s);
        combined.push(await timed(combinedArgv(targets)));
        ctx.log(
          `round ${i + 1}: split ${round(s, 1)} s (${parts.slice(-2).join(', ')}), combined ${round(combined.at(-1) ?? 0, 1)} s`,
        );
      }
      const s = median(split);
      const c = median(combined);
      return [
        {
          ...SPLIT,
          value: round(s, 1),
          pass: null,
          detail: `runs ${fmtList(split, 1)} s (${parts.join('; ')})`,
        },
        {
          ...RATIO,
          value: round(c / s, 2),
          pass: null,
          detail: `combined ${fmtList(combined, 1)} s vs split ${fmtList(split, 1)} s`,
        },
      ];
    } catch (err) {
      return [SPLIT, RATIO].map((n) => missing(n, `failed: ${errorText(err)}`));
    } finally {
      await lan.destroy();
    }
  },
};
