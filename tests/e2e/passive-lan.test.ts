/**
 * Passive listening on the simulated LAN with real peers: Debian's dnsmasq serves DHCP on the router, new
 * hosts join with busybox udhcpc (real DISCOVER/REQUEST from their own MAC), an mDNS responder announces a
 * name and a service, hosts talk (ARP). The real service runs in the scanner namespace with a sweep interval
 * far longer than the test, so every arrival it reports came from listening, not from a sweep.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
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
  macs: Array<{ mac: string; linked_by: 'dhcp' | 'manual' }>;
}
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

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
      flags: serviceFlags({ scanNewDevices: false, mqttUrl: 'none' }),
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
  it('a phone rotating its private MAC 6 times with the same DHCP fingerprint stays one device; merge and split by hand (CLI, audited)', async () => {
    const ROTATIONS = 6;
    const macs = Array.from({ length: ROTATIONS + 1 }, (_, i) => `6a:19:ab:cd:00:${(0x10 + i).toString(16)}`);
    const first = macs[0] as string;
    const fp = { hostname: 'Bens-iPhone', clientId: 'ff19abcdef000100012c0000', vendorClass: 'ios-17' };
    const newDevices = async () =>
      (
        await svc.api<{ items: Array<{ mac: string }> }>('api/changes?type=new_device&limit=500')
      ).body.items.filter((c) => macs.includes(c.mac)).length;
    await lan.addHost({ name: 'rotor', mac: first, ip: 140 });
    const j0 = await dhcpJoin(lan, 'rotor', fp);
    expect(j0.code, j0.out).toBe(0);
    const d0 = await eventually(async () => device(first), 15_000, 'the phone to appear', 50);
    expect(d0.hostname).toBe('Bens-iPhone');
    expect(await newDevices()).toBe(1);
    for (let i = 1; i <= ROTATIONS; i++) {
      const mac = macs[i] as string;
      // the phone leaves the network and rejoins with a fresh private MAC (no address until its new lease)
      await lan.execIn(lan.host('rotor').ns, 'ip', ['addr', 'flush', 'dev', 'eth0']);
      await lan.setHostMac('rotor', mac);
      const j = await dhcpJoin(lan, 'rotor', fp);
      expect(j.code, j.out).toBe(0);
      await eventually(
        async () => ((await identity(first)).macs.some((m) => m.mac === mac) ? true : null),
        10_000,
        `${mac} linked to ${first}`,
        50,
      );
      await svc.waitForLog(new RegExp(`${mac} is ${first} with a rotated private MAC`), 5_000);
      expect((await device(first))?.ip).toBe(j.leased);
      expect(await device(mac)).toBeNull();
    }
    const linked = (await identity(first)).macs;
    expect(linked.map((m) => m.mac).sort()).toEqual(macs.slice(1).sort());
    expect(linked.every((m) => m.linked_by === 'dhcp')).toBe(true);
    const newCount = await newDevices();
    console.log(
      `[rotation] ${ROTATIONS} MAC rotations: new_device count ${newCount} (the first join only), ${linked.length} MACs linked`,
    );
    expect(newCount).toBe(1);
    // the device kept its history: its first sighting and presence under the first MAC
    const hist = (
      await svc.api<{ presence: Array<{ online: boolean }>; changes: Array<{ type: string }> }>(
        `api/devices/${first}/history`,
      )
    ).body;
    expect(hist.presence.some((p) => p.online)).toBe(true);
    expect(hist.changes.some((c) => c.type === 'new_device')).toBe(true);

    // split one MAC off by hand through the CLI (talking to the running service), then merge it back
    const cli = async (args: string[]) => {
      const r = await lan.execInScanner(
        process.execPath,
        [CLI, ...args, '--data-dir', svc.dataDir, '--subnets', lan.subnet],
        {
          timeoutMs: 60_000,
          env: { PATH: process.env.PATH ?? '', HOME: '/root' },
        },
      );
      return { code: r.code ?? 1, out: r.stdout + r.stderr };
    };
    const last = macs[ROTATIONS] as string;
    const sp = await cli(['devices', 'split', first, last]);
    expect(sp.code, sp.out).toBe(0);
    expect(sp.out).toContain(`split ${last} off`);
    expect((await identity(first)).macs.some((m) => m.mac === last)).toBe(false);
    // its next sighting makes it a device of its own (a new device: the user said so)
    await lan.execIn(lan.host('rotor').ns, BUSYBOX ?? 'ping', ['ping', '-c', '1', '-W', '1', lan.ip(1)]);
    await eventually(async () => device(last), 10_000, `${last} as its own device`, 50);
    const bad = await cli(['devices', 'split', first, 'aa:bb:cc:dd:ee:ff']);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/not a further MAC/);
    const mg = await cli(['devices', 'merge', first, last]);
    expect(mg.code, mg.out).toBe(0);
    expect(mg.out).toContain(`merged ${last} into`);
    expect(await device(last)).toBeNull();
    const after = (await identity(first)).macs;
    expect(after.find((m) => m.mac === last)?.linked_by).toBe('manual');
    const audit = (
      await svc.api<{ items: Array<{ action: string; target: string | null }> }>('api/audit?limit=50')
    ).body.items;
    expect(audit.some((a) => a.action === 'device.split')).toBe(true);
    expect(audit.some((a) => a.action === 'device.merge')).toBe(true);
  }, 180_000);
}, [passivePeersAvailable()]);
