/**
 * Which broker to use (DESIGN §11/§12, issue 3 item 8): `mqtt_url: none` → no MQTT; `mqtt_url` set → it (with
 * mqtt_username/mqtt_password); add-on mode → the Supervisor's MQTT service (`mqtts://` when ssl); standalone → the
 * embedded broker. The Supervisor HTTP call lives in src/config/supervisor.ts; this module only takes its result.
 */
import type { Options } from '../config/options.js';

export interface SupervisorMqttService {
  host: string;
  port: number | string;
  ssl?: boolean;
  username?: string;
  password?: string;
  protocol?: string;
}

export type BrokerChoice =
  | { kind: 'url'; url: string; username?: string; password?: string; source: 'options' | 'supervisor' }
  | { kind: 'embedded' }
  | { kind: 'none'; reason: string };

export interface ResolveBrokerInput {
  options: Pick<Options, 'mqtt_url' | 'mqtt_username' | 'mqtt_password'>;
  /** add-on mode: fetches `GET http://supervisor/services/mqtt` (null when the service is not available) */
  supervisorMqtt?: () => Promise<SupervisorMqttService | null>;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function resolveBroker(input: ResolveBrokerInput): Promise<BrokerChoice> {
  const o = input.options;
  const url = nonEmpty(o.mqtt_url);
  if (url === 'none') return { kind: 'none', reason: 'mqtt_url is "none"' };
  const username = nonEmpty(o.mqtt_username);
  const password = nonEmpty(o.mqtt_password);
  if (url) {
    return withCreds({ kind: 'url', url, source: 'options' }, username, password);
  }
  if (input.supervisorMqtt) {
    const svc = await input.supervisorMqtt();
    if (!svc) {
      return {
        kind: 'none',
        reason: 'no MQTT service in Home Assistant (install the Mosquitto broker add-on, or set mqtt_url)',
      };
    }
    const port = typeof svc.port === 'string' ? Number.parseInt(svc.port, 10) : svc.port;
    if (!svc.host || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(
        `mqtt: the Supervisor's MQTT service returned an unusable address (host "${String(svc.host).slice(0, 64)}", port "${String(svc.port).slice(0, 16)}")`,
      );
    }
    const scheme = svc.ssl === true ? 'mqtts' : 'mqtt';
    // user-supplied credentials win over the service's (z2m's rule)
    return withCreds(
      { kind: 'url', url: `${scheme}://${hostForUrl(svc.host)}:${port}`, source: 'supervisor' },
      username ?? nonEmpty(svc.username),
      password ?? nonEmpty(svc.password),
    );
  }
  return { kind: 'embedded' };
}

function withCreds(
  c: { kind: 'url'; url: string; source: 'options' | 'supervisor' },
  username: string | undefined,
  password: string | undefined,
): BrokerChoice {
  const out: BrokerChoice = { ...c };
  if (username !== undefined) out.username = username;
  if (password !== undefined) out.password = password;
  return out;
}
