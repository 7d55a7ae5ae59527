import { describe, expect, it } from 'vitest';
import { parseDefaultGateway } from '../../src/service/gateway.js';

describe('parseDefaultGateway', () => {
  it('reads the little-endian default route', () => {
    const text = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;
    expect(parseDefaultGateway(text)).toBe('192.168.1.1');
  });
  it('returns null without a default route', () => {
    expect(parseDefaultGateway('Iface\tDestination\tGateway\neth0\t0001A8C0\t00000000\t0001\n')).toBeNull();
    expect(parseDefaultGateway('')).toBeNull();
  });
});
