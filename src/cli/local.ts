/**
 * The CLI's local instance: the API app (`buildApp`) over the local data dir, injected in-process, with a
 * scan coordinator of its own (no scheduler, no MQTT, no listener). Commands run exactly the same requests
 * as against a remote instance.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { Alerts } from '../alerts/alerts.js';
import { alertsPort, findingsPort, webhooksPort } from '../api/adapters.js';
import { buildApp } from '../api/app.js';
import type { ApiDeps } from '../api/deps.js';
import type { SseScanJson } from '../api/schemas.js';
import { CLI_TOKEN_PREFIX } from '../api/session.js';
import { scanEvents } from '../api/sse.js';
import type { LoadedConfig } from '../config/load.js';
import { DeviceCommands } from '../inventory/commands.js';
import { checkNmap, isPrivileged } from '../scan/nmapRunner.js';
import { detectLocalNetworks } from '../scan/targets.js';
import { localCvePort } from '../service/cveFeeds.js';
import { readDefaultGateway } from '../service/gateway.js';
import { ScanCoordinator } from '../service/scanCoordinator.js';
import type { ScanTargets } from '../service/scanSettings.js';
import { scanSettings, scanTargets } from '../service/scanSettings.js';
import { createThreatAssessor } from '../service/threatAssessor.js';
import { AlertsRepo } from '../store/alertsRepo.js';
import { AuditRepo } from '../store/auditRepo.js';
import { closeDatabase, openDatabase } from '../store/db.js';
import { FindingsRepo } from '../store/findingsRepo.js';
import { KeysRepo } from '../store/keysRepo.js';
import { SchedulesRepo } from '../store/schedulesRepo.js';
import { Store } from '../store/store.js';
import { WebhooksRepo } from '../store/webhooksRepo.js';
import { loadCveRules } from '../threats/feedImport.js';
import { systemClock } from '../util/clock.js';
import { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import { udpWakeSender } from '../wol/sender.js';
import type { ApiResponse, Transport } from './client.js';
import { CliError, EXIT } from './errors.js';

export interface LocalTransport extends Transport {
  /** scan progress as the SSE stream would carry it */
  onScan(cb: (e: SseScanJson) => void): () => void;
  readonly db: ReturnType<typeof openDatabase>;
}

export async function localTransport(cfg: LoadedConfig, logger: Logger): Promise<LocalTransport> {
  const o = cfg.options;
  const dataDir = resolve(o.data_dir);
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'lan-sentinel.db'), logger.child('db'));
  const store = new Store(db);
  const findings = new FindingsRepo(db);
  const bus = new EventBus((event, err) =>
    logger.error(`listener for ${event} failed: ${(err as Error).message}`),
  );
  const detected = detectLocalNetworks(networkInterfaces());
  const targets = (): ScanTargets => {
    let r: ReturnType<typeof scanTargets>;
    try {
      r = scanTargets(o, detected);
    } catch (err) {
      throw new CliError(
        (err as Error).message,
        EXIT.config,
        'set --subnets (for example --subnets 192.168.1.0/24)',
      );
    }
    for (const w of r.warnings) logger.warn(w);
    return r;
  };
  let nmapChecked = false;
  const threats = createThreatAssessor({ store, findings, db, logger, bus });
  const coordinator = new ScanCoordinator({
    store,
    bus,
    clock: systemClock,
    logger: logger.child('scan'),
    targets,
    threats,
    settings: scanSettings(o, isPrivileged(), () => readDefaultGateway(), 'once'),
  });
  const audit = new AuditRepo(db);
  // no service runs on this data dir: the CLI sends the magic packet itself, from this machine
  const commands = new DeviceCommands({
    store,
    bus,
    audit,
    wake: {
      sender: udpWakeSender(),
      // without valid subnets the device's broadcast is unknown: the command answers no_subnet
      subnets: () => {
        try {
          return targets().targets;
        } catch {
          return [];
        }
      },
      port: o.wol_port,
    },
  });
  const alerts = new Alerts({
    db,
    clock: systemClock,
    logger: logger.child('alerts'),
    ha: null,
    notifyServices: o.notify_services,
    trustDevice: (mac) => {
      commands.trust(mac);
    },
    getDevice: (mac) => store.devices.get(mac),
    // the service's configured listeners: a webhook sent from the CLI may not call them either
    webhookPolicy: { ownPorts: () => new Set([o.http_port, o.api_port].filter((p) => p > 0)) },
  });
  // whoever can open the data dir is its admin: the in-process requests carry a token of this process only
  const cliToken = `${CLI_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const deps: ApiDeps = {
    store,
    // accepts and expected ports live in the same database; an edit re-assesses the device at once
    findings: findingsPort(findings, {
      db,
      reassess: (mac) => threats.reassess(mac, systemClock.now()),
    }),
    alerts: alertsPort(new AlertsRepo(db), alerts, {
      changes: store.changes,
      device: (mac) => store.devices.get(mac),
    }),
    webhooks: webhooksPort(new WebhooksRepo(db), alerts),
    // a service running on this data dir applies the import and confirms it; the CLI waits for that
    cve: localCvePort({ db, dataDir, countRules: () => loadCveRules(db).length }),
    keys: new KeysRepo(db),
    audit,
    cliToken,
    bus,
    commands,
    scanner: coordinator,
    // a running service on the same data dir picks schedule changes up within a minute
    schedules: { repo: new SchedulesRepo(db), defaultCron: () => o.port_scan_schedule, changed: () => {} },
    config: {
      mode: cfg.addon ? 'addon' : 'standalone',
      requireApiKey: false,
      settingsSummary: { mode: cfg.addon ? 'addon' : 'standalone', data_dir: dataDir, version: VERSION },
      // in-process: no flood to protect against
      rateLimitPerMinute: 1_000_000,
    },
    logger: logger.child('http'),
    clock: systemClock,
    version: VERSION,
  };
  const app = await buildApp(deps);
  return {
    where: `the local data dir ${dataDir}`,
    remote: false,
    db,
    onScan: (cb) => scanEvents(bus, () => new Date(), cb),
    async send(method, path, body): Promise<ApiResponse> {
      if (method === 'POST' && /^api\/scans\/?$/.test(path) && !nmapChecked) {
        // the local instance scans with this machine's nmap: say so before queuing
        const nmap = await checkNmap(o.nmap_path);
        if (!nmap.ok) throw new CliError(nmap.message, EXIT.config);
        nmapChecked = true;
        targets();
      }
      const res = await app.inject({
        method: method as 'GET',
        url: `/${path}`,
        remoteAddress: '127.0.0.1',
        headers: {
          host: 'localhost',
          authorization: `Bearer ${cliToken}`,
          ...(body instanceof Uint8Array
            ? { 'content-type': 'application/octet-stream' }
            : body !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
        },
        ...(body instanceof Uint8Array
          ? { payload: Buffer.from(body.buffer, body.byteOffset, body.byteLength) }
          : body !== undefined
            ? { payload: JSON.stringify(body) }
            : {}),
      });
      let parsed: unknown = res.body;
      try {
        parsed = res.body ? JSON.parse(res.body) : null;
      } catch {
        // text
      }
      return { status: res.statusCode, body: parsed, headers: res.headers as ApiResponse['headers'] };
    },
    async close() {
      await coordinator.stop();
      await alerts.stop();
      await app.close();
      closeDatabase(db);
    },
  };
}
