import { describe, expect, it } from 'vitest';
import { type TlsFact, tlsFindings } from '../../src/threats/tls.js';

const NOW = new Date('2026-12-03T12:00:00Z');
const DAY = 86_400_000;
const fact = (o: Partial<TlsFact> = {}): TlsFact => ({
  protocol: 'tcp',
  port: 443,
  subject: 'CN=nas.lan',
  issuer: 'CN=Home CA',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: new Date(NOW.getTime() + 300 * DAY).toISOString(),
  selfSigned: false,
  san: null,
  protocols: ['TLSv1.2', 'TLSv1.3'],
  weak: [],
  scannedAt: NOW.toISOString(),
  ...o,
});
const at = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
const kinds = (t: TlsFact, expiryDays?: number) =>
  tlsFindings('aa:bb:cc:dd:ee:ff', t, NOW, expiryDays).map((f) => f.kind);

describe('TLS findings', () => {
  it('a sound certificate and TLS 1.2/1.3 raise nothing', () => {
    expect(kinds(fact())).toEqual([]);
  });
  it('expired, expiring within cert_expiry_days, or neither; the title says the days in words', () => {
    const expired = tlsFindings('m', fact({ notAfter: at(-3.5) }), NOW);
    expect(expired.map((f) => f.kind)).toEqual(['cert_expired']);
    expect(expired[0]!.detail).toContain('expired 4 days ago');
    const soon = tlsFindings('m', fact({ notAfter: at(10.5), selfSigned: true }), NOW);
    expect(soon.map((f) => [f.kind, f.severity])).toEqual([['cert_expiring', 'low']]);
    expect(soon[0]!.title).toBe('TLS certificate expires in 10 days (tcp/443)');
    expect(soon[0]!.detail).toContain('(self-signed)');
    expect(tlsFindings('m', fact({ notAfter: at(1.2) }), NOW)[0]!.title).toBe(
      'TLS certificate expires in 1 day (tcp/443)',
    );
    expect(tlsFindings('m', fact({ notAfter: at(0.2) }), NOW)[0]!.title).toBe(
      'TLS certificate expires within a day (tcp/443)',
    );
    // the window is the option cert_expiry_days
    expect(kinds(fact({ notAfter: at(20) }), 14)).toEqual([]);
    expect(kinds(fact({ notAfter: at(20) }), 30)).toEqual(['cert_expiring']);
    expect(kinds(fact({ notAfter: null }))).toEqual([]);
  });
  it('weak protocols and cipher suites raise weak_tls; SSL is high, TLS 1.0/1.1 medium', () => {
    const old = tlsFindings('m', fact({ protocols: ['TLSv1.0'], weak: ['TLSv1.0'] }), NOW);
    expect(old.map((f) => [f.kind, f.severity])).toEqual([['weak_tls', 'medium']]);
    expect(old[0]!.title).toBe('Weak TLS offered: TLSv1.0 (tcp/443)');
    const ssl = tlsFindings('m', fact({ protocols: ['SSLv3', 'TLSv1.2'], weak: ['SSLv3'] }), NOW);
    expect(ssl[0]!.severity).toBe('high');
    const rc4 = tlsFindings('m', fact({ weak: ['TLS_RSA_WITH_RC4_128_SHA'] }), NOW);
    expect(rc4[0]!.title).toBe('Weak TLS offered: weak cipher suites (tcp/443)');
  });
  it('hostile subject text stays data and is cut in the detail', () => {
    const f = tlsFindings(
      'm',
      fact({ subject: `CN=<img src=x onerror=1>${'A'.repeat(300)}`, notAfter: at(5) }),
      NOW,
    )[0]!;
    expect(f.detail).toContain('"CN=<img src=x onerror=1>');
    expect(f.detail.length).toBeLessThan(400);
  });
});
