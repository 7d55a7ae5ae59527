/**
 * Wires the MQTT publisher to the app (DESIGN §7): discovery + states on every connect, startup reconciliation of
 * our own stale retained configs, HA-birth state republish (random delay, coalesced), button commands, and the
 * lifecycle calls the event bus drives (device updated/removed/ignored, events, hub counters, scanning flag).
 */
import type { Change } from '../inventory/types.js';
import type { MessageHandler, PublishOptions, PublishOutcome } from '../mqtt/client.js';
import type { StoredFinding } from '../threats/types.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { type DiscoverableDevice, type DiscoveryCtx, deviceDiscovery, hubDiscovery } from './discovery.js';
import {
  type AlertEventInput,
  alertEventPayload,
  deviceState,
  eventPayload,
  type HubScanProgress,
  type HubStats,
  hubState,
} from './states.js';
import {
  alertTopic,
  type DeviceCommand,
  deviceCommandFilter,
  deviceDiscoveryTopic,
  deviceId,
  deviceStateTopic,
  discoveryFilter,
  discoveryIdOf,
  discoveryTopic,
  eventTopic,
  HUB_ID,
  haStatusTopic,
  hubStateTopic,
  ID_PREFIX,
  macOfDeviceCommandTopic,
  scanNowTopic,
  statusTopic,
} from './topics.js';

/** The part of MqttPublisher the bridge uses (a fake can stand in for unit tests). */
export interface BridgePublisher {
  readonly connected: boolean;
  publish(topic: string, payload: string, options?: PublishOptions): Promise<PublishOutcome>;
  subscribe(filter: string, handler: MessageHandler): Promise<() => Promise<void>>;
  onConnect(cb: () => void | Promise<void>): () => void;
}

export interface HaBridgeDeps {
  publisher: BridgePublisher;
  ctx: DiscoveryCtx;
  logger?: Logger;
  /** every device in the inventory (ignored ones included; the bridge filters them out) */
  listDevices(): DiscoverableDevice[];
  findingsFor(mac: string): StoredFinding[];
  hubStats(): Omit<HubStats, 'scanning' | 'scan'>;
  onScanNow(): void;
  onRescan(mac: string): void;
  /** the Wake button (Wake-on-LAN); absent: presses are logged and dropped */
  onWake?(mac: string): void | Promise<void>;
  /** other features' HA devices (satellite agents) whose retained configs are not stale */
  keepDiscoveryIds?: () => string[];
  /** further MACs of a device (rotated private addresses): its HA device's connections */
  aliasesOf?: (mac: string) => string[];
  /** the device's IPv6 addresses (NDP discovery): its state's `ipv6_addresses` attribute */
  ipv6Of?: (mac: string) => string[];
  /** the satellite agent that sees a device (null: the hub) */
  agentOf?: (mac: string) => string | null;
  /** overrides ctx.ingressUrl */
  ingressUrl?: string;
  /** [0,1) source for the birth delay; default Math.random */
  random?: () => number;
  /** how long to read back retained configs at start-up (ms), default 2500 */
  reconcileMs?: number;
  /** birth republish delay range in ms, default [1000, 5000] */
  birthDelayMs?: [number, number];
}

const RETAINED: PublishOptions = { retain: true, qos: 1 };
const PRESS = 'PRESS';

export class HaBridge {
  private readonly log: Logger;
  private readonly ctx: DiscoveryCtx;
  private scanning = false;
  private scan: HubScanProgress | null = null;
  private lastProgressAt = 0;
  private birthTimer: NodeJS.Timeout | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private reconciled = false;
  private reconcileDone: Promise<void>;
  private resolveReconciled: () => void = () => {};
  private readonly unsubs: Array<() => Promise<void> | void> = [];
  private stopped = false;
  /** number of birth-triggered state republishes (observability/tests) */
  birthRepublishes = 0;

  constructor(private readonly deps: HaBridgeDeps) {
    this.log = (deps.logger ?? silentLogger).child('ha');
    this.ctx = deps.ingressUrl ? { ...deps.ctx, ingressUrl: deps.ingressUrl } : deps.ctx;
    this.reconcileDone = new Promise((r) => {
      this.resolveReconciled = r;
    });
  }

  /** Subscribes to commands and HA birth, and publishes everything on each (re)connect. */
  async start(): Promise<void> {
    const p = this.deps.publisher;
    this.unsubs.push(
      await p.subscribe(haStatusTopic(this.ctx), (_t, payload) => this.onHaStatus(payload.toString())),
    );
    this.unsubs.push(
      await p.subscribe(scanNowTopic(this.ctx), (_t, payload, meta) => {
        if (meta.retain || payload.toString() !== PRESS) return;
        this.log.info('scan_now pressed in Home Assistant');
        this.deps.onScanNow();
      }),
    );
    await this.onDeviceButton('rescan', (mac) => this.deps.onRescan(mac));
    await this.onDeviceButton('wake', (mac) => {
      if (!this.deps.onWake) this.log.warn(`wake pressed for ${mac}, but Wake-on-LAN is not wired here`);
      else
        Promise.resolve(this.deps.onWake(mac)).catch((err: Error) =>
          this.log.error(`wake of ${mac} failed: ${err.message}`),
        );
    });
    this.unsubs.push(p.onConnect(() => this.onConnected()));
    if (p.connected) await this.onConnected();
  }

