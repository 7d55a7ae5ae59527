/**
 * The user's commands on devices — rename, trust (mark known, which is the acknowledgement: the device is no
 * longer new), watch, ignore, notes, kind, forget, wake — in one place for the API, the phone notification's
 * Trust button, the MQTT bridge and the CLI. Each command writes through the store and emits the events that keep the HA hub, device entities and SSE current:
 * `device:updated` / `device:removed` for the device and `inventory:changed` for the hub counters
 * (`devices_new`, `devices_known`) that no sweep has to refresh. Wake changes no device state (no event); it
 * sends a magic packet and writes the audit entry `device.wake` itself, whoever pressed (API, HA, CLI).
 */

import type { AuditInput } from '../store/auditRepo.js';
import type { DevicePatch } from '../store/devicesRepo.js';
import type { Store } from '../store/store.js';
import type { EventBus } from '../util/events.js';
import { magicPacket, packetHex, parseWakeMac } from '../wol/magicPacket.js';
import type { WakeSender, WakeSendResult } from '../wol/sender.js';
import { wakeTargets } from '../wol/targets.js';
import { isIpKey } from './deviceKey.js';
import type { Device } from './types.js';

/** What Wake-on-LAN needs: the UDP sender, the watched subnets (for the broadcast address), the port. */
export interface WakeDeps {
  sender: WakeSender;
  subnets(): string[];
  /** UDP port of the magic packet (option wol_port: 7 or 9) */
  port: number;
  /**
   * A device a satellite agent sees (its own VLAN: a magic packet from here would not cross the router) is woken by
   * that agent, over the agent protocol (DESIGN §16): returns the agent asked, or null when no agent owns the device.
   */
  viaAgent?: (mac: string, reason: string) => { agent: string; subnet: string | null } | null;
}

/** Who asked (the audit entry's actor). */
export type WakeActor = Pick<AuditInput, 'actor' | 'actorKind'> & { ip?: string | null };

export type WakeOutcome =
  | {
      ok: true;
      mac: string;
      ip: string;
      /** the subnet whose broadcast address the packet goes to (null: the agent's, not reported yet) */
      subnet: string | null;
      packet: string;
      /** what this instance sent; empty when an agent sends it */
      sent: WakeSendResult[];
      /** the satellite agent that sends the packet on its LAN */
      agent?: string;
    }
  | {
      ok: false;
      reason:
        | 'invalid_mac'
        | 'no_mac'
        | 'not_found'
        | 'unavailable'
        | 'no_ipv4'
        | 'no_subnet'
        | 'send_failed';
      message: string;
      sent?: WakeSendResult[];
    };

/** What a user may change on a device (the API's PATCH body, typed and validated at the edge). */
export interface DeviceEdit {
  /** '' or null clears the name */
  name?: string | null;
  /** marking a device known acknowledges it: it is no longer "new" */
  known?: boolean;
  watched?: boolean;
  ignored?: boolean;
  notes?: string | null;
  considerHome?: number | null;
  kindOverride?: Device['kindOverride'];
}

export class DeviceCommands {
  constructor(
    private readonly deps: {
      store: Pick<Store, 'devices'> & Partial<Pick<Store, 'install'>>;
      bus: EventBus;
      /** absent: wake answers `unavailable` */
      wake?: WakeDeps;
      /** where `device.wake` is recorded */
      audit?: { append(entry: AuditInput): unknown };
    },
  ) {}

  /**
   * Sends a magic packet to the device's subnet broadcast and 255.255.255.255. Succeeds when at least one
   * target took it; every attempt on a known device is audited (`device.wake`) with what was sent where.
   */
  async wake(input: string, by: WakeActor = { actor: 'system', actorKind: 'system' }): Promise<WakeOutcome> {
    if (isIpKey(input))
      return this.deps.store.devices.get(input)
        ? {
            ok: false,
            reason: 'no_mac',
            message: `${input} is identified by IP (a routed host whose MAC is unknown): a magic packet needs the MAC`,
          }
        : { ok: false, reason: 'not_found', message: `device ${input} not found` };
    const parsed = parseWakeMac(input);
    if (!parsed.ok) return { ok: false, reason: 'invalid_mac', message: parsed.message };
    const device = this.deps.store.devices.get(parsed.mac);
    if (!device) return { ok: false, reason: 'not_found', message: `device ${parsed.mac} not found` };
    const outcome = await this.sendWake(device, parsed.bytes);
    this.deps.audit?.append({
      actor: by.actor,
      actorKind: by.actorKind,
      action: 'device.wake',
      target: device.mac,
      ip: by.ip ?? null,
      detail: outcome.ok
        ? {
            ok: true,
            port: this.deps.wake?.port,
            sent: outcome.sent,
            ...(outcome.agent ? { agent: outcome.agent } : {}),
          }
        : { ok: false, reason: outcome.reason, message: outcome.message, sent: outcome.sent ?? [] },
    });
    return outcome;
  }

