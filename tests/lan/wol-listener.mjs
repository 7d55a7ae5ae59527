#!/usr/bin/env node
/**
 * A Wake-on-LAN listener for a simulated host: binds UDP 0.0.0.0:<port> (default 9) inside the host's
 * namespace, so it hears the subnet's directed broadcast and 255.255.255.255 as a sleeping card would, and
 * prints one JSON line per datagram: {"hex": …, "from": …, "port": …, "at": epoch ms}. "listening" first.
 */
import { createSocket } from 'node:dgram';

const port = Number(process.argv[2] ?? 9);
const socket = createSocket({ type: 'udp4', reuseAddr: true });
socket.on('message', (msg, rinfo) => {
  process.stdout.write(
    `${JSON.stringify({ hex: msg.subarray(0, 256).toString('hex'), length: msg.length, from: rinfo.address, port: rinfo.port, at: Date.now() })}\n`,
  );
});
socket.on('error', (err) => {
  process.stderr.write(`wol-listener: ${err.message}\n`);
  process.exit(1);
});
socket.bind(port, '0.0.0.0', () => process.stdout.write(`listening ${port}\n`));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => socket.close(() => process.exit(0)));
