// A small mDNS responder for the simulated LAN: announces `<host>.local` A <ip> and, optionally, one service
// instance (PTR/SRV/TXT), as unsolicited responses to 224.0.0.251:5353 (RFC 6762 §8.3), `count` times.
// Usage (inside a host namespace): node mdns-announcer.mjs <host> <ip> [<service> <instance>] [--count N] [--interval MS]
// The packet builder is exported for the parser tests.
import { createSocket } from 'node:dgram';

function name(n) {
  const parts = n.split('.').filter(Boolean);
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([Buffer.byteLength(p)]), Buffer.from(p)])),
    Buffer.from([0]),
  ]);
}

function rr(owner, type, rdata, ttl = 120) {
  const h = Buffer.alloc(10);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(0x8001, 2); // class IN, cache-flush
  h.writeUInt32BE(ttl, 4);
  h.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([name(owner), h, rdata]);
}

/** An unsolicited mDNS response announcing host (A) and an optional service instance. */
export function buildAnnouncement({ host, ip, service, instance }) {
  const records = [rr(`${host}.local`, 1, Buffer.from(ip.split('.').map(Number)))];
  if (service && instance) {
    const st = `${service}.local`;
    const inst = `${instance}.${st}`;
    records.push(rr('_services._dns-sd._udp.local', 12, name(st), 4500));
    records.push(rr(st, 12, name(inst), 4500));
    const srv = Buffer.alloc(6);
    srv.writeUInt16BE(7000, 4);
    records.push(rr(inst, 33, Buffer.concat([srv, name(`${host}.local`)])));
    records.push(rr(inst, 16, Buffer.from([0])));
  }
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0x8400, 2); // response, authoritative
  head.writeUInt16BE(records.length, 6);
  return Buffer.concat([head, ...records]);
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const args = process.argv.slice(2);
  const opt = (k, d) => {
    const i = args.indexOf(k);
    if (i < 0) return d;
    const v = args[i + 1];
    args.splice(i, 2);
    return Number(v);
  };
  const count = opt('--count', 3);
  const interval = opt('--interval', 1000);
  const [host, ip, service, instance] = args;
  const packet = buildAnnouncement({ host, ip, service, instance });
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  s.bind(5353, ip, () => {
    s.setMulticastInterface(ip);
    s.setMulticastTTL(255);
    let sent = 0;
    const send = () =>
      s.send(packet, 5353, '224.0.0.251', (err) => {
        if (err) {
          console.error(err.message);
          process.exit(1);
        }
        if (++sent >= count) s.close(() => process.exit(0));
        else setTimeout(send, interval);
      });
    send();
  });
}
