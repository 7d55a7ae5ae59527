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
