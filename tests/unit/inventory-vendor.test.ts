import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  cleanVendor,
  lookupVendor,
  preloadVendorIndex,
  VENDOR_MAX_LENGTH,
  vendorIndexStats,
} from '../../src/inventory/vendor.js';

describe('lookupVendor (oui-data, MA-L/MA-M/MA-S)', () => {
  it('is lazy: nothing is loaded before the first lookup, then the index has all three registries', () => {
    expect(vendorIndexStats()).toBeNull();
    const heapBefore = process.memoryUsage().heapUsed;
    const stats = preloadVendorIndex();
    const heapAfter = process.memoryUsage().heapUsed;
    expect(stats.entries).toBeGreaterThan(50_000);
    console.log(
      `vendor index: ${stats.entries} prefixes, load ${stats.loadMs.toFixed(0)} ms, heap +${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB (before GC)`,
    );
  });

  it.each([
    ['b8:27:eb:12:34:56', 'Raspberry Pi Foundation'],
    ['dc:a6:32:12:34:56', 'Raspberry Pi Trading Ltd'],
    ['2c:cf:67:12:34:56', 'Raspberry Pi (Trading) Ltd'],
    ['24:0a:c4:12:34:56', 'Espressif Inc.'],
    ['F0-B3-EC-12-34-56', 'Apple, Inc.'],
    ['00113212abcd', 'Synology Incorporated'],
  ])('MA-L %s → %s', (mac, vendor) => {
    expect(lookupVendor(mac)).toBe(vendor);
  });

  it('MA-M (7 hex) wins over the IEEE RA MA-L block, and neighbours differ', () => {
    expect(lookupVendor('10:06:48:01:02:03')).toBe('FLEXTRONICS TECHNOLOGIES (INDIA) PVT LTD');
    expect(lookupVendor('10:06:48:11:02:03')).toBe('KYTRONICS');
  });

  it('MA-S (9 hex) wins over MA-L', () => {
    expect(lookupVendor('00:1b:c5:00:01:23')).toBe('Converging Systems Inc.');
    expect(lookupVendor('00:1b:c5:00:11:23')).toBe('OpenRB.com, Direct SIA');
    expect(lookupVendor('70:b3:d5:00:1f:ff')).toBe('SOREDI touch systems GmbH');
  });

  it('an IEEE RA block without a known sub-assignment is not a vendor', () => {
    expect(lookupVendor('10:06:48:f1:02:03')).toBeNull();
  });

  it('randomized, invalid and unknown MACs → null', () => {
    expect(lookupVendor('da:a1:19:00:00:01')).toBeNull();
    expect(lookupVendor('02:00:00:00:00:01')).toBeNull();
    expect(lookupVendor('not a mac')).toBeNull();
    expect(lookupVendor('ff:ff:ff:ff:ff:ff')).toBeNull();
  });

  it('vendor strings are single-line, trimmed and without control characters', () => {
    for (const mac of ['b8:27:eb:00:00:01', '00:1b:c5:00:01:23', '10:06:48:01:02:03']) {
      const v = lookupVendor(mac)!;
      expect(v).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(v).toBe(v.trim());
      expect(v.length).toBeLessThanOrEqual(VENDOR_MAX_LENGTH);
    }
  });
});

describe('cleanVendor', () => {
  it('takes the first line, strips control and bidi characters, collapses spaces, caps length', () => {
    expect(cleanVendor('  Acme\u0007 Corp \nStreet 1\nCountry')).toBe('Acme Corp');
    expect(cleanVendor('Evil\u202eCorp\r\nx')).toBe('EvilCorp');
    expect(cleanVendor('x'.repeat(500))).toHaveLength(VENDOR_MAX_LENGTH);
    expect(cleanVendor('\n')).toBeNull();
    expect(cleanVendor(7)).toBeNull();
  });
});

describe('the index read from the registry bytes (issue 18)', () => {
  it('answers every registry prefix as a full JSON.parse of the registry does', () => {
    // the reference: the whole file parsed as JSON, each entry's first line cleaned, longest prefix first
    const registry = JSON.parse(
      readFileSync(createRequire(import.meta.url).resolve('oui-data'), 'utf8'),
    ) as Record<string, string>;
    const org = new Map<string, string | null>();
    for (const [k, v] of Object.entries(registry)) org.set(k.toUpperCase(), cleanVendor(v.split('\n')[0]));
    const expected = (hex: string): string | null => {
      const hit = [9, 7, 6].map((n) => org.get(hex.slice(0, n))).find((o) => o !== undefined && o !== null);
      return hit === undefined || hit === 'IEEE Registration Authority' ? null : hit;
    };
    const keys = [...org.keys()];
    expect(keys.length).toBeGreaterThan(50_000);
    let checked = 0;
    for (let i = 0; i < keys.length; i += 3) {
      const hex = `${keys[i]}0000000`.slice(0, 12);
      const mac = hex.toLowerCase().match(/../g)!.join(':');
      const first = Number.parseInt(hex.slice(0, 2), 16);
      if ((first & 0x03) !== 0) continue; // multicast / locally administered: never a vendor
      expect(lookupVendor(mac), mac).toBe(expected(hex));
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
