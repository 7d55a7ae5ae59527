/** Names of swept addresses by background reverse DNS with a hard bound; a sweep uses what earlier ones found. */
import { reverseLookupAll } from '../scan/reverseDns.js';
import type { Logger } from '../util/logger.js';

export class ReverseDnsCache {
  private readonly names = new Map<string, string>();
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly opts: {
      timeoutMs: number;
      logger: Logger;
      resolver?: (ip: string) => Promise<string[]>;
    },
  ) {}

  nameOf(ip: string): string | undefined {
    return this.names.get(ip);
  }

  /** Looks these addresses up in the background (one refresh at a time); never waited for. */
  refresh(ips: string[]): void {
    if (this.inFlight || ips.length === 0) return;
    this.inFlight = reverseLookupAll(ips, {
      timeoutMs: this.opts.timeoutMs,
      ...(this.opts.resolver ? { resolver: this.opts.resolver } : {}),
    })
      .then((names) => {
        for (const [ip, name] of names) this.names.set(ip, name);
      })
      .catch((err: unknown) => this.opts.logger.debug(`reverse DNS failed: ${(err as Error).message}`))
      .finally(() => {
        this.inFlight = null;
      });
  }
}
