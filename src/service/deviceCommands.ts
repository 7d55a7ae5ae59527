/**
 * The running service's device commands (rename, trust, ignore, forget, wake …), one instance shared by the
 * API, the MQTT buttons, the phone notification's actions and the CLI. Wake-on-LAN aims at the swept subnet that
 * holds the device's address; a device only a satellite agent sees is woken by that agent, on its own LAN.
 */
import type { AgentHub } from '../hub/agents.js';
import { DeviceCommands } from '../inventory/commands.js';
import type { AuditRepo } from '../store/auditRepo.js';
import { udpWakeSender } from '../wol/sender.js';
import type { ServiceCore } from './core.js';

export function serviceDeviceCommands(
  core: ServiceCore,
  audit: AuditRepo,
  subnets: () => string[],
  /** the agent hub once MQTT is up (null without satellites or before it started) */
  agentHub: () => AgentHub | null,
): DeviceCommands {
  const port = core.options.wol_port;
  return new DeviceCommands({
    store: core.store,
    bus: core.bus,
    audit,
    wake: {
      sender: udpWakeSender(),
      subnets,
      port,
      viaAgent: (mac, reason) => agentHub()?.wake(mac, port, reason) ?? null,
    },
  });
}
