/** One nmap run of a scan request: run, parse, report progress; any failure comes back as its reason. */
import { runNmap } from '../scan/nmapRunner.js';
import { parseNmapXml } from '../scan/nmapXml.js';
import type { ScanKind, ScanResult } from '../scan/types.js';
import type { ProgressSpan } from './scanProgress.js';
import type { ScanRunContext } from './scanRunContext.js';

export type NmapOutcome = { result: ScanResult; error?: undefined } | { result?: undefined; error: string };

/** Runs nmap and parses; on any failure returns the reason (the caller records it, marking nothing absent). */
export async function runScanNmap(
  ctx: ScanRunContext,
  scanId: number,
  kind: ScanKind,
  argv: string[],
  targets: string[],
  timeoutMs: number,
  span: ProgressSpan = { from: 0, to: 100 },
): Promise<NmapOutcome> {
  const { logger, settings } = ctx.deps;
  let error: string | null = null;
  let result: ScanResult | null = null;
  try {
    const run = await ctx.aborter.run((signal) =>
      runNmap(argv, {
        nmapPath: settings.nmapPath,
        timeoutMs,
        signal,
        onProgress: (percent, task) => ctx.progress.nmapProgress(scanId, span, percent, task),
      }),
    );
    if (run.aborted) error = 'scan aborted (service stopping)';
    else if (run.timedOut) error = `nmap did not finish within ${Math.round(timeoutMs / 1000)} s`;
    else if (run.outputTruncated) error = 'nmap output exceeded the size cap; the scan is incomplete';
    else if (run.exitCode !== 0)
      error = `nmap exited with code ${run.exitCode}: ${run.stderr.trim().slice(0, 500)}`;
    else {
      const parsed = parseNmapXml(run.stdout, kind, targets);
      if (parsed.ok) result = parsed.result;
      else error = `nmap output rejected: ${parsed.error}`;
    }
  } catch (err) {
    error = `nmap could not run: ${(err as Error).message}`;
  }
  if (error || !result) {
    const message = error ?? 'unknown scan failure';
    logger.warn(`${kind} scan ${scanId} failed: ${message}`);
    return { error: message };
  }
  return { result };
}
