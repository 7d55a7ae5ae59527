/**
 * Passive listening on the simulated LAN with real peers: Debian's dnsmasq serves DHCP on the router, new
 * hosts join with busybox udhcpc (real DISCOVER/REQUEST from their own MAC), an mDNS responder announces a
 * name and a service, hosts talk (ARP). The real service runs in the scanner namespace with a sweep interval
 * far longer than the test, so every arrival it reports came from listening, not from a sweep.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, ServiceProcess } from '../helpers/serviceProcess.js';
import { BUSYBOX, type Dnsmasq, dhcpJoin, mdnsAnnounce, startDnsmasq } from '../lan/peers.js';
import { describeLan, passivePeersAvailable } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

interface DeviceJson {
  mac: string;
  ip: string | null;
  hostname: string | null;
  presence: string;
  online: boolean;
  randomized: boolean;
}
interface IdentityJson {
  dhcp: {
    hostname: string | null;
    client_id: string | null;
    parameter_request_list: number[];
    vendor_class: string | null;
    fingerprint: string | null;
  } | null;
  mdns: { hosts: string[]; services: string[]; instances: string[] };
  heard_via: string | null;
}

const JOINS = 10;

describeLan('passive listening (DHCP, mDNS, ARP) on the simulated LAN', () => {
  let lan: SimLan;
  let dnsmasq: Dnsmasq;
  let svc: ServiceProcess;
  const latencies: number[] = [];

  const device = async (mac: string) => {
    const r = await svc.api<DeviceJson>(`api/devices/${mac}`);
    return r.status === 200 ? r.body : null;
  };
  const identity = async (mac: string) => (await svc.api<IdentityJson>(`api/devices/${mac}/identity`)).body;

  beforeAll(async () => {
    lan = await SimLan.create({
      hosts: [
        { name: 'router', mac: '78:8a:20:10:00:01', ip: 1 },
        { name: 'pi', mac: 'b8:27:eb:12:34:56', ip: 10 },
        { name: 'tv', mac: 'f4:f5:d8:54:32:10', ip: 80 },
      ],
    });
    dnsmasq = await startDnsmasq(lan, 'router');
    svc = await ServiceProcess.start(lan, {
      flags: [
        '--sweep-interval',
        '3600',
        '--port-scan-schedule',
        'off',
        '--no-scan-new-devices',
        '--mqtt-url',
        'none',
      ],
    });
    // the first sweep takes the install baseline; passive sightings wait for it
    await eventually(async () => (await device('b8:27:eb:12:34:56')) !== null, 60_000, 'the baseline sweep');
    await svc.waitForLog(/passive listening on eth0: dhcp, mdns, arp/, 10_000);
  }, 120_000);

  afterAll(async () => {
    svc?.cleanup();
    await dnsmasq?.stop();
    await lan?.destroy();
  }, 60_000);

  it(`${JOINS} phones joining with real DHCP appear at once, named by option 12, with their fingerprint`, async () => {
    for (let i = 0; i < JOINS; i++) {
      const mac = `da:a1:19:00:00:${(0x10 + i).toString(16)}`;
      const name = `phone-${i}`;
      await lan.addHost({ name, mac, ip: 120 + i });
      const t0 = performance.now();
      const join = dhcpJoin(lan, name, {
        hostname: `Annas-Phone-${i}`,
        clientId: `ff00000019000100012c${(0x10 + i).toString(16)}`,
        vendorClass: 'android-dhcp-14',
      });
      const d = await eventually(async () => device(mac), 15_000, `${mac} to appear`, 50);
      const seenAt = performance.now();
      const res = await join;
      // from the client's first DISCOVER on the wire (its process start-up is not arrival) to the API
      latencies.push(seenAt - (res.discoverAt ?? t0));
      expect(res.code, `${res.out}\n--- dnsmasq:\n${dnsmasq.log()}`).toBe(0); // dnsmasq leased: the exchange was real
      expect(res.leased).toMatch(/\.1\d\d$/);
      // the address the client requested in its REQUEST is the device's IP (no sweep ran)
      await eventually(
        async () => (await device(mac))?.ip === res.leased,
        5_000,
        `${mac} at ${res.leased}`,
        50,
      );
      expect(d.hostname).toBe(`Annas-Phone-${i}`);
      expect(d.presence).toBe('home');
      expect(d.randomized).toBe(true);
      const id = await identity(mac);
      expect(id.heard_via).not.toBeNull();
      expect(id.dhcp?.hostname).toBe(`Annas-Phone-${i}`);
      expect(id.dhcp?.vendor_class).toBe('android-dhcp-14');
      expect(id.dhcp?.client_id).toBe(`ff00000019000100012c${(0x10 + i).toString(16)}`);
      expect(id.dhcp?.parameter_request_list.length).toBeGreaterThan(2);
      expect(id.dhcp?.fingerprint).toContain(`annas-phone-${i}`);
    }
    const changes = (
      await svc.api<{ items: Array<{ mac: string }> }>('api/changes?type=new_device&limit=100')
    ).body.items;
    for (let i = 0; i < JOINS; i++)
      expect(changes.some((c) => c.mac === `da:a1:19:00:00:${(0x10 + i).toString(16)}`)).toBe(true);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] as number;
    const max = sorted[sorted.length - 1] as number;
    console.log(
      `[passive] arrival via DHCP over ${JOINS} joins: p50 ${(p50 / 1000).toFixed(2)} s, max ${(max / 1000).toFixed(2)} s (sweep interval 3600 s)`,
    );
    expect(dnsmasq.log()).toMatch(/DHCPACK/);
  }, 240_000);

  it('a host that only talks (ARP) is home at once; an away device comes back through ARP', async () => {
    if (!BUSYBOX) throw new Error('busybox missing');
    await lan.addHost({ name: 'quiet', mac: '24:0a:c4:01:02:03', ip: 20 });
    await lan.execIn(lan.host('quiet').ns, BUSYBOX, ['ping', '-c', '1', '-W', '1', lan.ip(1)]);
    const d = await eventually(
      async () => device('24:0a:c4:01:02:03'),
      10_000,
      'the ESP to appear via ARP',
      50,
    );
    expect(d.ip).toBe(lan.ip(20));
    expect((await identity(d.mac)).heard_via).toBe('arp');
  }, 60_000);

  it('mDNS: announced host name and services reach the device (the name fills an empty hostname)', async () => {
    // tv is known from the baseline sweep (no reverse DNS in the sim: no hostname)
    await lan.execIn(lan.host('tv').ns, BUSYBOX ?? 'ping', ['ping', '-c', '1', '-W', '1', lan.ip(1)]);
    await mdnsAnnounce(lan, 'tv', {
      host: 'living-room-tv',
      service: '_googlecast._tcp',
      instance: 'Living Room TV',
      count: 2,
    });
    const id = await eventually(
      async () => {
        const i = await identity('f4:f5:d8:54:32:10');
        return i.mdns.hosts.length > 0 ? i : null;
      },
      10_000,
      'the mDNS names of the TV',
      100,
    );
    expect(id.mdns.hosts).toContain('living-room-tv.local');
    expect(id.mdns.services).toContain('_googlecast._tcp');
    expect(id.mdns.instances).toContain('Living Room TV');
    expect((await device('f4:f5:d8:54:32:10'))?.hostname).toBe('living-room-tv');
  }, 60_000);
}, [passivePeersAvailable()]);
