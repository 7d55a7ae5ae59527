#!/usr/bin/env node
// Inside a namespace: accept on a unix socket path and forward each connection to host:port in this namespace.
//   ip netns exec lsn-<id>-scan node tests/lan/ns-relay.mjs <socket path> <host> <port>
// Prints "ready" once listening; exits when stdin closes. Unix socket paths cross network namespaces, so the
// test process (host namespace) can reach a service that listens on the scanner namespace's loopback without
// giving the scanner namespace any route.
import fs from 'node:fs';
import net from 'node:net';

const [sockPath, host, portStr] = process.argv.slice(2);
const port = Number(portStr);
if (!sockPath || !host || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: ns-relay.mjs <socket path> <host> <port>\n');
  process.exit(2);
}
fs.rmSync(sockPath, { force: true });
const server = net.createServer((client) => {
  const upstream = net.connect({ host, port });
  client.pipe(upstream).pipe(client);
  const done = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', done);
  upstream.on('error', done);
  client.on('close', done);
  upstream.on('close', done);
});
server.listen(sockPath, () => process.stdout.write('ready\n'));
process.stdin.resume();
process.stdin.on('end', () => {
  fs.rmSync(sockPath, { force: true });
  process.exit(0);
});
