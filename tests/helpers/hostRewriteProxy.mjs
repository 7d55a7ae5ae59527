#!/usr/bin/env node
/**
 * A tiny reverse proxy process that behaves like nginx's default `proxy_pass http://127.0.0.1:<port>`:
 * it forwards every request to the upstream and REWRITES Host to `127.0.0.1:<port>` (nginx's $proxy_host),
 * adds X-Forwarded-For/X-Real-IP, and passes every other header (cookies, Authorization) through. The
 * upstream therefore sees a loopback peer with a loopback Host for every client, whoever the client is.
 *
 * Usage: node hostRewriteProxy.mjs <listenHost> <listenPort> <upstreamPort>; prints "listening <port>".
 */
import { createServer, request } from 'node:http';

const [listenHost = '127.0.0.1', listenPort = '0', upstreamPort] = process.argv.slice(2);
if (!upstreamPort) {
  process.stderr.write('usage: hostRewriteProxy.mjs <listenHost> <listenPort> <upstreamPort>\n');
  process.exit(64);
}
const server = createServer((req, res) => {
  const headers = { ...req.headers, host: `127.0.0.1:${upstreamPort}` };
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-real-ip'] = req.socket.remoteAddress ?? '';
  delete headers.connection;
  const up = request(
    { host: '127.0.0.1', port: Number(upstreamPort), method: req.method, path: req.url, headers },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`bad gateway: ${err.message}`);
  });
  req.pipe(up);
});
server.listen(Number(listenPort), listenHost, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
