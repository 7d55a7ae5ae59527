import { describe, expect, it } from 'vitest';
import { isRandomizedMac, normalizeMac } from '../../src/inventory/mac.js';

describe('normalizeMac', () => {
  it.each([
    ['AA:BB:CC:DD:EE:F0', 'aa:bb:cc:dd:ee:f0'],
    ['aa-bb-cc-dd-ee-f0', 'aa:bb:cc:dd:ee:f0'],
    ['AA-BB-CC-DD-EE-F0', 'aa:bb:cc:dd:ee:f0'],
    ['aabb.ccdd.eef0', 'aa:bb:cc:dd:ee:f0'],
    ['AABBCCDDEEF0', 'aa:bb:cc:dd:ee:f0'],
    ['  b8:27:eb:01:02:03 ', 'b8:27:eb:01:02:03'],
    ['0:1b:c5:0:a:b', '00:1b:c5:00:0a:0b'],
  ])('%s → %s', (input, out) => {
    expect(normalizeMac(input)).toBe(out);
  });

  it.each([
    [''],
    ['garbage'],
    ['aa:bb:cc:dd:ee'],
    ['aa:bb:cc:dd:ee:ff:00'],
    ['aa:bb-cc:dd:ee:f0'], // mixed separators
    ['gg:bb:cc:dd:ee:f0'],
    ['aabbccddeef'],
    ['00:00:00:00:00:00'],
    ['ff:ff:ff:ff:ff:ff'],
    ['01:00:5e:00:00:fb'], // IPv4 multicast
    ['33:33:00:00:00:01'], // IPv6 multicast
    ["aa:bb:cc:dd:ee:f0'); DROP TABLE devices;--"],
  ])('rejects %j', (input) => {
    expect(normalizeMac(input)).toBeNull();
  });

  it('rejects non-strings without throwing', () => {
    expect(normalizeMac(undefined as unknown as string)).toBeNull();
    expect(normalizeMac(42 as unknown as string)).toBeNull();
  });
});

describe('isRandomizedMac', () => {
  it.each([
    '02:00:00:00:00:01',
    'a6:11:22:33:44:55',
    'da:a1:19:00:00:01',
    'fe:ed:00:00:00:01',
    '6A-00-00-00-00-01',
  ])('%s is locally administered', (mac) => {
    expect(isRandomizedMac(mac)).toBe(true);
  });
  it.each(['b8:27:eb:00:00:01', '00:11:32:aa:bb:cc', '24:0a:c4:00:00:01', 'f0:b3:ec:00:00:01', 'garbage'])(
    '%s is not',
    (mac) => {
      expect(isRandomizedMac(mac)).toBe(false);
    },
  );
});

describe('the already-normal fast path (issue 18)', () => {
  it('answers every first octet as the general path does (upper case takes the general path)', () => {
    for (let first = 0; first < 256; first++) {
      for (const rest of ['00:00:00:00:00', '11:22:33:44:55', 'ff:ff:ff:ff:ff']) {
        const lower = `${first.toString(16).padStart(2, '0')}:${rest}`;
        const upper = lower.toUpperCase();
        expect(normalizeMac(lower)).toBe(normalizeMac(upper));
        expect(isRandomizedMac(lower)).toBe(isRandomizedMac(upper));
      }
    }
    expect(normalizeMac('00:00:00:00:00:00')).toBeNull();
    expect(normalizeMac('01:00:5e:00:00:fb')).toBeNull();
    expect(normalizeMac('ff:ff:ff:ff:ff:ff')).toBeNull();
    expect(normalizeMac('b8:27:eb:00:00:01')).toBe('b8:27:eb:00:00:01');
  });
});
