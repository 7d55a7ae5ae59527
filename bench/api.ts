/**
 * api_devices_p99_ms: `GET /api/devices?limit=100` against 5,000 devices in a temp-file SQLite, served by the real
 * `buildApp` over real HTTP on 127.0.0.1 (keep-alive, a small fixed concurrency). Bounded: a fixed request count.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/api/app.js';
import { AuditRepo } from '../src/store/auditRepo.js';
import { KeysRepo } from '../src/store/keysRepo.js';
import { openStore } from '../src/store/store.js';
import { ManualClock } from '../src/util/clock.js';
import { EventBus } from '../src/util/events.js';
import { silentLogger } from '../src/util/logger.js';
import { RecordingScanner, seed } from '../tests/helpers/apiFixtures.js';
import { atMost, type Benchmark, errorText, median, missing, percentile, round } from './lib.js';

const P99 = { name: 'api_devices_p99_ms', unit: 'ms', target: '<= 15 ms' };
const DEVICES = 5000;
const FIXED_DEVICES = 4; // apiFixtures.seed's own devices
/** the local CLI's kind of credential: nothing is trusted for its loopback address */
const BENCH_TOKEN = `lst_${'b'.repeat(43)}`;

function get(
  agent: http.Agent,
  port: number,
  path: string,
): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        timeout: 10_000,
        headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            ms: performance.now() - t0,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

export const apiBenchmark: Benchmark = {
  names: [P99],
  async run(ctx) {
    const total = ctx.quick ? 600 : 2000;
    const concurrency = 1;
    const dir = mkdtempSync(join(tmpdir(), 'lsn-bench-api-'));
    const store = openStore(join(dir, 'lan-sentinel.db'), silentLogger);
    const clock = new ManualClock(Date.now());
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    let app: Awaited<ReturnType<typeof buildApp>> | null = null;
    try {
      seed(store, clock.now(), DEVICES - FIXED_DEVICES);
      const count = store.devices.counts().total;
      if (count !== DEVICES) throw new Error(`seeded ${count} devices, expected ${DEVICES}`);
      app = await buildApp({
        store,
        keys: new KeysRepo(store.db, clock),
        audit: new AuditRepo(store.db, clock),
        cliToken: BENCH_TOKEN,
        bus: new EventBus(() => {}),
        scanner: new RecordingScanner(),
        config: {
          mode: 'standalone',
          requireApiKey: false,
          settingsSummary: {},
          // the limiter stays installed (its cost is measured) but must not answer 429 to a bounded load test
          rateLimitPerMinute: 1_000_000,
        },
        logger: silentLogger,
        clock,
        version: 'bench',
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as AddressInfo).port;
      const path = '/api/devices?limit=100';
      const first = await get(agent, port, path);
      const parsed = JSON.parse(first.body) as { items?: unknown[]; total?: number };
      if (first.status !== 200 || parsed.items?.length !== 100 || parsed.total !== DEVICES)
        throw new Error(`unexpected answer ${first.status}: ${first.body.slice(0, 200)}`);
      for (let i = 0; i < 50; i++) await get(agent, port, path); // warm-up (JIT, statement cache)
      const samples: number[] = [];
      let next = 0;
      let bad = 0;
      const t0 = performance.now();
      const worker = async () => {
        while (next < total) {
          next++;
          // alternate pages so not every answer is the same first page
          const offset = ((next % 5) * 100) as number;
          const r = await get(agent, port, `${path}&offset=${offset}`);
          if (r.status !== 200) bad++;
          samples.push(r.ms);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const wall = (performance.now() - t0) / 1000;
      // the store's share: the same page straight from the repository (no HTTP, no serialization)
      const direct: number[] = [];
      for (let i = 0; i < 100; i++) {
        const s0 = performance.now();
        store.devices.query({ limit: 100, offset: (i % 5) * 100 });
        direct.push(performance.now() - s0);
      }
      if (bad > 0) throw new Error(`${bad} of ${total} requests did not answer 200`);
      const p99 = percentile(samples, 99);
      ctx.log(`api: ${total} requests, p50 ${round(median(samples), 2)} ms, p99 ${round(p99, 2)} ms`);
      return [
        atMost(
          P99.name,
          p99,
          'ms',
          15,
          `${total} requests (after 50 warm-up) GET /api/devices?limit=100&offset=0..400 over HTTP/1.1 keep-alive on ` +
            `127.0.0.1, concurrency ${concurrency}, ${DEVICES} devices with 1-3 ports each in a temp-file SQLite; ` +
            `client-side latency to the last body byte: p50 ${round(median(samples), 2)} ms, p90 ${round(percentile(samples, 90), 2)} ms, ` +
            `p99 ${round(p99, 2)} ms, max ${round(Math.max(...samples), 2)} ms; ${round(total / wall, 0)} req/s; ` +
            `answer ${round(first.body.length / 1024, 1)} KiB; the store query alone (devices.query, no HTTP) p50 ` +
            `${round(median(direct), 2)} ms, p99 ${round(percentile(direct, 99), 2)} ms`,
          2,
        ),
      ];
    } catch (err) {
      return [missing(P99, `failed: ${errorText(err)}`)];
    } finally {
      agent.destroy();
      await app?.close().catch(() => undefined);
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
