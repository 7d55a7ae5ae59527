/** Wake-on-LAN cores: the magic packet's bytes, which MACs can be woken, and where the packet is aimed. */
import { describe, expect, it } from 'vitest';
import {
  MAGIC_PACKET_LENGTH,
  magicPacket,
  packetHex,
  parseSecureOn,
  parseWakeMac,
} from '../../src/wol/magicPacket.js';
import { wakeTargets } from '../../src/wol/targets.js';

const bytesOf = (mac: string) => {
  const p = parseWakeMac(mac);
  if (!p.ok) throw new Error(p.message);
  return p.bytes;
};

describe('magic packet', () => {
  it('is 6 × 0xff then the MAC 16 times: 102 bytes, written out in full', () => {
    const p = magicPacket(bytesOf('00:11:32:AA:BB:CC'));
    expect(p.length).toBe(MAGIC_PACKET_LENGTH);
    expect(p.length).toBe(102);
    // spelled out, not computed the way the builder does
    const expected = `ffffffffffff${'001132aabbcc'.repeat(16)}`;
    expect(packetHex(p)).toBe(expected);
    expect(Array.from(p.subarray(0, 12))).toEqual([
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x32, 0xaa, 0xbb, 0xcc,
    ]);
    expect(Array.from(p.subarray(96))).toEqual([0x00, 0x11, 0x32, 0xaa, 0xbb, 0xcc]);
  });

  it('appends a SecureOn password of 6 (MAC-like) or 4 (IPv4-like) bytes', () => {
    const mac = bytesOf('b8:27:eb:12:34:56');
    const six = magicPacket(mac, parseSecureOn('01:02:03:04:05:06')!);
    expect(six.length).toBe(108);
    expect(packetHex(six).slice(204)).toBe('010203040506');
    const four = magicPacket(mac, parseSecureOn('192.168.1.1')!);
    expect(four.length).toBe(106);
    expect(Array.from(four.subarray(102))).toEqual([192, 168, 1, 1]);
    expect(parseSecureOn('300.1.1.1')).toBeNull();
    expect(parseSecureOn('secret')).toBeNull();
    expect(() => magicPacket(mac, Uint8Array.of(1, 2, 3))).toThrow(/4 or 6 bytes/);
    expect(() => magicPacket(Uint8Array.of(1, 2, 3))).toThrow(/6 bytes/);
  });
});

describe('which MAC can be woken', () => {
  it('accepts the usual spellings, normalised', () => {
    for (const s of [
      '00:11:32:AA:BB:CC',
      '00-11-32-aa-bb-cc',
      '001132aabbcc',
      '0011.32aa.bbcc',
      ' 00:11:32:aa:bb:cc ',
    ])
      expect(parseWakeMac(s)).toMatchObject({ ok: true, mac: '00:11:32:aa:bb:cc' });
    // a locally administered (randomized) MAC is a unicast MAC: it can be woken
    expect(parseWakeMac('da:a1:19:5e:6f:70').ok).toBe(true);
  });

  it('refuses broadcast, multicast, all-zero and malformed MACs with a reason that says which', () => {
    const why = (s: string) => {
      const r = parseWakeMac(s);
      return r.ok ? 'ok' : r.message;
    };
    expect(why('ff:ff:ff:ff:ff:ff')).toMatch(/broadcast/);
    expect(why('01:00:5e:00:00:fb')).toMatch(/multicast/);
    expect(why('33:33:00:00:00:01')).toMatch(/multicast/);
    expect(why('00:00:00:00:00:00')).toMatch(/all zero/);
    expect(why('00:11:32:aa:bb')).toMatch(/not a MAC/);
    expect(why('00:11:32:aa:bb:cc; reboot')).toMatch(/not a MAC/);
    expect(why('00:11-32:aa:bb:cc')).toMatch(/not a MAC/);
  });
});

describe('where the packet goes', () => {
  it('the directed broadcast of the most specific watched subnet holding the IP, and 255.255.255.255', () => {
    expect(wakeTargets('10.213.57.30', ['10.213.57.0/24'], 9)).toEqual({
      ok: true,
      subnet: '10.213.57.0/24',
      targets: [
        { address: '10.213.57.255', port: 9 },
        { address: '255.255.255.255', port: 9 },
      ],
    });
    const nested = wakeTargets('192.168.4.9', ['10.0.0.0/8', '192.168.0.0/16', '192.168.4.0/22'], 7);
    expect(nested).toMatchObject({ ok: true, subnet: '192.168.4.0/22' });
    expect(nested.ok && nested.targets).toEqual([
      { address: '192.168.7.255', port: 7 },
      { address: '255.255.255.255', port: 7 },
    ]);
    // a subnet written with host bits set still gives its network's broadcast
    const loose = wakeTargets('172.16.5.20', ['172.16.5.1/24'], 9);
    expect(loose.ok && loose.targets[0]).toEqual({ address: '172.16.5.255', port: 9 });
    // /31 and /32 have no broadcast address: the device's own address
    const p2p = wakeTargets('10.9.9.1', ['10.9.9.0/31'], 9);
    expect(p2p.ok && p2p.targets[0]).toEqual({ address: '10.9.9.1', port: 9 });
  });

  it('no IPv4 or no subnet holding it: a reason, no target', () => {
    expect(wakeTargets(null, ['10.0.0.0/24'], 9)).toMatchObject({ ok: false, reason: 'no_ipv4' });
    expect(wakeTargets('fe80::1', ['10.0.0.0/24'], 9)).toMatchObject({ ok: false, reason: 'no_ipv4' });
    const outside = wakeTargets('10.0.1.5', ['10.0.0.0/24'], 9);
    expect(outside).toMatchObject({ ok: false, reason: 'no_subnet' });
    expect(!outside.ok && outside.message).toContain('10.0.1.5');
    expect(wakeTargets('10.0.1.5', [], 9)).toMatchObject({ ok: false, reason: 'no_subnet' });
  });
});
