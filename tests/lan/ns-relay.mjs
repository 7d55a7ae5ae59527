#!/usr/bin/env node
// Runs inside a namespace and joins a unix socket path with a TCP endpoint of this namespace:
//   ip netns exec lsn-<id>-scan node tests/lan/ns-relay.mjs <socket path> <host> <port> [source address]
//     accept on the unix socket, forward each connection to host:port here (optionally from a source address)
//   ip netns exec lsn-<id>-scan node tests/lan/ns-relay.mjs --reverse <socket path> <host> <port>
//     listen on host:port here, forward each connection to the unix socket (served from the host namespace)
// Prints "ready" once listening; exits when stdin closes. Unix socket paths cross network namespaces, so the
// test process (host namespace) and a namespace reach each other without giving the namespace any route.
import fs from 'node:fs';
import net from 'node:net';

const argv = process.argv.slice(2);
const reverse = argv[0] === '--reverse';
const [sockPath, host, portStr, source] = reverse ? argv.slice(1) : argv;
const port = Number(portStr);
if (!sockPath || !host || !Number.isInteger(port) || port < 1 || port > 65535 || (reverse && source)) {
  process.stderr.write(
    'usage: ns-relay.mjs <socket path> <host> <port> [source address] | --reverse <socket path> <host> <port>\n',
  );
  process.exit(2);
}
const join = (client, upstream) => {
  client.pipe(upstream).pipe(client);
  const done = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const s of [client, upstream]) {
    s.on('error', done);
    s.on('close', done);
  }
};
let server;
if (reverse) {
  server = net.createServer((client) => join(client, net.connect(sockPath)));
  server.listen(port, host, () => process.stdout.write('ready\n'));
} else {
  fs.rmSync(sockPath, { force: true });
  server = net.createServer((client) =>
    join(client, net.connect({ host, port, ...(source ? { localAddress: source } : {}) })),
  );
  server.listen(sockPath, () => process.stdout.write('ready\n'));
}
server.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
process.stdin.resume();
process.stdin.on('end', () => {
  if (!reverse) fs.rmSync(sockPath, { force: true });
  process.exit(0);
});
