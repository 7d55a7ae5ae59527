import { describe, expect, it } from 'vitest';
import { parseArpLine } from '../../src/passive/arpLine.js';
import { DHCP_MAX_BYTES, dhcpFingerprint, parseDhcp } from '../../src/passive/dhcp.js';
import { parseMdns } from '../../src/passive/mdns.js';
import { dhcpPacket } from '../helpers/dhcpPacket.js';
// @ts-expect-error plain JS module shared with the simulated LAN's announcer
import { buildAnnouncement } from '../lan/mdns-announcer.mjs';

const IPHONE_PRL = [1, 121, 3, 6, 15, 108, 114, 119, 252];

describe('DHCP request parser', () => {
  it('reads chaddr, message type, hostname, client id, parameter-request list (in order), vendor class, requested IP', () => {
    const m = parseDhcp(
      dhcpPacket({
        mac: '7a:11:22:33:44:55',
        type: 3,
        hostname: 'Annas-iPhone',
        clientId: Buffer.from('ff00112233000100012c', 'hex'),
        params: IPHONE_PRL,
        vendorClass: 'android-dhcp-14',
        requestedIp: '192.168.1.57',
      }),
    );
    expect(m).toEqual({
      mac: '7a:11:22:33:44:55',
      type: 'request',
      hostname: 'Annas-iPhone',
      clientId: 'ff00112233000100012c',
      paramList: IPHONE_PRL,
      vendorClass: 'android-dhcp-14',
      ip: '192.168.1.57',
    });
  });

  it('falls back to ciaddr (renewing client); no usable address → null', () => {
    expect(parseDhcp(dhcpPacket({ mac: '02:00:00:00:00:01', type: 3, ciaddr: '10.0.0.9' }))?.ip).toBe(
      '10.0.0.9',
    );
    expect(
      parseDhcp(dhcpPacket({ mac: '02:00:00:00:00:01', requestedIp: '255.255.255.255' }))?.ip,
    ).toBeNull();
  });

  it('refuses server messages, non-Ethernet, multicast/zero chaddr, missing cookie or message type', () => {
    const ok = dhcpPacket({ mac: '02:00:00:00:00:01' });
    const op2 = Buffer.from(ok);
    op2[0] = 2;
    expect(parseDhcp(op2)).toBeNull();
    const htype = Buffer.from(ok);
    htype[1] = 6;
    expect(parseDhcp(htype)).toBeNull();
    expect(parseDhcp(dhcpPacket({ mac: '01:00:5e:00:00:01' }))).toBeNull();
    expect(parseDhcp(dhcpPacket({ mac: '00:00:00:00:00:00' }))).toBeNull();
    const cookie = Buffer.from(ok);
    cookie[236] = 0;
    expect(parseDhcp(cookie)).toBeNull();
    expect(parseDhcp(dhcpPacket({ mac: '02:00:00:00:00:01', type: 2 }))).toBeNull(); // OFFER is a server's
    expect(parseDhcp(Buffer.alloc(DHCP_MAX_BYTES + 1))).toBeNull();
  });

  it('hostile strings stay data: control characters stripped, capped; the first copy of an option wins', () => {
    const m = parseDhcp(
      dhcpPacket({
        mac: '02:00:00:00:00:02',
        hostname: `\u001b[31mevil\r\n${'x'.repeat(200)}`,
        extra: Buffer.concat([Buffer.from([12, 5]), Buffer.from('other')]),
      }),
    );
    expect(m?.hostname?.startsWith('[31mevilx')).toBe(true);
    expect(m?.hostname?.length).toBeLessThanOrEqual(63);
    expect(m?.hostname).not.toMatch(/[\u0000-\u001f]/);
  });

  it('truncated options stop parsing without throwing', () => {
    const p = dhcpPacket({ mac: '02:00:00:00:00:03', hostname: 'ok' });
    const cut = Buffer.concat([p.subarray(0, p.length - 1), Buffer.from([12, 200, 65])]);
    expect(parseDhcp(cut)?.hostname).toBe('ok');
  });

  it('fingerprint: PRL order + hostname + client id; a client id that is just the MAC is left out', () => {
    const base = { hostname: 'Pixel-8', paramList: [1, 3, 6], clientId: null };
    expect(dhcpFingerprint({ mac: '02:00:00:00:00:01', ...base })).toBe('1,3,6|pixel-8|');
    expect(dhcpFingerprint({ mac: '02:00:00:00:00:01', ...base, paramList: [3, 1, 6] })).not.toBe(
      '1,3,6|pixel-8|',
    );
    expect(dhcpFingerprint({ mac: '02:00:00:00:00:01', ...base, clientId: '01020000000001' })).toBe(
      '1,3,6|pixel-8|',
    );
    expect(
      dhcpFingerprint({ mac: '02:00:00:00:00:01', hostname: null, paramList: [1, 3], clientId: null }),
    ).toBeNull();
  });
});