  /** A device button (`PRESS`, not retained) of a known, not ignored device calls `run`. */
  private async onDeviceButton(command: DeviceCommand, run: (mac: string) => void): Promise<void> {
    this.unsubs.push(
      await this.deps.publisher.subscribe(deviceCommandFilter(this.ctx, command), (topic, payload, meta) => {
        if (meta.retain || payload.toString() !== PRESS) return;
        const mac = macOfDeviceCommandTopic(this.ctx, topic, command);
        if (!mac) return;
        const dev = this.deps.listDevices().find((d) => d.mac === mac && !d.ignored);
        if (!dev) {
          this.log.warn(`${command} pressed for unknown or ignored device ${mac}`);
          return;
        }
        run(mac);
      }),
    );
  }

  /**
   * Subscribes to what Home Assistant must follow: devices updated/removed, every change (the network event
   * entity), the hub counters (scans, user commands on devices), the scanning flag and its progress. `stop()`
   * removes the subscriptions.
   */
  attach(bus: EventBus): void {
    this.unsubs.push(
      bus.on('device:updated', (d) => this.deviceUpdated(d)),
      bus.on('device:removed', ({ mac }) => this.deviceRemoved(mac)),
      bus.on('change', (c) => this.publishEvent(c)),
      bus.on('scan:finished', () => this.hubChanged()),
      bus.on('scan:failed', () => this.hubChanged()),
      bus.on('inventory:changed', () => this.hubChanged()),
      bus.on('health:changed', () => this.hubChanged()),
      bus.on('scanning', ({ running }) => this.setScanning(running)),
      bus.on('scan:progress', (p) =>
        this.setScanProgress({
          kind: p.kind,
          percent: p.percent,
          hostsDone: p.hostsDone,
          hostsTotal: p.hostsTotal,
          etaSeconds: p.etaSeconds,
        }),
      ),
    );
  }

