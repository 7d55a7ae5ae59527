import { describe, expect, it } from 'vitest';
import {
  classifyKind,
  DEVICE_KINDS,
  KIND_INFO,
  KIND_PATTERNS,
  type KindEvidence,
  type KindPattern,
  patternMatches,
  shortVendor,
} from '../../src/inventory/kinds.js';
import { displayName } from '../../src/inventory/types.js';

/** Evidence that holds only the pattern's example in the pattern's field. */
function evidenceFor(pt: KindPattern): KindEvidence {
  const e: KindEvidence = { ports: [] };
  switch (pt.field) {
    case 'vendor':
      e.vendor = pt.example;
      break;
    case 'hostname':
      e.hostname = pt.example;
      break;
    case 'gateway':
      e.isGateway = true;
      break;
    case 'port': {
      const [port, proto] = pt.example.split('/');
      e.ports = [{ port: Number(port), protocol: proto as 'tcp' | 'udp' }];
      break;
    }
    default: {
      const key = {
        service: 'service',
        product: 'product',
        devicetype: 'devicetype',
        http_title: 'httpTitle',
        http_server: 'httpServer',
      }[pt.field] as 'service';
      e.ports = [{ port: 8080, protocol: 'tcp', [key]: pt.example }];
    }
  }
  return e;
}

describe('device kind pattern table', () => {
  it('answers the same through its per-value match cache as pattern by pattern (a copy of the table)', () => {
    // evidence mixing every pattern's example with others' (seeded), each classified twice: with the table itself
    // (the cached path) and with a copy of it (the direct path); the second round hits the cache
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const copy = [...KIND_PATTERNS];
    const cases: KindEvidence[] = [];
    for (let n = 0; n < 400; n++) {
      const parts = [0, 1, 2, 3].map(() =>
        evidenceFor(KIND_PATTERNS[next() % KIND_PATTERNS.length] as KindPattern),
      );
      // each port twice, the second with its texts changed: the reason must name the first value a pattern matches
      const ports = parts.flatMap((x) => x.ports);
      const bump = (v: string | undefined) => (v === undefined ? undefined : `${v} 2`);
      const again = ports.map((p) => ({
        protocol: p.protocol,
        port: p.port,
        service: bump(p.service),
        product: bump(p.product),
        devicetype: bump(p.devicetype),
        httpTitle: bump(p.httpTitle),
        httpServer: bump(p.httpServer),
      }));
      const e: KindEvidence = { ports: [...ports, ...again] };
      for (const x of parts) {
        if (x.vendor) e.vendor = x.vendor;
        if (x.hostname) e.hostname = x.hostname;
        if (x.isGateway) e.isGateway = true;
      }
      cases.push(e);
    }
    for (let round = 0; round < 2; round++)
      for (const e of cases) expect(classifyKind(e)).toEqual(classifyKind(e, copy));
    expect(cases.filter((e) => classifyKind(e) !== null).length).toBeGreaterThan(200);
  });

  it('has at least 60 patterns over vendor, hostname, ports, services, device types and HTTP title/Server', () => {
    expect(KIND_PATTERNS.length).toBeGreaterThanOrEqual(60);
    const fields = new Set(KIND_PATTERNS.map((p) => p.field));
    for (const f of ['vendor', 'hostname', 'port', 'service', 'devicetype', 'http_title', 'http_server'])
      expect(fields).toContain(f);
    for (const k of DEVICE_KINDS)
      expect(
        KIND_PATTERNS.some((p) => p.kind === k),
        k,
      ).toBe(true);
  });

  it('every pattern matches its example and its evidence points to its kind', () => {
    for (const pt of KIND_PATTERNS) {
      expect(patternMatches(pt, pt.example), `${pt.field} ${String(pt.match)}`).toBe(true);
      const e = evidenceFor(pt);
      const guess = classifyKind(e, [pt]);
      if (pt.weight >= 30) expect(guess?.kind, `${pt.field} ${pt.example}`).toBe(pt.kind);
      // the whole table may know better, but this pattern's kind is among what it considers
      const all = classifyKind(e);
      if (pt.weight >= 60) expect(all?.kind, `${pt.field} ${pt.example} (whole table)`).toBe(pt.kind);
    }
  });

  it('classifies realistic devices', () => {
    const cam = classifyKind({
      vendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.',
      ports: [
        { protocol: 'tcp', port: 80, service: 'http', httpServer: 'App-webs/' },
        { protocol: 'tcp', port: 554, service: 'rtsp' },
      ],
    });
    expect(cam?.kind).toBe('camera');
    expect(cam?.confidence).toBeGreaterThan(90);
    expect(cam?.reasons[0]).toContain('Hikvision');

    const iphone = classifyKind({ vendor: 'Apple, Inc.', hostname: 'Annas-iPhone', ports: [] });
    expect(iphone?.kind).toBe('phone');

    // Apple alone is a weak guess; Apple + AirPlay speaker ports is not a phone
    const appleOnly = classifyKind({ vendor: 'Apple, Inc.', ports: [] });
    expect(appleOnly === null || appleOnly.confidence < 40).toBe(true);

    const printer = classifyKind({
      vendor: 'Hewlett Packard',
      ports: [
        { protocol: 'tcp', port: 9100, service: 'jetdirect' },
        { protocol: 'tcp', port: 631, service: 'ipp', httpTitle: 'HP LaserJet MFP M426fdw' },
      ],
    });
    expect(printer?.kind).toBe('printer');

    const gw = classifyKind({ vendor: 'TP-LINK TECHNOLOGIES CO.,LTD.', isGateway: true, ports: [] });
    expect(gw?.kind).toBe('router');

    const nas = classifyKind({
      vendor: 'Intel Corporate',
      hostname: 'living-room-nas',
      ports: [{ protocol: 'tcp', port: 445, service: 'microsoft-ds', product: 'Samba smbd' }],
    });
    expect(nas?.kind).toBe('nas');

    const ha = classifyKind({
      vendor: 'Raspberry Pi Trading Ltd',
      ports: [{ protocol: 'tcp', port: 8123, service: 'http', httpTitle: 'Home Assistant' }],
    });
    expect(ha?.kind).toBe('hub');

    expect(classifyKind({ vendor: null, hostname: null, ports: [] })).toBeNull();
    // one pattern counts once however many ports match it
    const many = classifyKind({
      ports: Array.from({ length: 20 }, (_, i) => ({
        protocol: 'tcp' as const,
        port: 1000 + i,
        service: 'rtsp',
      })),
    });
    expect(many?.confidence).toBe(40);
  });

  it('hostile text is bounded and never breaks the classifier', () => {
    const long = `${'a'.repeat(100_000)}hikvision`;
    const t0 = performance.now();
    const g = classifyKind({ vendor: long, hostname: '<script>alert(1)</script>', ports: [] });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(g).toBeNull(); // the vendor's tail beyond the cap is not read
  });
});

