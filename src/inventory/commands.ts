/**
 * The user's commands on devices — rename, trust (mark known), acknowledge, watch, ignore, notes, kind, forget —
 * in one place for the API, the phone notification's Trust button, the MQTT bridge and the CLI. Each command
 * writes through the store and emits the events that keep the HA hub, device entities and SSE current:
 * `device:updated` / `device:removed` for the device and `inventory:changed` for the hub counters
 * (`devices_new`, `devices_known`) that no sweep has to refresh.
 */

import type { DevicePatch } from '../store/devicesRepo.js';
import type { Store } from '../store/store.js';
import type { EventBus } from '../util/events.js';
import type { Device } from './types.js';

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
    private readonly deps: { store: Pick<Store, 'devices'> & Partial<Pick<Store, 'install'>>; bus: EventBus },
  ) {}

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

  rename(mac: string, name: string | null): Device | null {
    return this.edit(mac, { name });
  }

  /** Mark known (trusted); acknowledges the device (no longer new). */
  trust(mac: string): Device | null {
    return this.edit(mac, { known: true });
  }

  /** Acknowledge a new device without trusting it. */
  acknowledge(mac: string): Device | null {
    const before = this.deps.store.devices.get(mac);
    if (!before) return null;
    const after = this.deps.store.devices.update(mac, { isNew: false });
    if (!after) return null;
    this.deps.bus.emit('device:updated', after);
    if (before.isNew) this.deps.bus.emit('inventory:changed', { reason: 'device acknowledged' });
    return after;
  }

  ignore(mac: string, ignored = true): Device | null {
    return this.edit(mac, { ignored });
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
