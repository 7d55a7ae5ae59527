/**
 * The running service in this test process, without root and without the simulated LAN: `startTestService()`
 * starts the real `startService()` (src/main.ts) with
 * - the fixture nmap (tests/fixtures/bin/nmap in `hosts` mode) answering for a small made-up LAN that the test
 *   may change between sweeps (`setHosts`); no packet leaves the process tree, reverse DNS answers nothing,
 * - an in-process aedes broker on a free loopback port, recording every message the service publishes,
 * - a loopback webhook receiver recording every delivery,
 * - a temp data dir (removed by `stop()`).
 * Alerts are read back from the service's own alert log (`alertLog()`), so a behaviour of the running service is
 * asserted where a user would see it: MQTT topics, the HTTP API, webhooks.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertLogEntry } from '../../src/alerts/types.js';
import { loadConfig } from '../../src/config/load.js';
import type { Options } from '../../src/config/options.js';
import { type RunningService, startService } from '../../src/main.js';
import type { HostAdapters } from '../../src/service/host.js';
import { AlertsRepo } from '../../src/store/alertsRepo.js';
import { createLogger } from '../../src/util/logger.js';
import { type BrokerPublish, startAedes, type TestBroker, waitFor } from './aedesBroker.js';

export const FIXTURE_NMAP = join(import.meta.dirname, '..', 'fixtures', 'bin', 'nmap');
/** The made-up LAN: a /28 the fixture nmap answers for (never scanned for real). */
export const TEST_SUBNET = '10.213.250.0/28';
export const TEST_GATEWAY = '10.213.250.1';

export interface TestServiceOptions {
  /** ip → mac the fixture nmap reports as up; default one gateway and two hosts */
  hosts?: Record<string, string>;
  /** option overrides (validated by the real option schema) */
  options?: Partial<Options>;
  /** wait for the start-up sweep (and the first port scan after install) to finish; default true */
  settle?: boolean;
}