  /** Resolves when start-up reconciliation finished (tests, start-up logs). */
  whenReconciled(): Promise<void> {
    return this.reconcileDone;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.birthTimer) clearTimeout(this.birthTimer);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.birthTimer = null;
    for (const u of this.unsubs.splice(0)) await u();
    this.resolveReconciled();
  }

  private async onConnected(): Promise<void> {
    if (this.stopped) return;
    const first = !this.reconciled;
    this.reconciled = true;
    if (first) {
      this.startReconcile().catch((err: Error) => {
        this.log.error(`start-up reconciliation failed: ${err.message}`);
        this.resolveReconciled();
      });
    }
    await this.publishAll();
  }

  /** Hub + every non-ignored device: discovery (deduped) and state. */
  async publishAll(): Promise<void> {
    const sends: Array<Promise<PublishOutcome>> = [];
    const hub = hubDiscovery(this.ctx);
    sends.push(this.pub(hub.topic, JSON.stringify(hub.payload)));
    sends.push(this.publishHubState());
    for (const d of this.deps.listDevices()) {
      if (d.ignored) continue;
      sends.push(...this.publishDevice(d));
    }
    await Promise.all(sends);
  }

  private pub(topic: string, payload: string, force = false): Promise<PublishOutcome> {
    return this.deps.publisher.publish(topic, payload, force ? { ...RETAINED, force } : RETAINED);
  }

  private publishDevice(d: DiscoverableDevice, forceState = false): Array<Promise<PublishOutcome>> {
    try {
      const agent = this.deps.agentOf?.(d.mac) ?? null;
      const disc = deviceDiscovery({ ...d, agent, aliases: this.deps.aliasesOf?.(d.mac) ?? [] }, this.ctx);
      const state = deviceState(d, this.deps.findingsFor(d.mac), agent, this.deps.ipv6Of?.(d.mac) ?? []);
      return [
        this.pub(disc.topic, JSON.stringify(disc.payload)),
        this.pub(deviceStateTopic(this.ctx, d.mac), JSON.stringify(state), forceState),
      ];
    } catch (err) {
      this.log.error(`cannot publish device ${d.mac}: ${(err as Error).message}`);
      return [];
    }
  }

  private publishHubState(force = false): Promise<PublishOutcome> {
    const s = hubState({ ...this.deps.hubStats(), scanning: this.scanning, scan: this.scan });
    return this.pub(hubStateTopic(this.ctx), JSON.stringify(s), force);
  }

  /** Reads back retained device configs for a few seconds; clears ours (`lan_sentinel_*`) that are not wanted. */
  private async startReconcile(): Promise<void> {
    const seenConfigs = new Set<string>();
    const seenStates = new Set<string>();
    const stateHead = `${this.ctx.baseTopic}/device/`;
    const onConfig: MessageHandler = (topic, payload, meta) => {
      if (!meta.retain || payload.length === 0) return;
      const id = discoveryIdOf(this.ctx, topic);
      if (id?.startsWith(ID_PREFIX)) seenConfigs.add(id);
    };
    const onState: MessageHandler = (topic, payload, meta) => {
      if (!meta.retain || payload.length === 0) return;
      const m = topic.slice(stateHead.length, -'/state'.length);
      if (/^[0-9a-f]{12}$/.test(m)) seenStates.add(m);
    };
    const p = this.deps.publisher;
    const un1 = await p.subscribe(discoveryFilter(this.ctx), onConfig);
    const un2 = await p.subscribe(`${stateHead}+/state`, onState);
    await new Promise<void>((r) => {
      this.reconcileTimer = setTimeout(r, this.deps.reconcileMs ?? 2500);
    });
    await un1();
    await un2();
    if (this.stopped) return;
    const wanted = new Set<string>([HUB_ID, ...(this.deps.keepDiscoveryIds?.() ?? [])]);
    for (const d of this.deps.listDevices()) if (!d.ignored) wanted.add(deviceId(d.mac));
    const clears: Array<Promise<PublishOutcome>> = [];
    for (const id of seenConfigs) {
      if (wanted.has(id)) continue;
      clears.push(this.pub(discoveryTopic(this.ctx, id), ''));
    }
    for (const m of seenStates) {
      if (wanted.has(`${ID_PREFIX}${m}`)) continue;
      clears.push(this.pub(`${stateHead}${m}/state`, ''));
    }
    if (clears.length > 0)
      this.log.info(`cleared ${clears.length} stale retained topics from an earlier run`);
    await Promise.all(clears);
    this.resolveReconciled();
  }

  private onHaStatus(payload: string): void {
    if (payload !== 'online' || this.birthTimer || this.stopped) return;
    const [lo, hi] = this.deps.birthDelayMs ?? [1000, 5000];
    const delay = lo + Math.floor((this.deps.random ?? Math.random)() * (hi - lo));
    this.log.debug(`Home Assistant came online; republishing states in ${delay} ms`);
    this.birthTimer = setTimeout(() => {
      this.birthTimer = null;
      void this.republishStates();
    }, delay);
  }

  /** States only (discovery is retained): availability, hub state, every device state. */
  async republishStates(): Promise<void> {
    if (this.stopped) return;
    this.birthRepublishes++;
    const sends: Array<Promise<PublishOutcome>> = [];
    sends.push(this.pub(statusTopic(this.ctx), 'online', true));
    sends.push(this.publishHubState(true));
    for (const d of this.deps.listDevices()) {
      if (d.ignored) continue;
      try {
        const state = deviceState(d, this.deps.findingsFor(d.mac), this.deps.agentOf?.(d.mac));
        sends.push(this.pub(deviceStateTopic(this.ctx, d.mac), JSON.stringify(state), true));
      } catch (err) {
        this.log.error(`cannot publish state of ${d.mac}: ${(err as Error).message}`);
      }
    }
    await Promise.all(sends);
  }

  /** A device changed (sweep, rename, acknowledge, ignore…). Ignored devices lose their entities. */
  async deviceUpdated(device: DiscoverableDevice): Promise<void> {
    if (device.ignored) {
      await this.clearDevice(device.mac);
      return;
    }
    await Promise.all(this.publishDevice(device));
  }

  /** The device was forgotten: clear its discovery config and its state (empty retained payloads). */
  async deviceRemoved(mac: string): Promise<void> {
    await this.clearDevice(mac);
  }

  private async clearDevice(mac: string): Promise<void> {
    await Promise.all([
      this.pub(deviceDiscoveryTopic(this.ctx, mac), ''),
      this.pub(deviceStateTopic(this.ctx, mac), ''),
    ]);
  }

  /** One change → `lan_sentinel/event` (not retained). */
  async publishEvent(change: Change): Promise<void> {
    await this.deps.publisher.publish(eventTopic(this.ctx), JSON.stringify(eventPayload(change)), {
      retain: false,
      qos: 1,
    });
  }

  /** An alert rule with the `mqtt_event` channel fired → `lan_sentinel/alert` (not retained: an event). */
  async publishAlert(alert: AlertEventInput): Promise<void> {
    await this.deps.publisher.publish(alertTopic(this.ctx), JSON.stringify(alertEventPayload(alert)), {
      retain: false,
      qos: 1,
    });
  }

  /** Hub counters changed (after a sweep, acknowledge, finding…). */
  async hubChanged(): Promise<void> {
    await this.publishHubState();
  }

  async setScanning(scanning: boolean): Promise<void> {
    this.scanning = scanning;
    if (!scanning) this.scan = null;
    await this.publishHubState();
  }

  /**
   * Progress of the running scan for the hub state (and so the `scanning` sensor's attributes): at most one
   * publish per `minIntervalMs` (MQTT is not a progress stream), always the first and the last one.
   */
  async setScanProgress(p: HubScanProgress, minIntervalMs = 2000): Promise<void> {
    this.scan = p;
    const now = Date.now();
    if (p.percent < 100 && now - this.lastProgressAt < minIntervalMs) return;
    this.lastProgressAt = now;
    await this.publishHubState();
  }
}
