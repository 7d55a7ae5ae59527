/**
 * Composition root: the only place where adapters (nmap subprocess, SQLite, MQTT, HTTP, HA websocket, clock)
 * are built and each feature is attached to the bus. Everything else takes its dependencies as arguments; the
 * features own their subscriptions and timers and undo them in their stops (run newest first).
 */
import { prepareHttp, startHttp } from './api/httpService.js';
import type { LoadedConfig } from './config/load.js';
import { settingsSummary } from './config/summary.js';
import type { AgentHub } from './hub/agents.js';
import { preloadVendorIndex } from './inventory/vendor.js';
import { startAlerts } from './service/alertsFeature.js';
import { serviceCore } from './service/core.js';
import { serviceDeviceCommands } from './service/deviceCommands.js';
import { startHeartbeat } from './service/heartbeat.js';
import { connectCore, readHomeAssistantContext } from './service/homeAssistant.js';
import { type HostAdapters, systemHost } from './service/host.js';
import { type RunningService, runStops, StartupError, type Stops, stopOnce } from './service/lifecycle.js';
import { releaseMemoryAfterScans } from './service/memoryRelease.js';
import { startMqttFeature } from './service/mqttFeature.js';
import { attachPresence } from './service/presence.js';
import { prepareScanning, startScanning } from './service/scanFeature.js';
import { serviceScheduler } from './service/scheduler.js';
import { ServiceHealth } from './service/serviceHealth.js';
import { attachStatsRecorder } from './service/statsRecorder.js';
import { openStorage } from './service/storage.js';
import { attachThreats } from './service/threatsFeature.js';
import { systemClock } from './util/clock.js';
import type { Logger } from './util/logger.js';

export type { RunningService };
export { StartupError };

/**
 * Starts the service. When start-up fails part-way (refused bind, locked data dir, …) everything started so
 * far is stopped again before the error is thrown, so no half-running process stays behind.
 */
export async function startService(
  cfg: LoadedConfig,
  env: NodeJS.ProcessEnv,
  log: Logger,
  host: HostAdapters = systemHost(env),
): Promise<RunningService> {
  const o = cfg.options;
  const clock = systemClock;
  const stops: Stops = [];
  try {
    // --- nmap and targets, then the data dir: fail fast with a clear message
    const scanning = await prepareScanning(o, host, log, cfg.addon);
    const storage = await openStorage(o.data_dir, clock, log, stops);
    log.debug('vendor index loaded', { ...preloadVendorIndex() });
    const core = serviceCore(o, storage, clock, log);
    const { store, bus } = core;

    // degraded while the last sweep failed or writes fail (api/health)
    const health = new ServiceHealth(log.child('health'));
    stops.push(['health', health.attach(bus)]);
    // --- threats: the assessor and the CVE feeds that reload its rules at once, also after a CLI import
    const threats = attachThreats(core);
    stops.push(['cve feeds', threats.stop]);
    // one set of device commands for the API, MQTT buttons, notifications and CLI; waking through an agent
    // needs the agent hub, which MQTT starts below
    let agentHub: AgentHub | null = null;
    const commands = serviceDeviceCommands(core, storage.audit, scanning.subnets, () => agentHub);
    const coordinator = startScanning(core, scanning, host, threats.threats);
    // --- presence between sweeps: passive listening (DHCP, mDNS, ARP) and IPv6 neighbour discovery
    const presence = attachPresence(core, scanning, host);
    stops.push(['presence', () => presence.stop()]);

    // --- the Supervisor (add-on mode), then the HTTP pre-flight: a refused bind stops start-up unannounced
    const hass = await readHomeAssistantContext(cfg, env, log);
    const http = await prepareHttp({ cfg, selfInfo: hass.selfInfo, keys: storage.keys, clock });

    // --- MQTT: broker, publisher, HA bridge, satellite agents
    const { supervisor } = hass;
    const mqtt = await startMqttFeature({
      ...core,
      ...(supervisor ? { supervisorMqtt: () => supervisor.mqttService() } : {}),
      coordinator,
      threats: threats.threats,
      commands,
      ingressUrl: hass.ingressUrl,
      coreVersion: hass.coreVersion,
      ownPorts: http.ownPorts,
      health,
    });
    stops.push(['mqtt', mqtt.stop]);
    agentHub = mqtt.agentHub;

    // --- Home Assistant websocket (notifications, card resource): connects in the background, retrying
    const ha = connectCore(cfg, env, hass, log);
    if (ha) stops.push(['ha websocket', () => ha.close()]);
    const alerts = await startAlerts(core, {
      ha,
      bridge: mqtt.bridge,
      commands,
      uiBaseUrl: hass.uiBaseUrl,
      ownPorts: http.ownPorts,
    });
    stops.push(['alerts', () => alerts.stop()]);

    // --- trend rollups at each sweep/port scan
    const statsRecorder = attachStatsRecorder({ bus, stats: store.stats, clock, logger: log.child('stats') });
    stops.push(['stats', () => statsRecorder.stop()]);

    // the heap pages a burst of scanning (or the HTTP app's build) grew into go back (needs --expose-gc)
    const memory = releaseMemoryAfterScans({ bus });
    stops.push(['memory release', () => memory.stop()]);

    // --- HTTP: ingress (add-on) or the standalone UI/API, built at the first request
    const { httpUrl, stop: stopHttp } = await startHttp({
      afterBuild: () => memory.soon(),
      cfg,
      selfInfo: hass.selfInfo,
      plan: http,
      log,
      parts: {
        ...storage,
        alerts,
        cve: threats.cve,
        threats: threats.threats,
        bus,
        health,
        commands,
        coordinator,
        agentHub: mqtt.agentHub,
        network: { gatewayIp: host.gatewayIp, subnets: scanning.subnets },
        settingsSummary: settingsSummary(cfg, scanning.initial.targets, mqtt.brokerKind),
        logger: log.child('http'),
        clock,
      },
    });
    stops.push(['http', stopHttp]);

    // --- schedule: the start-up sweep, then sweeps, port scans, named schedules and housekeeping
    const scheduler = serviceScheduler(core, coordinator, storage.schedules);
    scheduler.attach(bus);

    const stopHeartbeat = startHeartbeat(storage.dataDir);

    return {
      httpUrl,
      coordinator,
      store,
      bus,
      stop: stopOnce(log, [stopHeartbeat, () => scheduler.stop(), () => coordinator.stop()], stops),
    };
  } catch (err) {
    await runStops(stops, log);
    throw err;
  }
}
