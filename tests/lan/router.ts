/**
 * A router between two simulated LANs: a host of LAN `a` (its namespace, so `a.destroy()` removes it) with
 * a second interface on LAN `b`'s bridge and IPv4 forwarding on. Each scanner gets a route to the other
 * /24 only through it; nothing reaches the machine's own namespace.
 */
import { ip } from './ip.js';
import type { SimLan } from './sim-lan.js';

export interface SimRouter {
  ns: string;
  /** the router's address on each LAN (.254) */
  ipA: string;
  ipB: string;
  /** MACs of its interface on each LAN (each LAN's scanner sees the router as a device) */
  macA: string;
  macB: string;
}

export async function routeBetween(a: SimLan, b: SimLan, octet = 254): Promise<SimRouter> {
  const macA = `02:13:ab:00:00:${octet.toString(16).padStart(2, '0')}`;
  const macB = `02:13:ab:01:00:${octet.toString(16).padStart(2, '0')}`;
  const h = await a.addHost({ name: 'router-b', mac: macA, ip: octet });
  const ipA = h.ip;
  const ipB = b.ip(octet);
  const port = `v-rt${a.id.slice(0, 4)}`;
  await ip([
    '-n',
    b.lanNs,
    'link',
    'add',
    port,
    'type',
    'veth',
    'peer',
    'name',
    'eth1',
    'address',
    macB,
    'netns',
    h.ns,
  ]);
  await ip(['-n', b.lanNs, 'link', 'set', port, 'master', b.bridge, 'up']);
  await ip(['-n', h.ns, 'addr', 'add', `${ipB}/24`, 'dev', 'eth1']);
  await ip(['-n', h.ns, 'link', 'set', 'eth1', 'up']);
  const fw = await a.execIn(h.ns, 'sysctl', ['-w', 'net.ipv4.ip_forward=1']);
  if (fw.code !== 0) throw new Error(`ip_forward in ${h.ns}: ${fw.stderr}`);
  await ip(['-n', a.scannerNs, 'route', 'add', b.subnet, 'via', ipA]);
  await ip(['-n', b.scannerNs, 'route', 'add', a.subnet, 'via', ipB]);
  return { ns: h.ns, ipA, ipB, macA, macB };
}
