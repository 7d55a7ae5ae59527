#!/usr/bin/env node
// Fake network services for one simulated host. Run inside the host's namespace:
//   ip netns exec lsn-<id>-h-<name> node tests/lan/service-host.mjs '<json: {"services":[...]}>'
// Each service: {"port":22,"kind":"ssh|http|ftp|telnet|mqtt|banner|silent","banner":"..."}.
// Control protocol: JSON lines on stdin  {"id":1,"op":"open","service":{...}} | {"id":2,"op":"close","port":22}
//                                         | {"id":3,"op":"replace","service":{...}} (restart with new banner)
// Replies on stdout: {"ready":true,"ports":[...]} once, then {"id":n,"ok":true} or {"id":n,"ok":false,"error":"..."}.
// When stdin closes (the harness died or called stop), every listener is closed and the process exits.
import net from 'node:net';
import readline from 'node:readline';

const DEFAULTS = {
  ssh: 'SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.8',
  http: 'Apache/2.4.49 (Unix)',
  ftp: '220 (vsFTPd 2.3.4)',
  telnet: 'login: ',
  mqtt: '',
  banner: '',
  silent: '',
};
const KINDS = new Set(Object.keys(DEFAULTS));
const HOLD_MS = 30_000;

/** port -> {server, sockets:Set, spec} */
const listeners = new Map();