export interface WebhookDelivery {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface TestService {
  readonly service: RunningService;
  readonly url: string;
  readonly dataDir: string;
  readonly options: Options;
  readonly broker: TestBroker;
  /** every MQTT message the service published, in order */
  readonly published: BrokerPublish[];
  /** the webhook receiver: register `webhookUrl` as a webhook; deliveries land in `webhooks` */
  readonly webhookUrl: string;
  readonly webhooks: WebhookDelivery[];
  /** the service's log lines */
  readonly logs: string[];
  /** the CLI token (admin): `api()` sends it */
  readonly token: string;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** changes what the fixture nmap reports from the next scan on */
  setHosts(hosts: Record<string, string>): void;
  /** requests a sweep and resolves when it (and whatever it queued: port scans of new devices) finished */
  sweep(reason?: string): Promise<void>;
  /** resolves when the coordinator is idle (nothing running, nothing queued) */
  idle(timeoutMs?: number): Promise<void>;
  /** rows of the alert log, newest first */
  alertLog(): AlertLogEntry[];
  /** the last payload published to a topic (retained or not), undefined when none */
  last(topic: string): string | undefined;
  /** waits for a message published after `since` (an index into `published`) matching `pred` */
  waitForPublish(
    pred: (m: BrokerPublish) => boolean,
    what: string,
    opts?: { since?: number; timeoutMs?: number },
  ): Promise<BrokerPublish>;
  stop(): Promise<void>;
}

export const DEFAULT_HOSTS: Record<string, string> = {
  [TEST_GATEWAY]: 'b8:27:eb:00:00:01',
  '10.213.250.5': '00:11:32:aa:bb:05',
  '10.213.250.7': '24:0a:c4:12:34:07',
};

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const a = srv.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function startWebhookReceiver(): Promise<{ server: Server; url: string; got: WebhookDelivery[] }> {
  const got: WebhookDelivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        got.push({ headers: req.headers, body: {} });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return { server, url: `http://127.0.0.1:${port}/hook`, got };
}

/** The machine as the service sees it under test: unprivileged, one interface on the made-up LAN, no DNS. */
function testHost(): HostAdapters {
  return {
    privileged: false,
    interfaces: () => ({
      lo: [
        {
          address: '127.0.0.1',
          netmask: '255.0.0.0',
          family: 'IPv4',
          mac: '00:00:00:00:00:00',
          internal: true,
          cidr: '127.0.0.1/8',
        },
      ],
      lsntest0: [
        {
          address: '10.213.250.14',
          netmask: '255.255.255.240',
          family: 'IPv4',
          mac: '02:00:00:ff:ff:0e',
          internal: false,
          cidr: '10.213.250.14/28',
        },
      ],
    }),
    gatewayIp: () => TEST_GATEWAY,
    resolver: async () => [],
  };
}

export async function startTestService(opts: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lsn-svc-'));
  const hostsFile = join(dataDir, 'fake-lan.json');
  writeFileSync(hostsFile, JSON.stringify(opts.hosts ?? DEFAULT_HOSTS));
  // the fixture nmap reads these from the environment the scanner passes on (this process's)
  process.env.FAKE_NMAP_MODE = 'hosts';
  process.env.FAKE_NMAP_HOSTS_FILE = hostsFile;
  const broker = await startAedes();
  const hook = await startWebhookReceiver();
  const logs: string[] = [];
  const cleanup = async () => {
    await broker.close().catch(() => {});
    await new Promise<void>((r) => hook.server.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  let service: RunningService;
  let options: Options;
  try {
    const cfg = loadConfig({ flags: [], env: {}, fileExists: () => false });
    options = {
      ...cfg.options,
      subnets: [TEST_SUBNET],
      sweep_interval: 3600,
      port_scan_schedule: '',
      passive: false,
      install_card: false,
      nmap_path: FIXTURE_NMAP,
      mqtt_url: broker.url,
      data_dir: dataDir,
      http_host: '127.0.0.1',
      http_port: await freePort(),
      ...opts.options,
    };
    service = await startService(
      { ...cfg, options },
      {},
      createLogger('debug', 'lan-sentinel', (l) => logs.push(l)),
      testHost(),
    );
  } catch (err) {
    await cleanup();
    throw err;
  }
  if (!service.httpUrl) throw new Error('the service did not listen on HTTP');
  const url = service.httpUrl;
  const token = readFileSync(join(dataDir, 'cli-token'), 'utf8').trim();

  const idle = async (timeoutMs = 30_000) => {
    // settled twice in a row 50 ms apart: a finished sweep may queue port scans right after
    let quiet = 0;
    await waitFor(
      () => {
        const s = service.coordinator.status();
        quiet = !s.running && s.queue === 0 ? quiet + 1 : 0;
        return quiet >= 3;
      },
      'the scan coordinator to be idle',
      timeoutMs,
    );
  };

  const t: TestService = {
    service,
    url,
    dataDir,
    options,
    broker,
    published: broker.published,
    webhookUrl: hook.url,
    webhooks: hook.got,
    logs,
    token,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}/${path.replace(/^\//, '')}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    },
    setHosts(hosts) {
      writeFileSync(hostsFile, JSON.stringify(hosts));
    },
    async sweep(reason = 'test') {
      const r = service.coordinator.requestSweep(reason);
      const id = r.scanId;
      await waitFor(
        () => id !== null && service.store.scans.record(id)?.finishedAt != null,
        `sweep #${id} to finish`,
        30_000,
      );
      await idle();
    },
    idle,
    alertLog() {
      return new AlertsRepo(service.store.db).list({ limit: 1000 });
    },
    last(topic) {
      for (let i = broker.published.length - 1; i >= 0; i--) {
        const m = broker.published[i];
        if (m?.topic === topic) return m.payload;
      }
      return undefined;
    },
    async waitForPublish(pred, what, o = {}) {
      const since = o.since ?? 0;
      let found: BrokerPublish | undefined;
      await waitFor(
        () => {
          found = broker.published.slice(since).find(pred);
          return found !== undefined;
        },
        what,
        o.timeoutMs ?? 10_000,
      );
      return found as BrokerPublish;
    },
    async stop() {
      await service.stop('test done');
      await cleanup();
    },
  };
  if (opts.settle !== false) {
    try {
      await waitFor(() => service.store.scans.lastFinished('sweep') !== null, 'the start-up sweep', 30_000);
      await idle();
    } catch (err) {
      await t.stop();
      throw new Error(`${(err as Error).message}\n${logs.slice(-30).join('\n')}`);
    }
  }
  return t;
}
