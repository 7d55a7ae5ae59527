#!/usr/bin/env node
// A TLS listener for one simulated host (run inside its namespace): serves the certificate and key given (made
// with Debian's openssl by tests/lan/tls.ts) on a port, answers any request with a small HTTP response, and
// says it is nginx (no version: nmap -sV matches it at once and no CVE applies), handles connections concurrently (openssl s_server serves one at a time, which makes nmap -sV wait ~40 s).
//   node tests/lan/tls-server.mjs '{"port":443,"cert":"/dir/x.pem","key":"/dir/x.key","tls10only":false}'
// Prints "listening <port>" once ready; exits when stdin closes.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const o = JSON.parse(process.argv[2] ?? '{}');
const options = {
  cert: readFileSync(o.cert),
  key: readFileSync(o.key),
  // TLS 1.0 only needs security level 0 with Debian 12's OpenSSL 3
  ...(o.tls10only ? { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
};
const server = tls.createServer(options, (sock) => {
  sock.setTimeout(10_000, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  let buf = '';
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    if (buf.includes('\r\n\r\n') || buf.includes('\n\n')) {
      const body = '<html><head><title>TLS test</title></head><body>ok</body></html>\n';
      sock.end(
        `HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  });
});
server.on('tlsClientError', () => {});
server.listen(o.port, '0.0.0.0', () => process.stdout.write(`listening ${o.port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