function reply(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function validate(spec) {
  if (!spec || typeof spec !== 'object') throw new Error('service must be an object');
  const { port, kind } = spec;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${port} must be 1..65535`);
  if (!KINDS.has(kind))
    throw new Error(`kind ${JSON.stringify(kind)} must be one of ${[...KINDS].join(', ')}`);
  if (spec.banner !== undefined && typeof spec.banner !== 'string')
    throw new Error('banner must be a string');
  return { port, kind, banner: spec.banner ?? DEFAULTS[kind] };
}

function hold(sock) {
  sock.setTimeout(HOLD_MS, () => sock.destroy());
}

/** A banner whose characters are all U+0000-U+00FF goes out as those bytes (so a test can send bytes that are not
 *  UTF-8, e.g. "\xff"); anything else as UTF-8. ASCII banners are the same either way. */
function bytes(text) {
  return /^[\u0000-\u00ff]*$/.test(text) ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

function handleSsh(sock, banner) {
  sock.write(bytes(`${banner}\r\n`));
  hold(sock);
  sock.on('data', () => {
    /* ignore the client's identification / KEXINIT; keep the connection open briefly */
  });
}

function httpResponse(server, status, reason, method) {
  const body =
    status === 200
      ? '<!DOCTYPE html>\n<html><head><title>It works</title></head><body><h1>It works!</h1></body></html>\n'
      : `<!DOCTYPE html>\n<html><head><title>${status} ${reason}</title></head><body><h1>${reason}</h1></body></html>\n`;
  const headers = [
    `HTTP/1.1 ${status} ${reason}`,
    `Date: ${new Date().toUTCString()}`,
    `Server: ${server}`,
    'Last-Modified: Mon, 11 Jun 2007 18:53:14 GMT',
    'Accept-Ranges: bytes',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (method === 'OPTIONS') headers.push('Allow: GET,HEAD,POST,OPTIONS');
  headers.push('Connection: close', 'Content-Type: text/html', '', '');
  return headers.join('\r\n') + (method === 'HEAD' || method === 'OPTIONS' ? '' : body);
}

function handleHttp(sock, server) {
  let buf = '';
  sock.setTimeout(10_000, () => sock.destroy());
  sock.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    if (buf.length > 16_384) {
      sock.end(httpResponse(server, 400, 'Bad Request', 'GET'));
      return;
    }
    // Answer once the header block is complete (or a bare blank line arrives, like nmap's GenericLines).
    const end = buf.indexOf('\r\n\r\n');
    const endLf = buf.indexOf('\n\n');
    if (end < 0 && endLf < 0) return;
    const line = buf.split(/\r?\n/, 1)[0] ?? '';
    const m = /^([A-Z]{3,10}) (\S+) HTTP\/\d\.\d$/.exec(line);
    let out;
    if (!m) out = httpResponse(server, 400, 'Bad Request', 'GET');
    else if (['GET', 'HEAD', 'OPTIONS', 'POST'].includes(m[1])) {
      const path = m[2];
      out =
        path === '/' || path === '/index.html' || m[1] === 'OPTIONS'
          ? httpResponse(server, 200, 'OK', m[1])
          : httpResponse(server, 404, 'Not Found', m[1]);
    } else out = httpResponse(server, 405, 'Method Not Allowed', 'GET');
    sock.removeAllListeners('data');
    sock.end(out);
  });
}

function handleFtp(sock, banner) {
  sock.write(`${banner}\r\n`);
  hold(sock);
  let buf = '';
  sock.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    if (buf.length > 4096) buf = buf.slice(-4096);
    let idx = buf.indexOf('\n');
    while (idx >= 0) {
      const line = buf.slice(0, idx).replace(/\r$/, '');
      buf = buf.slice(idx + 1);
      const cmd = (line.split(' ', 1)[0] ?? '').toUpperCase();
      if (cmd === 'USER') sock.write('331 Please specify the password.\r\n');
      else if (cmd === 'PASS') sock.write('530 Login incorrect.\r\n');
      else if (cmd === 'SYST') sock.write('215 UNIX Type: L8\r\n');
      else if (cmd === 'FEAT') sock.write('211-Features:\r\n EPRT\r\n EPSV\r\n PASV\r\n211 End\r\n');
      else if (cmd === 'HELP') sock.write('214 Help OK.\r\n');
      else if (cmd === 'QUIT') {
        sock.end('221 Goodbye.\r\n');
        return;
      } else if (cmd === '') {
        /* blank line: ignore */
      } else sock.write('530 Please login with USER and PASS.\r\n');
      idx = buf.indexOf('\n');
    }
  });
}

// IAC DO TERMINAL-TYPE, DO TERMINAL-SPEED, DO X-DISPLAY-LOCATION, DO NEW-ENVIRON (what Linux telnetd sends).
const TELNET_NEGOTIATION = Buffer.from([
  0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20, 0xff, 0xfd, 0x23, 0xff, 0xfd, 0x27,
]);

function handleTelnet(sock, prompt) {
  sock.write(TELNET_NEGOTIATION);
  hold(sock);
  let prompted = false;
  sock.on('data', () => {
    // The prompt follows the client's answer to the negotiation, like a real telnetd.
    if (!prompted) {
      prompted = true;
      sock.write(`\r\n${prompt}`);
    }
  });
}

/** An MQTT broker's first exchange: silent until a CONNECT (0x10), then CONNACK "accepted" (20 02 00 00). */
function handleMqtt(sock) {
  sock.once('data', (d) => {
    if (d[0] === 0x10) sock.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    hold(sock);
  });
}

function onConnection(entry, sock) {
  entry.sockets.add(sock);
  sock.on('close', () => entry.sockets.delete(sock));
  sock.on('error', () => sock.destroy());
  const { kind, banner } = entry.spec;
  switch (kind) {
    case 'ssh':
      return handleSsh(sock, banner);
    case 'http':
      return handleHttp(sock, banner);
    case 'ftp':
      return handleFtp(sock, banner);
    case 'telnet':
      return handleTelnet(sock, banner);
    case 'mqtt':
      return handleMqtt(sock);
    case 'banner':
      sock.write(bytes(banner));
      return hold(sock);
    default:
      return hold(sock);
  }
}

function open(spec) {
  const s = validate(spec);
  if (listeners.has(s.port)) return Promise.reject(new Error(`port ${s.port} is already open`));
  const entry = { spec: s, sockets: new Set(), server: null };
  const server = net.createServer({ allowHalfOpen: false }, (sock) => onConnection(entry, sock));
  entry.server = server;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: s.port, host: '0.0.0.0', backlog: 128 }, () => {
      server.removeListener('error', reject);
      listeners.set(s.port, entry);
      resolve();
    });
  });
}

function close(port) {
  const entry = listeners.get(port);
  if (!entry) return Promise.reject(new Error(`port ${port} is not open`));
  listeners.delete(port);
  for (const sock of entry.sockets) sock.destroy();
  return new Promise((resolve) => entry.server.close(() => resolve()));
}

async function handle(msg) {
  if (msg.op === 'open') return open(msg.service);
  if (msg.op === 'close') return close(msg.port);
  if (msg.op === 'replace') {
    const s = validate(msg.service);
    if (listeners.has(s.port)) await close(s.port);
    return open(s);
  }
  throw new Error(`unknown op ${JSON.stringify(msg.op)}`);
}

async function main() {
  const spec = JSON.parse(process.argv[2] ?? '{"services":[]}');
  for (const svc of spec.services ?? []) await open(svc);
  reply({ ready: true, ports: [...listeners.keys()] });
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      reply({ id: null, ok: false, error: 'control line is not JSON' });
      return;
    }
    handle(msg).then(
      () => reply({ id: msg.id, ok: true }),
      (err) => reply({ id: msg.id, ok: false, error: String(err?.message ?? err) }),
    );
  });
  rl.on('close', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`service-host: ${err?.stack ?? err}\n`);
  process.exit(1);
});