  private async sendWake(device: Device, mac: Uint8Array): Promise<WakeOutcome> {
    const wake = this.deps.wake;
    if (!wake)
      return { ok: false, reason: 'unavailable', message: 'Wake-on-LAN is not available in this instance' };
    const packet = magicPacket(mac);
    if (device.ip) {
      const relay = wake.viaAgent?.(device.mac, 'wake');
      if (relay)
        return {
          ok: true,
          mac: device.mac,
          ip: device.ip,
          subnet: relay.subnet,
          packet: packetHex(packet),
          sent: [],
          agent: relay.agent,
        };
    }
    const aim = wakeTargets(device.ip, wake.subnets(), wake.port);
    if (!aim.ok) return aim;
    const sent = await wake.sender.send(packet, aim.targets);
    if (!sent.some((s) => s.ok))
      return {
        ok: false,
        reason: 'send_failed',
        message: `the magic packet could not be sent: ${sent.map((s) => `${s.address}:${s.port} ${s.error ?? 'failed'}`).join(', ')}`,
        sent,
      };
    return { ok: true, mac: device.mac, ip: device.ip!, subnet: aim.subnet, packet: packetHex(packet), sent };
  }

  /** Applies an edit; null when the device is not in the inventory. */
  edit(mac: string, edit: DeviceEdit): Device | null {
    const before = this.deps.store.devices.get(mac);
    if (!before) return null;
    const patch: DevicePatch = {};
    if (edit.name !== undefined) patch.name = edit.name === '' ? null : edit.name;
    if (edit.known !== undefined) {
      patch.known = edit.known;
      if (edit.known) patch.isNew = false;
    }
    if (edit.watched !== undefined) patch.watched = edit.watched;
    if (edit.ignored !== undefined) patch.ignored = edit.ignored;
    if (edit.notes !== undefined) patch.notes = edit.notes === '' ? null : edit.notes;
    if (edit.considerHome !== undefined) patch.considerHome = edit.considerHome;
    if (edit.kindOverride !== undefined) patch.kindOverride = edit.kindOverride;
    const after = this.deps.store.devices.update(mac, patch);
    if (!after) return null;
    this.deps.bus.emit('device:updated', after);
    if (after.ignored && !before.ignored)
      this.deps.bus.emit('device:removed', { mac: after.mac, reason: 'ignored' });
    if (countsDiffer(before, after)) this.deps.bus.emit('inventory:changed', { reason: 'device edited' });
    return after;
  }

  /** Mark known (trusted); acknowledges the device (no longer new). */
  trust(mac: string): Device | null {
    return this.edit(mac, { known: true });
  }

  /** Forget a device: its history and HA entities go (the change log stays). False when unknown. */
  forget(mac: string): boolean {
    if (!this.deps.store.devices.forget(mac)) return false;
    this.deps.bus.emit('device:removed', { mac, reason: 'forgotten' });
    this.deps.bus.emit('inventory:changed', { reason: 'device forgotten' });
    return true;
  }

  /** Trust every device found at install that is not known yet; the MACs trusted (null: no install record). */
  trustInstall(): string[] | null {
    if (!this.deps.store.install) return null;
    const macs = this.deps.store.install.untrustedBaseline();
    const done: string[] = [];
    for (const mac of macs) {
      const after = this.deps.store.devices.update(mac, { known: true, isNew: false });
      if (after) {
        this.deps.bus.emit('device:updated', after);
        done.push(mac);
      }
    }
    if (done.length) this.deps.bus.emit('inventory:changed', { reason: 'install baseline trusted' });
    return macs;
  }
}

/** The hub counters depend on these flags (new, ignored, known). */
function countsDiffer(a: Device, b: Device): boolean {
  return a.isNew !== b.isNew || a.ignored !== b.ignored || a.known !== b.known;
}
