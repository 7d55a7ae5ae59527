/**
 * IPv6 via NDP on the simulated LAN (DESIGN §15): a dual-stack host (IPv4 + a ULA address) and an IPv6-only
 * host (no IPv4 at all: no sweep or ARP can see it) beside ordinary IPv4 hosts, each with its kernel link-local
 * address. The real service in the scanner namespace pings ff02::1 after each sweep and reads the neighbour
 * table: the dual-stack device gains its addresses, the IPv6-only host becomes a device by its MAC (joining
 * the install baseline when it was there from the start, a `new_device` when it comes later), and the
 * addresses reach the API, the HA state attributes (`ipv6_addresses`) through a real mosquitto.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { addIpv6Host, enableIpv6, eui64LinkLocal, type Ipv6Host, type Ipv6Lan } from '../lan/ipv6.js';
import { type ScannerMosquitto, startScannerMosquitto } from '../lan/mosquitto.js';
import { describeLan, mosquittoAvailable, ndpToolsAvailable } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

interface DeviceJson {
  mac: string;
  ip: string | null;
  ipv6_addresses: string[];
  presence: string;
  is_new: boolean;
}
const mac12 = (m: string) => m.replace(/:/g, '');

describeLan('IPv6 neighbour discovery on the simulated LAN', () => {
  let lan: SimLan;
  let v6: Ipv6Lan;
  let dual: Ipv6Host;
  let only: Ipv6Host;
  let broker: ScannerMosquitto;
  let sub: MqttClient;
  let svc: ServiceProcess;
  const retained = new Map<string, string>();

  const device = async (mac: string) => {
    const r = await svc.api<DeviceJson>(`api/devices/${mac}`);
    return r.status === 200 ? r.body : null;
  };
  const stateOf = (mac: string) =>
    JSON.parse(retained.get(`lan_sentinel/device/${mac12(mac)}/state`) ?? '{}') as {
      ipv6_addresses?: string[];
      ip?: string | null;
    };

  beforeAll(async () => {
    lan = await SimLan.create({
      hosts: [
        { name: 'router', mac: '78:8a:20:10:00:01', ip: 1 },
        { name: 'pi', mac: 'b8:27:eb:12:34:56', ip: 10 },
      ],
    });
    v6 = await enableIpv6(lan);
    dual = await addIpv6Host(lan, v6, { name: 'nas6', mac: '00:11:32:aa:bb:cc', ip: 30, ula: [0x30] });
    only = await addIpv6Host(lan, v6, { name: 'v6only', mac: '3c:22:fb:00:06:06', ip: null, ula: [0x66] });
    broker = await startScannerMosquitto(lan);
    sub = mqtt.connect(broker.hostUrl, { reconnectPeriod: 200 });
    sub.on('message', (topic, payload) => {
      if (!topic.endsWith('/state')) return;
      if (payload.length === 0) retained.delete(topic);
      else retained.set(topic, payload.toString());
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync('lan_sentinel/device/+/state', { qos: 1 });
    svc = await ServiceProcess.start(lan, {
      flags: serviceFlags({
        sweepInterval: 15,
        considerHome: 600,
        scanNewDevices: false,
        mqttUrl: broker.url,
      }),
    });
  }, 90_000);

  afterAll(async () => {
    const ndpLines = (svc?.log ?? '').split('\n').filter((l) => /ndp|IPv6/i.test(l));
    console.log(`[ipv6] service NDP log lines:\n${ndpLines.slice(-15).join('\n')}`);
    await sub?.endAsync();
    svc?.cleanup();
    await broker?.stop();
    await lan?.destroy();
  }, 60_000);

  it('the dual-stack host gains its ULA and link-local addresses; the IPv6-only host becomes a device by its MAC', async () => {
    expect(dual.ipv6).toEqual([v6.addr(0x30), eui64LinkLocal(dual.mac)]);
    const d = await eventually(
      async () => {
        const x = await device(dual.mac);
        return x && dual.ipv6.every((a) => x.ipv6_addresses.includes(a)) ? x : null;
      },
      60_000,
      `${dual.mac} with ${dual.ipv6.join(', ')}`,
    );
    expect(d.ip).toBe(lan.ip(30));
    // ordered global → unique-local → link-local, nothing that is not the host's
    expect(d.ipv6_addresses).toEqual(dual.ipv6);

    const o = await eventually(async () => device(only.mac), 30_000, `the IPv6-only host ${only.mac}`);
    expect(o.ip).toBeNull();
    expect(o.presence).toBe('home');
    expect([...o.ipv6_addresses].sort()).toEqual([...only.ipv6].sort());
    // it was there at install: part of the baseline, no "new device" alarm
    expect(o.is_new).toBe(false);
    // a plain IPv4 host has its kernel link-local address (no ULA configured on it)
    const pi = await eventually(
      async () => {
        const x = await device('b8:27:eb:12:34:56');
        return x && x.ipv6_addresses.length > 0 ? x : null;
      },
      30_000,
      'the pi with its link-local address',
    );
    expect(pi.ipv6_addresses).toEqual([eui64LinkLocal('b8:27:eb:12:34:56')]);
    // the scanner's own addresses never become a device
    const all = (await svc.api<{ items: DeviceJson[] }>('api/devices?limit=100')).body.items;
    expect(all.map((x) => x.mac).sort()).toEqual(
      ['00:11:32:aa:bb:cc', '3c:22:fb:00:06:06', '78:8a:20:10:00:01', 'b8:27:eb:12:34:56'].sort(),
    );
    expect(all.flatMap((x) => x.ipv6_addresses)).not.toContain(v6.scannerIp6);
    const found = all.filter((x) => x.ipv6_addresses.length > 0);
    console.log(
      `[ipv6] IPv6 addresses found: ${found.reduce((n, x) => n + x.ipv6_addresses.length, 0)} on ${found.length} devices (${found.map((x) => `${x.mac}: ${x.ipv6_addresses.join(' ')}`).join('; ')})`,
    );
  }, 120_000);

  it('the addresses are HA state attributes (ipv6_addresses) of both devices', async () => {
    await eventually(
      async () => (stateOf(only.mac).ipv6_addresses?.length ?? 0) === 2,
      20_000,
      'the IPv6-only device state with its addresses',
    );
    expect([...(stateOf(only.mac).ipv6_addresses ?? [])].sort()).toEqual([...only.ipv6].sort());
    expect(stateOf(only.mac).ip).toBeNull();
    await eventually(
      async () => (stateOf(dual.mac).ipv6_addresses ?? []).join() === dual.ipv6.join(),
      20_000,
      'the dual-stack device state with its addresses',
    );
  }, 60_000);

  it('an IPv6-only host that joins later is a new device (new_device change) within two passes', async () => {
    const late = await addIpv6Host(lan, v6, {
      name: 'v6late',
      mac: 'f0:18:98:00:06:07',
      ip: null,
      ula: [0x67],
    });
    const t0 = performance.now();
    const d = await eventually(async () => device(late.mac), 60_000, 'the late IPv6-only host', 250);
    const s = (performance.now() - t0) / 1000;
    expect(d.ip).toBeNull();
    expect(d.is_new).toBe(true);
    const changes = (
      await svc.api<{ items: Array<{ mac: string; message: string }> }>(
        `api/changes?type=new_device&mac=${late.mac}&limit=10`,
      )
    ).body.items;
    expect(changes).toHaveLength(1);
    await svc.waitForLog(/IPv6 only: answered the all-nodes ping/, 5_000);
    console.log(`[ipv6] late IPv6-only host found after ${s.toFixed(1)} s (sweep interval 15 s, 2 passes)`);
  }, 90_000);
}, [mosquittoAvailable(), ndpToolsAvailable()]);
