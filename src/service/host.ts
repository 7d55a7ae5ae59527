/**
 * What the service reads from the machine it runs on: privilege, network interfaces, the default gateway and
 * reverse DNS. `systemHost()` is the real machine; the test harness (`startTestService()`) passes its own, so
 * a running service is tested without root and without touching the machine's network.
 */
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { isPrivileged } from '../scan/nmapRunner.js';
import { readDefaultGateway } from './gateway.js';

export interface HostAdapters {
  /** root (ARP, SYN scans, passive listening) */
  privileged: boolean;
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  gatewayIp: () => string | null;
  /** reverse DNS of one address; default node:dns */
  resolver?: (ip: string) => Promise<string[]>;
}

export function systemHost(env: NodeJS.ProcessEnv = process.env): HostAdapters {
  return {
    privileged: isPrivileged(env),
    interfaces: () => networkInterfaces(),
    gatewayIp: () => readDefaultGateway(),
  };
}
