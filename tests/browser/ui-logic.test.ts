/** Pure helpers behind the ingress UI: hash routing, numeric IP order, presence timeline, API URLs. */
import { describe, expect, it } from 'vitest';
import { apiUrl } from '../../frontend-card/src/app/api.js';
import {
  changeLabel,
  ipKey,
  normalizeMac,
  serviceText,
  timeAgo,
} from '../../frontend-card/src/app/format.js';
import { parseRoute } from '../../frontend-card/src/app/router.js';
import { presenceSegments, uptimeShare } from '../../frontend-card/src/app/timeline.js';
import { certExpiry, clip, SAN_STORED_MAX, sanPreview } from '../../frontend-card/src/app/tls.js';

describe('parseRoute', () => {
  it('maps hashes to pages', () => {
    expect(parseRoute('')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/devices/AA:BB:CC:DD:EE:FF')).toEqual({ page: 'device', mac: 'aa:bb:cc:dd:ee:ff' });
    expect(parseRoute('#/devices/aa%3Abb%3Acc%3Add%3Aee%3Aff')).toEqual({
      page: 'device',
      mac: 'aa:bb:cc:dd:ee:ff',
    });
    expect(parseRoute('#/scans/12')).toEqual({ page: 'scan', id: 12 });
    expect(parseRoute('#/scans/compare/3/9')).toEqual({ page: 'compare', a: 3, b: 9 });
    expect(parseRoute('#/scans/compare?a=4&b=5')).toEqual({ page: 'compare', a: 4, b: 5 });
    expect(parseRoute('#/scans/x')).toEqual({ page: 'not-found', path: '/scans/x' });
    expect(parseRoute('#/nope')).toEqual({ page: 'not-found', path: '/nope' });
  });

  it('keeps the device list query', () => {
    const r = parseRoute('#/devices?q=nas&filter=online&sort=ip');
    expect(r.page).toBe('devices');
    if (r.page !== 'devices') throw new Error('unreachable');
    expect(r.params.get('q')).toBe('nas');
    expect(r.params.get('filter')).toBe('online');
  });

  it('survives malformed escapes', () => {
    expect(parseRoute('#/devices/%E0%A4%A')).toEqual({ page: 'device', mac: '%e0%a4%a' });
  });
});

describe('format helpers', () => {
  it('orders IPv4 numerically', () => {
    const ips = ['10.0.0.10', '10.0.0.9', '9.255.255.255', '192.168.1.2', 'fe80::1'];
    expect([...ips].sort((a, b) => ipKey(a) - ipKey(b))).toEqual([
      '9.255.255.255',
      '10.0.0.9',
      '10.0.0.10',
      '192.168.1.2',
      'fe80::1',
    ]);
    expect(ipKey(null)).toBeGreaterThan(ipKey('255.255.255.255'));
  });

  it('normalises MACs and rejects others', () => {
    expect(normalizeMac('AA-BB-CC-DD-EE-FF')).toBe('aa:bb:cc:dd:ee:ff');
    expect(normalizeMac('aabb.ccdd.eeff')).toBe('aa:bb:cc:dd:ee:ff');
    expect(normalizeMac('aa:bb:cc')).toBeNull();
  });

  it('renders times and services', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(timeAgo('2025-01-01T11:59:50Z', now)).toBe('just now');
    expect(timeAgo('2025-01-01T11:55:00Z', now)).toBe('5 min ago');
    expect(timeAgo('2024-12-30T12:00:00Z', now)).toBe('2 d ago');
    expect(timeAgo(null, now)).toBe('never');
    expect(serviceText({ service: 'ssh', product: 'OpenSSH', version: '9.6p1', extrainfo: 'Ubuntu' })).toBe(
      'OpenSSH 9.6p1 (Ubuntu)',
    );
    expect(serviceText({ service: 'http', product: null, version: null })).toBe('http');
    expect(changeLabel('port_opened')).toBe('Port opened');
    expect(changeLabel('something_else')).toBe('something else');
  });
});