describe('mDNS parser', () => {
  it('reads the announced host, its address, service type and instance name', () => {
    const a = parseMdns(
      buildAnnouncement({
        host: 'anna-iphone',
        ip: '192.168.1.57',
        service: '_airplay._tcp',
        instance: 'Living Room',
      }),
    );
    expect(a).toEqual({
      hosts: ['anna-iphone.local'],
      addresses: [{ name: 'anna-iphone.local', ip: '192.168.1.57' }],
      ipv6: [],
      services: ['_airplay._tcp'],
      instances: ['Living Room'],
    });
  });

  it('compression pointers: backwards ones are followed, loops and forward jumps are refused', () => {
    // header, one A record whose owner is a pointer to itself
    const loop = Buffer.concat([
      Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
      Buffer.from([0xc0, 12]),
      Buffer.alloc(14),
    ]);
    expect(parseMdns(loop)?.hosts).toEqual([]);
    const fwd = Buffer.concat([
      Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
      Buffer.from([0xc0, 40]),
      Buffer.alloc(40),
    ]);
    expect(parseMdns(fwd)?.hosts).toEqual([]);
  });
});

describe('tcpdump ARP line parser', () => {
  it('request: the sender MAC/IP; probe (sender 0.0.0.0): MAC only', () => {
    expect(
      parseArpLine(
        '16:59:01.123456 7a:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.213.9.1 tell 10.213.9.57, length 28',
      ),
    ).toEqual({ mac: '7a:11:22:33:44:55', ip: '10.213.9.57' });
    expect(
      parseArpLine(
        '16:59:01.123456 7a:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.213.9.57 (ff:ff:ff:ff:ff:ff) tell 0.0.0.0, length 28',
      ),
    ).toEqual({ mac: '7a:11:22:33:44:55', ip: null });
  });

  it('reply only when the claimed MAC is the frame sender', () => {
    const line = (claimed: string) =>
      `16:59:01.1 b8:27:eb:12:34:56 > 02:13:00:00:09:02, ethertype ARP (0x0806), length 42: Reply 10.213.9.10 is-at ${claimed}, length 28`;
    expect(parseArpLine(line('b8:27:eb:12:34:56'))).toEqual({ mac: 'b8:27:eb:12:34:56', ip: '10.213.9.10' });
    expect(parseArpLine(line('de:ad:be:ef:00:01'))).toBeNull();
  });

  it('garbage, oversized and non-ARP lines → null', () => {
    expect(parseArpLine('')).toBeNull();
    expect(parseArpLine('tcpdump: verbose output suppressed')).toBeNull();
    expect(
      parseArpLine(
        `16:59:01.1 b8:27:eb:12:34:56 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 1.2.3.4 tell 1.2.3.5, ${'x'.repeat(600)}`,
      ),
    ).toBeNull();
    expect(
      parseArpLine(
        '16:59:01.1 ff:ff:ff:ff:ff:ff > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 1.2.3.4 tell 1.2.3.5, length 28',
      ),
    ).toBeNull();
    expect(
      parseArpLine(
        '16:59:01.1 b8:27:eb:12:34:56 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 1.2.3.4 tell 999.2.3.5, length 28',
      ),
    ).toEqual({ mac: 'b8:27:eb:12:34:56', ip: null });
  });
});

