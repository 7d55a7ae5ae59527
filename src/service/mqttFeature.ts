/**
 * The MQTT feature of the service: which broker (none, the embedded aedes, a URL or the Supervisor's), the
 * publisher, the Home Assistant bridge (discovery, states, buttons) and the hub of satellite agents.
 */
import type { Options } from '../config/options.js';
import { HaBridge } from '../ha/bridge.js';
import { hubStats } from '../ha/hubStats.js';
import { agentDeviceId } from '../hub/agentDiscovery.js';
import { AgentHub } from '../hub/agents.js';
import type { DeviceCommands } from '../inventory/commands.js';
import { lookupVendor } from '../inventory/vendor.js';
import type { EmbeddedBroker } from '../mqtt/broker.js';
import { MqttPublisher } from '../mqtt/client.js';
import { type BrokerChoice, resolveBroker, type SupervisorMqttService } from '../mqtt/source.js';
import type { FindingsRepo } from '../store/findingsRepo.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import { orStartupError, type Stop, type Stops, startParts } from './lifecycle.js';
import type { ScanCoordinator } from './scanCoordinator.js';
import type { ServiceHealth } from './serviceHealth.js';
import type { ThreatAssessor } from './threatAssessor.js';

export interface MqttFeatureDeps {
  options: Options;
  /** add-on mode: the Supervisor's MQTT service */
  supervisorMqtt?: () => Promise<SupervisorMqttService | null>;
  store: Store;
  findings: FindingsRepo;
  coordinator: ScanCoordinator;
  threats: ThreatAssessor;
  /** the device commands the HA buttons run (Wake) */
  commands: Pick<DeviceCommands, 'wake'>;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  ingressUrl: string;
  coreVersion: string | null;
  /** the embedded broker's port is added: a webhook may never call it */
  ownPorts: Set<number>;
  /** the hub's problem binary sensor shows its problems */
  health?: ServiceHealth;
}

export interface MqttFeature {
  brokerKind: BrokerChoice['kind'];
  /** null: MQTT is off */
  bridge: HaBridge | null;
  agentHub: AgentHub | null;
  /** stops the agents, the bridge, the publisher (publishes offline), then the embedded broker */
  stop: Stop;
}

export async function startMqttFeature(d: MqttFeatureDeps): Promise<MqttFeature> {
  const { options: o, log } = d;
  const broker = await resolveBroker({
    options: o,
    ...(d.supervisorMqtt ? { supervisorMqtt: d.supervisorMqtt } : {}),
  });
  if (broker.kind === 'none') {
    log.info(`MQTT disabled: ${broker.reason}`);
    return { brokerKind: broker.kind, bridge: null, agentHub: null, stop: () => {} };
  }
  const { value, stop } = await startParts(log, async (stops) => {
    const login =
      broker.kind === 'embedded'
        ? { url: await startEmbedded(d, stops) }
        : { url: broker.url, username: broker.username, password: broker.password };
    return startClients(d, login, stops);
  });
  return { brokerKind: broker.kind, ...value, stop };
}

async function startEmbedded(d: MqttFeatureDeps, stops: Stops): Promise<string> {
  const embedded: EmbeddedBroker = await orStartupError(async () => {
    // loaded only when used: the add-on and users with their own broker never pay for aedes
    const { startEmbeddedBroker } = await import('../mqtt/broker.js');
    return startEmbeddedBroker({ host: '127.0.0.1', port: 1883, logger: d.log.child('broker') });
  });
  stops.push(['embedded broker', () => embedded.close()]);
  d.ownPorts.add(embedded.port);
  d.log.info(
    `embedded MQTT broker listening on ${embedded.host}:${embedded.port} (other clients on this machine may use it)`,
  );
  return embedded.url;
}

async function startClients(
  d: MqttFeatureDeps,
  login: { url: string; username?: string | undefined; password?: string | undefined },
  stops: Stops,
): Promise<{ bridge: HaBridge; agentHub: AgentHub }> {
  const { options: o, store, findings, coordinator, log } = d;
  const publisher = new MqttPublisher({
    url: login.url,
    ...(login.username ? { username: login.username } : {}),
    ...(login.password ? { password: login.password } : {}),
    statusTopic: `${o.base_topic}/status`,
    logger: log.child('mqtt'),
  });
  let agentHub: AgentHub | null = null;
  const bridge = new HaBridge({
    publisher,
    ctx: {
      discoveryPrefix: o.discovery_prefix,
      baseTopic: o.base_topic,
      swVersion: VERSION,
      ingressUrl: d.ingressUrl,
      coreVersion: d.coreVersion,
    },
    logger: log.child('ha'),
    listDevices: () => store.devices.all(),
    findingsFor: (mac: string) => findings.forDevice(mac).filter((f) => !f.resolvedAt),
    aliasesOf: (mac: string) => store.macs.of(mac).map((l) => l.mac),
    ipv6Of: (mac: string) => store.ipv6.of(mac).map((a) => a.address),
    hubStats: () => hubStats({ store, findings, coordinator, ...(d.health ? { health: d.health } : {}) }),
    onScanNow: () => coordinator.requestSweep('ha button'),
    // a device a satellite agent sees is deep-scanned by that agent (ARP and routes are its own)
    onRescan: (mac: string) =>
      agentHub?.deepScan(mac, 'ha button') || coordinator.requestDeviceScan(mac, 'ha button'),
    onWake: async (mac: string) => {
      const r = await d.commands.wake(mac, { actor: 'home assistant', actorKind: 'system' });
      if (r.ok) log.info(`wake pressed in Home Assistant: magic packet for ${mac} sent`, { sent: r.sent });
      else log.warn(`wake pressed in Home Assistant for ${mac}: ${r.message}`);
    },
    keepDiscoveryIds: () => o.agents.map(agentDeviceId),
    agentOf: (mac: string) => store.agents.agentOf(mac),
  });
  // stops run in reverse: bridge first, then the publisher (publishes offline), then the embedded broker
  stops.push(['mqtt publisher', () => publisher.close()]);
  stops.push(['ha bridge', () => bridge.stop()]);
  bridge.attach(d.bus);
  await bridge.start();
  const hub = new AgentHub({
    mqtt: publisher,
    store,
    bus: d.bus,
    clock: d.clock,
    logger: log.child('agents'),
    threats: d.threats,
    known: o.agents,
    ctx: { discoveryPrefix: o.discovery_prefix, baseTopic: o.base_topic, swVersion: VERSION },
    considerHome: o.consider_home,
    lookupVendor,
  });
  agentHub = hub;
  stops.push(['agents', () => hub.stop()]);
  await hub.start();
  publisher.start();
  return { bridge, agentHub: hub };
}
