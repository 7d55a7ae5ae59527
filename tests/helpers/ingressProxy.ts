/**
 * A tiny stand-in for Home Assistant's ingress proxy: serves the service under
 * `/api/hassio_ingress/<random token>/`, strips the prefix, forwards to the upstream with the client's headers
 * (Host included) plus `X-Ingress-Path`, and RECORDS every request path. Requests outside the prefix are answered 404 and kept in
 * `outside`, so a test can fail when the UI uses an absolute URL. Responses are streamed (SSE works).
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface IngressProxy {
  /** e.g. /api/hassio_ingress/3f…/ (with the trailing slash) */
  prefix: string;
  /** http://127.0.0.1:<port><prefix> */
  url: string;
  /** every path (with query) the browser asked for, in order */
  requests: string[];
  /** the subset of `requests` that was outside the prefix */
  outside: string[];
  close(): Promise<void>;
}

export async function startIngressProxy(upstream: { host: string; port: number }): Promise<IngressProxy> {
  const token = randomBytes(16).toString('hex');
  const ingressPath = `/api/hassio_ingress/${token}`;
  const prefix = `${ingressPath}/`;
  const requests: string[] = [];
  const outside: string[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    if (path === ingressPath) {
      // HA redirects the bare token path to the slash form.
      res.writeHead(302, { location: prefix }).end();
      return;
    }
    if (!path.startsWith(prefix)) {
      outside.push(path);
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`outside the ingress prefix: ${path}`);
      return;
    }
    const upstreamPath = `/${path.slice(prefix.length)}`;
    // Like HA's ingress (Core and Supervisor copy the client's headers, Host included, and add their own).
    const headers = { ...req.headers };
    headers['x-ingress-path'] = ingressPath;
    headers['x-hass-source'] = 'core.ingress';
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-proto'] = 'http';
    const up = httpRequest(
      { host: upstream.host, port: upstream.port, method: req.method, path: upstreamPath, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`upstream error: ${err.message}`);
    });
    req.pipe(up);
    res.on('close', () => up.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    prefix,
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    outside,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
