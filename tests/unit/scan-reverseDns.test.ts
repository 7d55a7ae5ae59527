import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { reverseLookupAll } from '../../src/scan/reverseDns.js';

describe('reverseLookupAll', () => {
  it('maps each IP to its first PTR name, cleaned, and omits failures', async () => {
    const names = await reverseLookupAll(['10.213.1.1', '10.213.1.2', '10.213.1.3', '10.213.1.1'], {
      timeoutMs: 1000,
      resolver: async (ip) => {
        if (ip === '10.213.1.1') return ['router.lan.', 'other.lan'];
        if (ip === '10.213.1.2') throw Object.assign(new Error('queryPtr ENOTFOUND'), { code: 'ENOTFOUND' });
        return ['', 'evil\0$(reboot).lan'];
      },
    });
    expect([...names]).toEqual([
      ['10.213.1.1', 'router.lan'],
      ['10.213.1.3', 'evil$(reboot).lan'],
    ]);
  });

  it('never waits past the time bound, even when the resolver never answers', async () => {
    const t = performance.now();
    const names = await reverseLookupAll(['10.213.1.1', '10.213.1.2', '10.213.1.3'], {
      timeoutMs: 150,
      resolver: (ip) =>
        ip === '10.213.1.2' ? Promise.resolve(['fast.lan']) : new Promise<string[]>(() => {}),
    });
    const ms = performance.now() - t;
    console.log(`reverseLookupAll with a hanging resolver returned after ${ms.toFixed(0)} ms (bound 150 ms)`);
    expect(ms).toBeLessThan(1500); // generous: only proves it did not hang
    expect([...names]).toEqual([['10.213.1.2', 'fast.lan']]);
  });

  it('bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const ips = Array.from({ length: 40 }, (_, i) => `10.213.2.${i + 1}`);
    const names = await reverseLookupAll(ips, {
      timeoutMs: 5000,
      concurrency: 4,
      resolver: async (ip) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return [`h-${ip}.lan`];
      },
    });
    expect(names.size).toBe(40);
    expect(peak).toBe(4);
  });

  it('returns an empty map for no input', async () => {
    expect((await reverseLookupAll(['10.213.1.1'], { timeoutMs: 0 })).size).toBe(0);
    expect((await reverseLookupAll([], { timeoutMs: 100 })).size).toBe(0);
  });

  it('bounds the built-in resolver too, against a loopback DNS server that never answers', async () => {
    const server = createSocket('udp4');
    let queries = 0;
    server.on('message', () => {
      queries++;
    });
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const t = performance.now();
      const names = await reverseLookupAll(['10.213.1.1', '10.213.1.2'], {
        timeoutMs: 300,
        servers: [`127.0.0.1:${port}`],
      });
      const ms = performance.now() - t;
      console.log(
        `built-in resolver against a silent server returned after ${ms.toFixed(0)} ms (bound 300 ms)`,
      );
      expect(names.size).toBe(0);
      expect(ms).toBeLessThan(2000);
      expect(queries).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});
