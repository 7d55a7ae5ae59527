import { Resolver } from 'node:dns/promises';

export type ReverseResolver = (ip: string) => Promise<string[]>;

export interface ReverseLookupOptions {
  /** Hard bound for the whole batch: the promise settles by then whatever the resolver does. */
  timeoutMs: number;
  /** Lookups in flight at once. Default 16. */
  concurrency?: number;
  /** Injected resolver (tests); default node:dns Resolver.reverse with a per-query timeout. */
  resolver?: ReverseResolver;
  /** DNS servers for the built-in resolver ("ip" or "ip:port"); default: the system's. */
  servers?: string[];
}

/** A PTR answer as data: trailing dot removed, NULs dropped, empty names ignored. Otherwise untouched (hostile). */
function cleanName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const s = name.replaceAll('\0', '').replace(/\.$/, '');
  return s === '' ? undefined : s;
}

/**
 * Reverse-resolves `ips` to their first PTR name. Never takes longer than `timeoutMs`: names found by then are
 * returned, unfinished lookups are abandoned (and cancelled for the built-in resolver). Failures are omitted.
 */
export async function reverseLookupAll(
  ips: readonly string[],
  opts: ReverseLookupOptions,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const queue = [...new Set(ips)];
  if (queue.length === 0 || opts.timeoutMs <= 0) return names;

  let builtIn: Resolver | undefined;
  let resolve: ReverseResolver;
  if (opts.resolver) {
    resolve = opts.resolver;
  } else {
    const r = new Resolver({ timeout: Math.max(1, Math.min(opts.timeoutMs, 2000)), tries: 1 });
    if (opts.servers && opts.servers.length > 0) r.setServers(opts.servers);
    builtIn = r;
    resolve = (ip) => r.reverse(ip);
  }

  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((done) => {
    timer = setTimeout(() => {
      expired = true;
      done();
    }, opts.timeoutMs);
  });

  const worker = async (): Promise<void> => {
    while (!expired) {
      const ip = queue.shift();
      if (ip === undefined) return;
      try {
        const answer = await Promise.race([Promise.resolve().then(() => resolve(ip)), deadline]);
        if (expired || !Array.isArray(answer)) return;
        const name = answer.map(cleanName).find((n) => n !== undefined);
        if (name !== undefined) names.set(ip, name);
      } catch {
        // NXDOMAIN, SERVFAIL, timeouts: no name
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 16, queue.length)) }, worker);
  await Promise.race([Promise.all(workers), deadline]);
  clearTimeout(timer);
  expired = true;
  builtIn?.cancel();
  return new Map(names);
}
