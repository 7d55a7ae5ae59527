import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { scanSettings, scanTargets, sweepTimeoutMs } from '../../src/service/scanSettings.js';

const options = (flags: string[]) => loadConfig({ flags, env: {}, fileExists: () => false }).options;
const lan = [{ iface: 'eth0', cidr: '10.213.7.0/24', address: '10.213.7.2' }];

describe('scanSettings (option → what the coordinator hands nmap)', () => {
  it('sweep_interval sets the sweep timeout: 4 intervals, at least a minute', () => {
    expect(sweepTimeoutMs(15)).toBe(60_000);
    expect(sweepTimeoutMs(60)).toBe(240_000);
    const s = scanSettings(options(['--sweep-interval', '300']), true, () => null);
    expect(s.sweepTimeoutMs).toBe(1_200_000);
  });

  it('the service scans in small batches with pauses, a one-shot CLI scan all at once', () => {
    const o = options(['--port-profile', 'top1000', '--scan-new-devices', 'false']);
    const svc = scanSettings(o, false, () => '10.213.7.1');
    expect(svc).toMatchObject({ portScanBatch: 4, portScanPauseMs: 2_000, hostTimeoutSec: 300 });
    expect(svc.scanNewDevices).toBe(false);
    expect(svc.privileged).toBe(false);
    expect(svc.gatewayIp()).toBe('10.213.7.1');
    const once = scanSettings(o, false, () => null, 'once');
    expect(once).toMatchObject({ portScanBatch: 256, portScanPauseMs: 0, sweepTimeoutMs: 600_000 });
  });

  it('targets come from subnets/exclude, attached when every target is a local network', () => {
    const t = scanTargets(options(['--subnets', '10.213.7.0/24', '--exclude', '10.213.7.9']), lan);
    expect(t).toMatchObject({ targets: ['10.213.7.0/24'], exclude: ['10.213.7.9'], attached: true });
    const routed = scanTargets(options(['--subnets', '10.213.8.0/24']), lan);
    expect(routed.attached).toBe(false);
    expect(t.routed).toEqual([]);
    // the routed ones are named: MAC-less hosts there are identified by IP (DESIGN §15)
    const both = scanTargets(options(['--subnets', '10.213.7.0/24,10.213.8.0/24']), lan);
    expect(both).toMatchObject({ attached: false, routed: ['10.213.8.0/24'] });
  });
});
