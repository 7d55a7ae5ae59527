/**
 * Composition root: the only place where adapters (nmap subprocess, SQLite, MQTT, HTTP, HA websocket, clock)
 * are wired together. Everything else takes its dependencies as arguments.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Alerts } from './alerts/alerts.js';
import { apiDeps, prepareHttp, startHttp } from './api/httpService.js';
import { CLI_TOKEN_FILE, writeCliToken } from './api/session.js';
import type { LoadedConfig } from './config/load.js';
import { settingsSummary } from './config/summary.js';
import { DEFAULT_SUPERVISOR_URL, type SelfInfo, SupervisorClient } from './config/supervisor.js';
import { connectHomeAssistant } from './ha/haConnection.js';
import { DeviceCommands } from './inventory/commands.js';
import { preloadVendorIndex } from './inventory/vendor.js';
import { checkNmap } from './scan/nmapRunner.js';
import { detectLocalNetworks } from './scan/targets.js';
import { startHeartbeat } from './service/heartbeat.js';
import { type HostAdapters, systemHost } from './service/host.js';
import { startInstall } from './service/installStart.js';
import { runStops, StartupError, type Stops } from './service/lifecycle.js';
import { startMqttFeature } from './service/mqttFeature.js';
import { attachPresence } from './service/presence.js';
import { ScanCoordinator, type ScanTargets } from './service/scanCoordinator.js';
import { scanSettings, scanTargets } from './service/scanSettings.js';
import { serviceScheduler } from './service/scheduler.js';
import { attachStatsRecorder } from './service/statsRecorder.js';
import { attachThreats } from './service/threatsFeature.js';
import { AlertsRepo } from './store/alertsRepo.js';
import { AuditRepo } from './store/auditRepo.js';
import { closeDatabase, openDatabaseReport } from './store/db.js';
import { FindingsRepo } from './store/findingsRepo.js';
import { KeysRepo } from './store/keysRepo.js';
import { SchedulesRepo } from './store/schedulesRepo.js';
import { Store } from './store/store.js';
import { WebhooksRepo } from './store/webhooksRepo.js';
import { systemClock } from './util/clock.js';
import { acquireDataDirLock } from './util/dataDirLock.js';
import { EventBus } from './util/events.js';
import type { Logger } from './util/logger.js';
import { VERSION } from './version.js';
import { udpWakeSender } from './wol/sender.js';

export { StartupError };

export interface RunningService {
  stop(reason?: string): Promise<void>;
  readonly httpUrl: string | null;
  readonly coordinator: ScanCoordinator;
  readonly store: Store;
  readonly bus: EventBus;
}

const here = dirname(fileURLToPath(import.meta.url));
const CARD_BUNDLE = resolve(here, '..', 'frontend-card', 'dist', 'lan-sentinel-card.js');

/**
 * Starts the service. When start-up fails part-way (refused bind, locked data dir, …) everything started so
 * far is stopped again before the error is thrown, so no half-running process stays behind.
 */
export async function startService(
  cfg: LoadedConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  host: HostAdapters = systemHost(env),
): Promise<RunningService> {
  const stops: Stops = [];
  try {
    return await startServiceParts(cfg, env, logger, stops, host);
  } catch (err) {
    await runStops(stops, logger);
    throw err;
  }
}