/** Deterministic PRNG so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('fuzz: malformed and oversized packets stay data', () => {
  const rand = rng(19);
  const mutate = (b: Buffer, n: number): Buffer => {
    const c = Buffer.from(b);
    for (let i = 0; i < n; i++) c[Math.floor(rand() * c.length)] = Math.floor(rand() * 256);
    return rand() < 0.3 ? c.subarray(0, Math.floor(rand() * c.length)) : c;
  };
  const dhcpSeed = dhcpPacket({
    mac: '7a:11:22:33:44:55',
    type: 3,
    hostname: 'phone',
    clientId: Buffer.from('ff0102', 'hex'),
    params: IPHONE_PRL,
    vendorClass: 'x',
    requestedIp: '10.0.0.5',
  });
  const mdnsSeed: Buffer = buildAnnouncement({
    host: 'h',
    ip: '10.0.0.5',
    service: '_hap._tcp',
    instance: 'Lamp',
  });

  it('20 000 mutated / random DHCP packets: no throw, every field bounded', () => {
    let parsed = 0;
    for (let i = 0; i < 20_000; i++) {
      const b =
        i % 4 === 0
          ? Buffer.from(Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)))
          : mutate(dhcpSeed, 1 + Math.floor(rand() * 20));
      const m = parseDhcp(b);
      if (!m) continue;
      parsed++;
      expect(m.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      expect((m.hostname ?? '').length).toBeLessThanOrEqual(63);
      expect((m.vendorClass ?? '').length).toBeLessThanOrEqual(64);
      expect((m.clientId ?? '').length).toBeLessThanOrEqual(128);
      expect(m.paramList.length).toBeLessThanOrEqual(255);
      expect(`${m.hostname}${m.vendorClass}`).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    expect(parsed).toBeGreaterThan(1000); // the mutations reach the option parser, not just the header checks
  });

  it('20 000 mutated / random mDNS packets: no throw, lists and names bounded', () => {
    let withHosts = 0;
    for (let i = 0; i < 20_000; i++) {
      const b =
        i % 4 === 0
          ? Buffer.from(Array.from({ length: 12 + Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)))
          : mutate(mdnsSeed, 1 + Math.floor(rand() * 12));
      const a = parseMdns(b);
      if (!a) continue;
      if (a.hosts.length) withHosts++;
      for (const l of [a.hosts, a.services, a.instances, a.ipv6]) expect(l.length).toBeLessThanOrEqual(16);
      expect(a.addresses.length).toBeLessThanOrEqual(16);
      for (const h of a.hosts) expect(h.length).toBeLessThanOrEqual(253);
      for (const n of [...a.hosts, ...a.instances]) expect(n).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    expect(withHosts).toBeGreaterThan(500);
    expect(parseMdns(Buffer.alloc(70_000))).toBeNull();
  });

  it('5 000 random ARP-ish lines: no throw; a sighting always has a valid unicast MAC', () => {
    const seed =
      '16:59:01.1 b8:27:eb:12:34:56 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.1 tell 10.0.0.2, length 28';
    for (let i = 0; i < 5_000; i++) {
      const chars = [...seed];
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++)
        chars[Math.floor(rand() * chars.length)] = String.fromCharCode(Math.floor(rand() * 128));
      const s = parseArpLine(chars.join(''));
      if (s) {
        expect(s.mac).toMatch(/^[0-9a-f][02468ace](:[0-9a-f]{2}){5}$/);
        if (s.ip) expect(s.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      }
    }
  });
});
