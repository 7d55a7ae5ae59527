/**
 * The agent's scans: the same argv builders, nmap runner, XML parser and neighbour-table fill the hub uses
 * (src/scan/*), without a database. A failed scan is an error value, never a partial result.
 */
import { fillMacsFromArp, readArpTable } from '../scan/arpTable.js';
import { mergePortScans } from '../scan/mergePortScans.js';
import { buildPortScanRuns, buildSweepArgs, type PortProfile } from '../scan/nmapArgs.js';
import { runNmap } from '../scan/nmapRunner.js';
import { parseNmapXml } from '../scan/nmapXml.js';
import type { ScanKind, ScanResult } from '../scan/types.js';

export interface AgentScanSettings {
  nmapPath: string;
  privileged: boolean;
  /** every subnet is directly attached (ARP gives MACs) */
  attached: boolean;
  exclude: string[];
  portProfile: PortProfile;
  ports: string[];
  hostTimeoutSec: number;
  sweepTimeoutMs: number;
}

export type AgentScanOutcome = { ok: true; result: ScanResult } | { ok: false; error: string };
export type AgentScanFn = (
  kind: ScanKind,
  targets: string[],
  signal?: AbortSignal,
) => Promise<AgentScanOutcome>;

export function createAgentScanner(s: AgentScanSettings): AgentScanFn {
  return async (kind, targets, signal) => {
    // a port scan is TCP and (home profile, root) UDP as two nmap runs, merged: see buildPortScanRuns
    const runs =
      kind === 'sweep'
        ? [buildSweepArgs({ targets, exclude: s.exclude, privileged: s.privileged, attached: s.attached })]
        : buildPortScanRuns({
            targets,
            exclude: s.exclude,
            profile: s.portProfile,
            ports: s.ports,
            privileged: s.privileged,
            hostTimeoutSec: s.hostTimeoutSec,
          }).map((r) => r.argv);
    const timeoutMs =
      kind === 'sweep' ? s.sweepTimeoutMs : (s.hostTimeoutSec + 30) * 1000 * Math.max(1, targets.length);
    const parts: ScanResult[] = [];
    for (const argv of runs) {
      const one = await runOnce(s, kind, argv, targets, timeoutMs, signal);
      if (!one.ok) return one;
      parts.push(one.result);
    }
    let result = mergePortScans(parts);
    if (kind === 'sweep' && (!s.privileged || !s.attached)) {
      try {
        result = fillMacsFromArp(result, await readArpTable());
      } catch {
        // no neighbour table: hosts stay without MACs
      }
    }
    return { ok: true, result };
  };
}

async function runOnce(
  s: AgentScanSettings,
  kind: ScanKind,
  argv: string[],
  targets: string[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<AgentScanOutcome> {
  let run: Awaited<ReturnType<typeof runNmap>>;
  try {
    run = await runNmap(argv, { nmapPath: s.nmapPath, timeoutMs, ...(signal ? { signal } : {}) });
  } catch (err) {
    return { ok: false, error: `nmap could not run: ${(err as Error).message}` };
  }
  if (run.aborted) return { ok: false, error: 'scan aborted (agent stopping)' };
  if (run.timedOut)
    return { ok: false, error: `nmap did not finish within ${Math.round(timeoutMs / 1000)} s` };
  if (run.outputTruncated) return { ok: false, error: 'nmap output exceeded the size cap' };
  if (run.exitCode !== 0)
    return {
      ok: false,
      error: `nmap exited with code ${run.exitCode}: ${run.stderr.trim().slice(0, 300)}`,
    };
  const parsed = parseNmapXml(run.stdout, kind, targets);
  if (!parsed.ok) return { ok: false, error: `nmap output rejected: ${parsed.error}` };
  return { ok: true, result: parsed.result };
}
