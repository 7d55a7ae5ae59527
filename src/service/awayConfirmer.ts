/**
 * Multi-probe confirmation before away (DESIGN §15): a device a sweep would mark `not_home` is first probed
 * directly — ARP, then ICMP echo + TCP SYN to phone-typical ports (62078, 5353, …) + UDP 5353 as IP — in a few
 * rounds spread over several seconds, because a dozing phone answers some probes some of the time. Any answer
 * from the device's own MAC keeps it home, with the answering probe as its presence reason; a device that
 * answers nothing is away with the list of what went unanswered as its reason.
 */
import { buildConfirmArgs } from '../scan/nmapArgs.js';
import { runNmap } from '../scan/nmapRunner.js';
import { parseNmapXml } from '../scan/nmapXml.js';
import type { ScanHost } from '../scan/types.js';
import type { Logger } from '../util/logger.js';

export interface ConfirmSettings {
  nmapPath: string;
  privileged: boolean;
  /** ARP is only possible on attached networks */
  attached: boolean;
  /** probe rounds (each: ARP, then IP probes for who is still silent) */
  rounds: number;
  /** pause between rounds */
  pauseMs: number;
}

export interface Candidate {
  mac: string;
  ip: string;
}

export interface ConfirmOutcome {
  /** devices that answered: MAC → the answering probe ("probe: arp-response", "probe: syn-ack", …) */
  present: Map<string, string>;
  /** what the silent ones did not answer (the away reason) */
  awayReason: string;
}

/** One nmap run of the probes; hosts that answered (status up), keyed by IP. */
export type ProbeRun = (argv: string[], ips: string[], signal?: AbortSignal) => Promise<ScanHost[]>;

export function nmapProbeRun(nmapPath: string, logger: Logger): ProbeRun {
  return async (argv, ips, signal) => {
    const r = await runNmap(argv, { nmapPath, timeoutMs: 60_000, ...(signal ? { signal } : {}) });
    if (r.aborted || r.timedOut || r.exitCode !== 0) {
      logger.debug(
        `confirmation probe did not complete (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''})`,
      );
      return [];
    }
    const parsed = parseNmapXml(r.stdout, 'sweep', ips);
    return parsed.ok ? parsed.result.hosts.filter((h) => h.status === 'up') : [];
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      r();
    });
  });

export function awayReasonText(s: Pick<ConfirmSettings, 'privileged' | 'attached' | 'rounds'>): string {
  const kinds = !s.privileged
    ? 'TCP 62078/5353/7000/80/443/22/8080'
    : `${s.attached ? 'ARP, ' : ''}ICMP echo, TCP SYN 62078/5353/7000/80/443/22/8080, UDP 5353`;
  return `no answer to the sweep nor to ${s.rounds} probe round${s.rounds === 1 ? '' : 's'} (${kinds})`;
}

export async function confirmAway(
  candidates: readonly Candidate[],
  settings: ConfirmSettings,
  run: ProbeRun,
  signal?: AbortSignal,
): Promise<ConfirmOutcome> {
  const present = new Map<string, string>();
  const pending = new Map(candidates.map((c) => [c.ip, c]));
  const answered = (hosts: ScanHost[], label: (h: ScanHost) => string) => {
    for (const h of hosts) {
      const c = pending.get(h.ip);
      // an answer from another MAC at that address is another device, not this one
      if (!c || (h.mac && h.mac.toLowerCase() !== c.mac)) continue;
      present.set(c.mac, label(h));
      pending.delete(h.ip);
    }
  };
  for (let round = 0; round < settings.rounds && pending.size > 0 && !signal?.aborted; round++) {
    if (round > 0) await sleep(settings.pauseMs, signal);
    if (settings.privileged && settings.attached) {
      const ips = [...pending.keys()];
      answered(
        await run(buildConfirmArgs({ targets: ips, method: 'arp', privileged: true }), ips, signal),
        (h) => `probe: ${h.reason ?? 'arp-response'}`,
      );
    }
    if (pending.size === 0) break;
    const ips = [...pending.keys()];
    answered(
      await run(
        buildConfirmArgs({ targets: ips, method: 'ip', privileged: settings.privileged }),
        ips,
        signal,
      ),
      (h) => `probe: ${h.reason ?? 'answered'}`,
    );
  }
  return { present, awayReason: awayReasonText(settings) };
}