describe('short default names', () => {
  it('shortens registry names to the brand', () => {
    expect(shortVendor('Hangzhou Hikvision Digital Technology Co.,Ltd.')).toBe('Hikvision');
    expect(shortVendor('Sonos, Inc.')).toBe('Sonos');
    expect(shortVendor('AVM Audiovisuelles Marketing und Computersysteme GmbH')).toBe('AVM');
    expect(shortVendor('TP-LINK TECHNOLOGIES CO.,LTD.')).toBe('TP-Link');
    expect(shortVendor('Synology Incorporated')).toBe('Synology');
    expect(shortVendor('Espressif Inc.')).toBe('Espressif');
    expect(shortVendor('Samsung Electronics Co.,Ltd')).toBe('Samsung');
    expect(shortVendor('Raspberry Pi Trading Ltd')).toBe('Raspberry Pi');
    expect(shortVendor(null)).toBeNull();
  });

  it('"Hikvision camera .30" instead of the legal name and MAC bytes', () => {
    const base = { name: null, hostname: null, mac: 'a4:14:37:01:02:03', ip: '192.168.1.30' };
    const vendor = 'Hangzhou Hikvision Digital Technology Co.,Ltd.';
    expect(displayName({ ...base, vendor, kind: 'camera' })).toBe('Hikvision camera .30');
    expect(displayName({ ...base, vendor, kind: 'camera', kindOverride: 'nas' })).toBe('Hikvision NAS .30');
    expect(displayName({ ...base, vendor: null, kind: 'printer' })).toBe('Printer .30');
    expect(displayName({ ...base, vendor, kind: null })).toBe('Hikvision .30');
    expect(displayName({ ...base, vendor, kind: 'camera', ip: null })).toBe('Hikvision camera 01:02:03');
    expect(displayName({ ...base, vendor: null, randomized: true })).toBe('Private device .30');
    expect(displayName({ ...base, vendor, hostname: 'garage-cam' })).toBe('garage-cam');
    expect(displayName({ ...base, vendor, name: 'Front door', kind: 'camera' })).toBe('Front door');
    expect(displayName({ ...base, vendor: null })).toBe(base.mac);
  });

  it('every kind has a label, a noun and an mdi icon', () => {
    for (const k of DEVICE_KINDS) {
      expect(KIND_INFO[k].label.length).toBeGreaterThan(1);
      expect(KIND_INFO[k].icon).toMatch(/^mdi:[a-z0-9-]+$/);
    }
  });
});
