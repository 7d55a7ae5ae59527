import { m001Core } from './001_core.js';
import { m002Threats } from './002_threats_alerts.js';
import { m003Api } from './003_api_keys_audit.js';
import { m004DeviceSort } from './004_device_sort.js';
import { m005PortFacts } from './005_port_facts.js';

/** Numbered migrations applied in order under PRAGMA user_version. Never edit a shipped one; add a new one. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [m001Core, m002Threats, m003Api, m004DeviceSort, m005PortFacts];
