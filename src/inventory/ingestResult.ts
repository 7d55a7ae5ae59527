/** What an ingest (sweep, port scan, passive sighting, NDP pass) hands on to the publishers. */
import type { StoredChange } from '../store/changesRepo.js';
import type { IpUpgrade } from './ipUpgrade.js';
import type { Device } from './types.js';

export interface IngestResult {
  /** Stored changes (with ids and scanId), in order. */
  changes: StoredChange[];
  /** Devices that are new or changed, as stored. */
  devices: Device[];
  /** Up-hosts that could not be attributed to a device (no MAC and no unique IP match). */
  skipped: Array<{ ip: string; reason: string }>;
  /** set when this sweep took the install baseline: the MACs found at install */
  baseline?: string[];
  /** a passive sighting linked a rotated private MAC to this existing device (no new device) */
  linked?: { mac: string; device: string };
  /** devices identified by IP that became (or joined) a MAC's device: their HA entities go (DESIGN §15) */
  upgraded?: IpUpgrade[];
}
