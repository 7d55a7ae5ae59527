/** What `api/settings` shows of the running configuration (no secrets: no passwords, tokens or URLs with credentials). */
import { VERSION } from '../version.js';
import type { LoadedConfig } from './load.js';

export function settingsSummary(
  cfg: LoadedConfig,
  targets: string[],
  broker: string,
): Record<string, unknown> {
  const o = cfg.options;
  return {
    mode: cfg.addon ? 'addon' : 'standalone',
    targets,
    exclude: o.exclude,
    sweep_interval: o.sweep_interval,
    consider_home: o.consider_home,
    port_scan_schedule: o.port_scan_schedule || 'off',
    port_profile: o.port_profile,
    ports: o.ports,
    mqtt: broker,
    discovery_prefix: o.discovery_prefix,
    base_topic: o.base_topic,
    notify_services: o.notify_services,
    notify_on: o.notify_on,
    install_card: o.install_card,
    retention_days: o.retention_days,
    passive: o.passive,
    version: VERSION,
  };
}