async function startServiceParts(
  cfg: LoadedConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  stops: Stops,
  host: HostAdapters,
): Promise<RunningService> {
  const o = cfg.options;
  const clock = systemClock;
  const log = logger;

  // --- nmap and targets: fail fast with a clear message
  const nmap = await checkNmap(o.nmap_path);
  if (!nmap.ok) throw new StartupError(nmap.message);
  const privileged = host.privileged;
  const detected = detectLocalNetworks(host.interfaces());
  const resolveScanTargets = (): ScanTargets => scanTargets(o, detected);
  let initialTargets: ReturnType<typeof scanTargets>;
  try {
    initialTargets = scanTargets(o, detected);
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  for (const w of initialTargets.warnings) log.warn(w);
  log.info(
    `LAN Sentinel ${VERSION} (${cfg.addon ? 'add-on' : 'standalone'}); ${nmap.version}; ${privileged ? 'privileged (ARP, SYN scans)' : 'unprivileged (TCP connect, neighbour table)'}; targets ${initialTargets.targets.join(', ')} (${initialTargets.addressCount} addresses)`,
  );

  // --- database
  const dataDir = resolve(o.data_dir);
  mkdirSync(dataDir, { recursive: true });
  try {
    stops.push(['data dir lock', acquireDataDirLock(dataDir)]);
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  const { db, recovery } = openDatabaseReport(join(dataDir, 'lan-sentinel.db'), log.child('db'));
  stops.push(['database', () => closeDatabase(db)]);
  const cliToken = writeCliToken(dataDir);
  stops.push(['cli token', () => rmSync(join(dataDir, CLI_TOKEN_FILE), { force: true })]);
  const store = new Store(db);
  const interrupted = store.scans.failInterrupted(clock.now());
  if (interrupted) log.warn(`${interrupted} scan(s) were interrupted by the last shutdown; marked failed`);
  // salvaged rows are an existing inventory: never an install baseline over them
  startInstall(store, log, recovery);
  const findings = new FindingsRepo(db);
  const keys = new KeysRepo(db);
  const audit = new AuditRepo(db);
  const alertsRepo = new AlertsRepo(db);
  const webhooks = new WebhooksRepo(db);
  const schedules = new SchedulesRepo(db);
  const vendorStats = preloadVendorIndex();
  log.debug('vendor index loaded', { ...vendorStats });

  const bus = new EventBus((event, err) =>
    log.error(`listener for ${event} failed: ${(err as Error).message}`),
  );
  // --- threats: the assessor and the CVE feeds that reload its rules at once, also after a CLI import
  const {
    threats,
    cve: cveFeeds,
    stop: stopThreats,
  } = attachThreats({
    store,
    findings,
    db,
    bus,
    clock,
    logger: log.child('threats'),
    certExpiryDays: o.cert_expiry_days,
  });
  stops.push(['cve feeds', stopThreats]);
  const commands = new DeviceCommands({
    store,
    bus,
    audit,
    // Wake-on-LAN: the broadcast address comes from the subnet being swept that holds the device's address
    wake: { sender: udpWakeSender(), subnets: () => resolveScanTargets().targets, port: o.wol_port },
  });

  const coordinator = new ScanCoordinator({
    store,
    bus,
    clock,
    logger: log.child('scan'),
    targets: resolveScanTargets,
    threats,
    ...(host.resolver ? { resolver: host.resolver } : {}),
    settings: scanSettings(o, privileged, host.gatewayIp),
  });

  // --- presence between sweeps: passive listening (DHCP, mDNS, ARP) and IPv6 neighbour discovery
  const presence = attachPresence({
    store,
    bus,
    clock,
    log,
    passive: o.passive,
    privileged,
    considerHome: o.consider_home,
    interfaces: host.interfaces,
    detected,
    scope: { targets: initialTargets.targets, exclude: initialTargets.exclude },
  });
  stops.push(['presence', () => presence.stop()]);

  // --- supervisor (add-on mode)
  const supervisorUrl = env.LAN_SENTINEL_SUPERVISOR_URL ?? DEFAULT_SUPERVISOR_URL;
  const supervisor = cfg.addon ? new SupervisorClient(env.SUPERVISOR_TOKEN ?? '', supervisorUrl) : null;
  let selfInfo: SelfInfo | null = null;
  if (supervisor) {
    try {
      selfInfo = await supervisor.selfInfo();
    } catch (err) {
      throw new StartupError(
        `cannot read the add-on's ingress port from the Supervisor: ${(err as Error).message}`,
      );
    }
  }
  const slug = selfInfo?.slug ?? 'lan_sentinel';
  // the device tracker's keys depend on Core's version; the websocket's auth_ok may come later, so ask now
  let coreVersion: string | null = null;
  if (supervisor) {
    try {
      coreVersion = await supervisor.coreVersion();
    } catch (err) {
      log.warn(`Core version unknown (${(err as Error).message}); device trackers get the legacy keys too`);
    }
  }
  const ingressUrl = cfg.addon ? `homeassistant://app/${slug}` : `http://${o.http_host}:${o.http_port}`;

  // --- HTTP pre-flight, before anything is published: a refused bind stops start-up with nothing announced
  const http = await prepareHttp({ cfg, selfInfo, keys, clock });

  // --- MQTT: broker, publisher, HA bridge, satellite agents
  const mqtt = await startMqttFeature({
    options: o,
    ...(supervisor ? { supervisorMqtt: () => supervisor.mqttService() } : {}),
    store,
    findings,
    coordinator,
    threats,
    commands,
    bus,
    clock,
    log,
    ingressUrl,
    coreVersion,
    ownPorts: http.ownPorts,
  });
  stops.push(['mqtt', mqtt.stop]);
  const { bridge, agentHub } = mqtt;

  // --- Home Assistant websocket (notifications, card resource): connects in the background, retrying
  const ha = connectHomeAssistant({
    haUrl: o.ha_url,
    haToken: o.ha_token,
    supervisorToken: cfg.addon ? env.SUPERVISOR_TOKEN : undefined,
    supervisorUrl,
    card:
      cfg.addon && o.install_card
        ? {
            bundlePath: CARD_BUNDLE,
            wwwDir: env.LAN_SENTINEL_WWW_DIR ?? '/homeassistant/www',
            version: VERSION,
          }
        : null,
    logger: log,
  });
  if (ha) stops.push(['ha websocket', () => ha.close()]);

  const alerts = new Alerts({
    db,
    clock,
    logger: log.child('alerts'),
    ha,
    notifyServices: o.notify_services,
    notifyOn: o.notify_on,
    ingressBaseUrl: cfg.addon ? `/app/${slug}` : `http://${o.http_host}:${o.http_port}`,
    trustDevice: (mac: string) => {
      commands.trust(mac);
    },
    onAlert: (e) => void bridge?.publishAlert(e),
    getDevice: (mac: string) => store.devices.get(mac),
    webhookPolicy: { ownPorts: () => http.ownPorts },
  });
  await alerts.start();
  alerts.attach(bus);
  stops.push(['alerts', () => alerts.stop()]);

  // --- trend rollups at each sweep/port scan
  const statsRecorder = attachStatsRecorder({ bus, stats: store.stats, clock, logger: log.child('stats') });
  stops.push(['stats', () => statsRecorder.stop()]);

  // --- HTTP: ingress (add-on) or the standalone UI/API
  const deps = apiDeps(cfg, http, {
    db,
    store,
    findings,
    alertsRepo,
    webhooks,
    keys,
    audit,
    schedules,
    alerts,
    cve: cveFeeds,
    threats,
    cliToken,
    bus,
    commands,
    coordinator,
    agentHub,
    network: { gatewayIp: host.gatewayIp, subnets: () => resolveScanTargets().targets },
    settingsSummary: settingsSummary(cfg, initialTargets.targets, mqtt.brokerKind),
    logger: log.child('http'),
    clock,
  });
  const { httpUrl, stop: stopHttp } = await startHttp({ cfg, selfInfo, plan: http, deps, keys, log });
  stops.push(['http', stopHttp]);

  // --- schedule: the start-up sweep, then sweeps, port scans, named schedules and housekeeping
  const scheduler = serviceScheduler({
    options: o,
    scans: coordinator,
    schedules,
    db,
    clock,
    logger: log.child('schedule'),
  });
  scheduler.attach(bus);
  const stopHeartbeat = startHeartbeat(dataDir);

  let stopped: Promise<void> | null = null;
  return {
    httpUrl,
    coordinator,
    store,
    bus,
    stop(reason = 'stop') {
      if (stopped) return stopped;
      stopped = (async () => {
        log.info(`stopping (${reason})`);
        stopHeartbeat();
        await scheduler.stop();
        await coordinator.stop();
        await runStops(stops, log);
        log.info('stopped');
      })();
      return stopped;
    },
  };
}
