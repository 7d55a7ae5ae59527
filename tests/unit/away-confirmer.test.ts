import { describe, expect, it } from 'vitest';
import { buildConfirmArgs } from '../../src/scan/nmapArgs.js';
import type { ScanHost } from '../../src/scan/types.js';
import { confirmAway, type ProbeRun } from '../../src/service/awayConfirmer.js';

const up = (ip: string, mac: string | undefined, reason: string): ScanHost => ({
  ip,
  ...(mac ? { mac } : {}),
  hostnames: [],
  status: 'up',
  reason,
  ports: [],
  portsScanned: false,
});

describe('confirmation probes', () => {
  it('argv: ARP alone, or ICMP + TCP SYN to phone ports + UDP 5353 sent as IP; targets after --', () => {
    expect(buildConfirmArgs({ targets: ['10.0.0.9'], method: 'arp', privileged: true })).toEqual([
      '-n',
      '-sn',
      '-PR',
      '-T4',
      '--max-retries',
      '3',
      '--host-timeout',
      '10s',
      '-oX',
      '-',
      '--',
      '10.0.0.9',
    ]);
    const ip = buildConfirmArgs({ targets: ['10.0.0.9'], method: 'ip', privileged: true });
    expect(ip).toContain('--send-ip');
    expect(ip).toContain('-PE');
    expect(ip.find((a) => a.startsWith('-PS'))).toContain('62078');
    expect(ip).toContain('-PU5353');
    expect(ip.slice(-2)).toEqual(['--', '10.0.0.9']);
    expect(() => buildConfirmArgs({ targets: ['10.0.0.0/24'], method: 'ip', privileged: true })).toThrow(
      /single/,
    );
    expect(() => buildConfirmArgs({ targets: ['-oN/tmp/x'], method: 'ip', privileged: true })).toThrow();
  });

  it('rounds until every candidate answered; a probe answer keeps the device, with the probe as reason', async () => {
    const calls: string[][] = [];
    let n = 0;
    const run: ProbeRun = async (argv) => {
      calls.push(argv);
      n++;
      // round 1: nothing; round 2: the phone answers the TCP SYN (not ARP)
      if (n === 4) return [up('10.0.0.9', 'da:00:00:00:00:09', 'syn-ack')];
      return [];
    };
    const out = await confirmAway(
      [
        { mac: 'da:00:00:00:00:09', ip: '10.0.0.9' },
        { mac: 'b8:27:eb:00:00:01', ip: '10.0.0.10' },
      ],
      { nmapPath: 'nmap', privileged: true, attached: true, rounds: 3, pauseMs: 1 },
      run,
    );
    expect([...out.present]).toEqual([['da:00:00:00:00:09', 'probe: syn-ack']]);
    expect(calls).toHaveLength(6); // 3 rounds × (ARP + IP) while the second stays silent
    expect(calls[5]?.slice(-1)).toEqual(['10.0.0.10']); // the one already found is not probed again
    expect(out.awayReason).toMatch(
      /no answer to the sweep nor to 3 probe rounds \(ARP, ICMP echo, TCP SYN 62078/,
    );
  });

  it('an answer from another MAC at the address is not the device', async () => {
    const run: ProbeRun = async () => [up('10.0.0.9', 'aa:bb:cc:00:00:01', 'arp-response')];
    const out = await confirmAway(
      [{ mac: 'da:00:00:00:00:09', ip: '10.0.0.9' }],
      { nmapPath: 'nmap', privileged: true, attached: true, rounds: 2, pauseMs: 1 },
      run,
    );
    expect(out.present.size).toBe(0);
  });

  it('unprivileged: TCP connect probes only, no ARP round', async () => {
    const calls: string[][] = [];
    await confirmAway(
      [{ mac: 'da:00:00:00:00:09', ip: '10.0.0.9' }],
      { nmapPath: 'nmap', privileged: false, attached: true, rounds: 1, pauseMs: 1 },
      async (a) => {
        calls.push(a);
        return [];
      },
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).not.toContain('-PR');
    expect(calls[0]).not.toContain('-PE');
  });
});

describe('presence reason in the sweep diff', () => {
  it('sweep answer, probe answer and the away reason are recorded on the device', async () => {
    const { applySweep, newDevice } = await import('../../src/inventory/sweep.js');
    const t0 = '2026-12-03T17:00:00.000Z';
    const a = { ...newDevice('b8:27:eb:00:00:01', '10.0.0.10', null, null, t0), missedSweeps: 1 };
    const b = { ...newDevice('da:00:00:00:00:09', '10.0.0.9', null, null, t0), missedSweeps: 1 };
    const c = { ...newDevice('24:0a:c4:00:00:02', '10.0.0.20', null, null, t0), missedSweeps: 1 };
    const now = new Date('2026-12-03T17:05:00Z');
    const out = applySweep(
      [a, b, c],
      {
        kind: 'sweep',
        targets: ['10.0.0.0/24'],
        startedAt: now,
        finishedAt: now,
        hosts: [up('10.0.0.10', a.mac, 'arp-response'), up('10.0.0.9', b.mac, 'probe: syn-ack')],
        hostsUp: 2,
        hostsTotal: 256,
      },
      {
        now,
        considerHome: 180,
        lookupVendor: () => null,
        awayReason: 'no answer to the sweep nor to 3 probe rounds',
      },
    );
    const by = new Map(out.devices.map((d) => [d.mac, d]));
    expect(by.get(a.mac)?.presenceReason).toBe('sweep: arp-response');
    expect(by.get(b.mac)?.presenceReason).toBe('probe: syn-ack');
    expect(by.get(c.mac)?.presence).toBe('not_home');
    expect(by.get(c.mac)?.presenceReason).toBe('no answer to the sweep nor to 3 probe rounds');
  });
});