describe('apiUrl', () => {
  it('is always relative to the page and drops empty values', () => {
    expect(apiUrl('devices', { q: 'a b', filter: 'all', vendor: '', limit: 100, x: undefined })).toBe(
      'api/devices?q=a+b&filter=all&limit=100',
    );
    expect(apiUrl('/health')).toBe('api/health');
  });
});

describe('presenceSegments', () => {
  const now = Date.parse('2025-01-08T00:00:00Z');
  const week = 7 * 86_400_000;

  it('splits the window at state changes and carries the state from before the window', () => {
    const segs = presenceSegments(
      [
        { time: '2024-12-01T00:00:00Z', online: true },
        { time: '2025-01-04T12:00:00Z', online: false },
        { time: '2025-01-06T00:00:00Z', online: true },
      ],
      now,
      week,
    );
    expect(segs.map((s) => s.online)).toEqual([true, false, true]);
    expect(segs[0]!.left).toBe(0);
    expect(segs.reduce((a, s) => a + s.width, 0)).toBeCloseTo(1, 6);
    expect(uptimeShare(segs)).toBeCloseTo(1 - 1.5 / 7, 6);
  });

  it('starts at the first point inside the window when nothing came before', () => {
    const segs = presenceSegments([{ time: '2025-01-07T00:00:00Z', online: true }], now, week);
    expect(segs).toHaveLength(1);
    expect(segs[0]!.left).toBeCloseTo(6 / 7, 6);
    expect(presenceSegments([], now, week)).toEqual([]);
  });
});

describe('TLS facts helpers', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  const at = (days: number) => new Date(now + days * 86_400_000).toISOString();
  it('says the expiry in words; warns only when the server raised cert_expiring', () => {
    expect(certExpiry(at(-12.2), now)).toEqual({ text: 'expired 12 days ago', tone: 'bad' });
    expect(certExpiry(at(-0.3), now)).toEqual({ text: 'expired today', tone: 'bad' });
    expect(certExpiry(at(10.5), now, true)).toEqual({ text: 'expires in 10 days', tone: 'warn' });
    expect(certExpiry(at(1.5), now, true).text).toBe('expires in 1 day');
    expect(certExpiry(at(0.5), now, true).text).toBe('expires within a day');
    expect(certExpiry(at(300.5), now)).toEqual({ text: 'expires in 300 days', tone: 'ok' });
    expect(certExpiry(null, now).text).toBe('no expiry date seen');
    expect(certExpiry('garbage', now).tone).toBe('');
  });
  it('previews a SAN list in at most 6 names and counts the rest; a list cut by the server says so', () => {
    expect(sanPreview(null)).toEqual({ shown: [], more: 0, truncated: false });
    expect(sanPreview('DNS:a.lan, DNS:b.lan, IP Address:10.0.0.1')).toEqual({
      shown: ['a.lan', 'b.lan', 'IP Address:10.0.0.1'],
      more: 0,
      truncated: false,
    });
    const long = Array.from({ length: 200 }, (_, i) => `DNS:h${i}.example.lan`)
      .join(', ')
      .slice(0, SAN_STORED_MAX);
    const p = sanPreview(long);
    expect(p.shown).toHaveLength(6);
    expect(p.truncated).toBe(true);
    // the cut last entry is dropped, not shown half
    expect(p.shown.length + p.more).toBe(long.split(', ').length - 1);
    expect(sanPreview(`DNS:${'x'.repeat(500)}`).shown[0]!.length).toBe(64);
    expect(sanPreview('DNS:a.lan, DNS:b.l…').truncated).toBe(true);
  });
  it('clips certificate text by characters, not UTF-16 units', () => {
    expect(clip(null)).toBe('—');
    expect(clip('😀'.repeat(200), 10)).toBe(`${'😀'.repeat(9)}…`);
  });
});
