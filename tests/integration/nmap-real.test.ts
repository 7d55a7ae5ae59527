/**
 * The real nmap, against 127.0.0.1 only: a node TCP listener on a loopback port plays an SSH server, and the whole
 * path (argv builder → runner → XML parser) must find it open and identify the service.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyKind } from '../../src/inventory/kinds.js';
import { applyPortScan } from '../../src/inventory/ports.js';
import { buildPortScanArgs, buildSweepArgs } from '../../src/scan/nmapArgs.js';
import { checkNmap, isPrivileged, runNmap } from '../../src/scan/nmapRunner.js';
import { parseNmapXml } from '../../src/scan/nmapXml.js';

const NMAP = process.env.LSN_NMAP_PATH ?? 'nmap';
const check = await checkNmap(NMAP);
if (!check.ok && process.env.CI === 'true') {
  throw new Error(`real nmap is required under CI=true: ${check.message}`);
}

describe.skipIf(!check.ok)('real nmap on loopback', () => {
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    server = createServer((sock) => {
      sock.on('error', () => {});
      sock.end('SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('finds and identifies an open loopback port through argv builder, runner and parser', async () => {
    const argv = buildPortScanArgs({
      targets: ['127.0.0.1'],
      profile: 'custom',
      ports: [String(port)],
      privileged: isPrivileged(),
      hostTimeoutSec: 60,
      versionIntensity: 2,
    });
    const progress: number[] = [];
    const t = performance.now();
    const run = await runNmap(argv, {
      nmapPath: NMAP,
      timeoutMs: 90_000,
      onProgress: (p) => progress.push(p),
    });
    console.log(
      `real nmap ${check.ok ? check.version : ''} port scan of 127.0.0.1:${port} took ${(performance.now() - t).toFixed(0)} ms`,
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const parsed = parseNmapXml(run.stdout, 'ports', ['127.0.0.1']);
    if (!parsed.ok) throw new Error(parsed.error);
    const r = parsed.result;
    expect(r.nmapVersion).toBe(check.ok ? check.version : undefined);
    expect(r.args).toContain(`-- 127.0.0.1`);
    expect(r.hosts).toHaveLength(1);
    const host = r.hosts[0]!;
    expect(host.ip).toBe('127.0.0.1');
    expect(host.portsScanned).toBe(true);
    const open = host.ports.find((p) => p.port === port);
    expect(open).toMatchObject({ protocol: 'tcp', state: 'open' });
    expect(open?.service?.name).toBe('ssh');
    expect(open?.service?.product).toBe('OpenSSH');
    expect(open?.service?.cpe).toContain('cpe:/a:openbsd:openssh:8.4p1');
  });

  it("reads a web interface's title and Server header (http-title, http-server-header) and the kind follows", async () => {
    // an embedded web server (nmap knows lighttpd) whose page says what the device is
    const body = '<html><head><title>HP LaserJet MFP M426fdw</title></head><body>Printer</body></html>\n';
    const web = createServer((sock) => {
      let buf = '';
      sock.on('error', () => {});
      sock.on('data', (c) => {
        buf += c.toString('latin1');
        if (!buf.includes('\r\n\r\n') && !buf.includes('\n\n')) return;
        sock.end(
          [
            'HTTP/1.1 200 OK',
            `Date: ${new Date().toUTCString()}`,
            'Server: lighttpd/1.4.59',
            `Content-Length: ${body.length}`,
            'Connection: close',
            'Content-Type: text/html',
            '',
            '',
          ].join('\r\n') + body,
        );
      });
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const webPort = (web.address() as AddressInfo).port;
      const argv = buildPortScanArgs({
        targets: ['127.0.0.1'],
        profile: 'custom',
        ports: [String(webPort)],
        privileged: isPrivileged(),
        hostTimeoutSec: 60,
        versionIntensity: 2,
      });
      const run = await runNmap(argv, { nmapPath: NMAP, timeoutMs: 90_000 });
      expect(run.exitCode, run.stderr).toBe(0);
      const parsed = parseNmapXml(run.stdout, 'ports', ['127.0.0.1']);
      if (!parsed.ok) throw new Error(parsed.error);
      const host = parsed.result.hosts[0]!;
      const open = host.ports.find((x) => x.port === webPort);
      expect(open?.service?.name).toBe('http');
      expect(open?.httpTitle).toBe('HP LaserJet MFP M426fdw');
      expect(open?.httpServer).toBe('lighttpd/1.4.59');
      // into the device's ports, then the pattern table: a printer, from its web page alone (no vendor)
      const now = new Date();
      const base = {
        mac: '02:00:00:00:00:09',
        ip: '127.0.0.1',
        hostname: null,
        name: null,
        vendor: null,
        randomized: false,
        firstSeen: now.toISOString(),
        lastSeen: now.toISOString(),
        online: true,
        presence: 'home' as const,
        missedSweeps: 0,
        known: false,
        watched: false,
        ignored: false,
        notes: null,
        considerHome: null,
        ports: [],
        portsScannedAt: null,
        riskScore: 0,
        risk: 'none' as const,
        isNew: false,
      };
      const { device } = applyPortScan(base, host, now);
      expect(device.ports[0]).toMatchObject({
        httpTitle: 'HP LaserJet MFP M426fdw',
        httpServer: 'lighttpd/1.4.59',
      });
      const guess = classifyKind({ vendor: null, hostname: null, ports: device.ports });
      expect(guess?.kind).toBe('printer');
      expect(guess?.reasons.join(' ')).toContain('web page title');
    } finally {
      await new Promise((r) => web.close(r));
    }
  });

  it('sweeps 127.0.0.1 and accepts the result', async () => {
    const argv = buildSweepArgs({ targets: ['127.0.0.1'], privileged: isPrivileged(), attached: false });
    const run = await runNmap(argv, { nmapPath: NMAP, timeoutMs: 60_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const parsed = parseNmapXml(run.stdout, 'sweep', ['127.0.0.1']);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.result.hosts.map((h) => h.ip)).toEqual(['127.0.0.1']);
    expect(parsed.result.hostsUp).toBe(1);
  });
});
