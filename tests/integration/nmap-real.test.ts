/**
 * The real nmap, against 127.0.0.1 only: a node TCP listener on a loopback port plays an SSH server, and the whole
 * path (argv builder → runner → XML parser) must find it open and identify the service.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
