/**
 * TLS findings (pure) from what nmap's ssl-cert and ssl-enum-ciphers scripts saw on a port: an expired
 * certificate, one expiring within `cert_expiry_days`, and weak protocols or cipher suites (TLS 1.0/1.1,
 * SSLv3/SSLv2, export, RC4, 3DES, NULL/anonymous suites).
 */
import type { Finding } from './types.js';

export interface TlsFact {
  protocol: 'tcp' | 'udp';
  port: number;
  subject: string | null;
  issuer: string | null;
  /** ISO-8601 */
  notBefore: string | null;
  notAfter: string | null;
  selfSigned: boolean;
  /** subjectAltName text, bounded */
  san: string | null;
  /** protocol versions offered, e.g. ["TLSv1.0", "TLSv1.2"] */
  protocols: string[];
  /** weak things seen, e.g. "TLSv1.0", "TLS_RSA_WITH_3DES_EDE_CBC_SHA" */
  weak: string[];
  scannedAt: string;
}

export const DEFAULT_CERT_EXPIRY_DAYS = 30;
export const WEAK_PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1'] as const;
/** cipher suite names that are weak whatever the protocol */
export const WEAK_CIPHER = /(^|_)(EXPORT|EXP|RC4|3DES|DES|NULL|anon|MD5)(_|$)|DES_CBC|_DES40_/i;

const DAY_MS = 86_400_000;

export function isWeakProtocol(p: string): boolean {
  return (WEAK_PROTOCOLS as readonly string[]).includes(p);
}

function certLabel(t: TlsFact): string {
  return t.subject ? `certificate "${t.subject.slice(0, 80)}"` : 'certificate';
}

export function tlsFindings(
  mac: string,
  t: TlsFact,
  now: Date,
  expiryDays = DEFAULT_CERT_EXPIRY_DAYS,
): Finding[] {
  const out: Finding[] = [];
  const where = `${t.protocol}/${t.port}`;
  const base = { mac, port: t.port, protocol: t.protocol, confidence: 1 } as const;
  const notAfter = t.notAfter ? Date.parse(t.notAfter) : Number.NaN;
  if (Number.isFinite(notAfter)) {
    const days = Math.floor((notAfter - now.getTime()) / DAY_MS);
    const self = t.selfSigned ? ' (self-signed)' : '';
    if (notAfter <= now.getTime()) {
      out.push({
        ...base,
        key: `tls:cert_expired:${where}`,
        kind: 'cert_expired',
        severity: 'medium',
        title: `TLS certificate expired on ${t.notAfter?.slice(0, 10)} (${where})`,
        detail: `The ${certLabel(t)}${self} on ${where} expired ${daysText(Math.max(0, -days))} ago. Browsers and apps refuse it or train people to click through warnings.`,
        remediation:
          'Renew or replace the certificate (or the device firmware that ships it), then restart the service.',
      });
    } else if (days < expiryDays) {
      out.push({
        ...base,
        key: `tls:cert_expiring:${where}`,
        kind: 'cert_expiring',
        severity: 'low',
        title: `TLS certificate expires ${days < 1 ? 'within a day' : `in ${daysText(days)}`} (${where})`,
        detail: `The ${certLabel(t)}${self} on ${where} is valid until ${t.notAfter}; warnings start at ${expiryDays} days.`,
        remediation: 'Renew the certificate before it expires (check that automatic renewal works).',
      });
    }
  }
  const weakProtocols = t.protocols.filter(isWeakProtocol);
  const weakCiphers = t.weak.filter((w) => !isWeakProtocol(w));
  if (weakProtocols.length || weakCiphers.length) {
    const parts = [
      ...(weakProtocols.length ? [`protocol ${weakProtocols.join(', ')}`] : []),
      ...(weakCiphers.length
        ? [
            `cipher suite${weakCiphers.length > 1 ? 's' : ''} ${weakCiphers.slice(0, 5).join(', ')}${weakCiphers.length > 5 ? ` and ${weakCiphers.length - 5} more` : ''}`,
          ]
        : []),
    ];
    out.push({
      ...base,
      key: `tls:weak_tls:${where}`,
      kind: 'weak_tls',
      severity: weakProtocols.some((p) => p.startsWith('SSL')) ? 'high' : 'medium',
      title: `Weak TLS offered: ${weakProtocols.length ? weakProtocols.join(', ') : 'weak cipher suites'} (${where})`,
      detail: `The service on ${where} still offers ${parts.join(' and ')}, which an attacker on the network path can downgrade to or break.`,
      remediation:
        'Turn off TLS 1.0/1.1 (and SSL) and export, RC4, 3DES and NULL cipher suites in the service or device settings, or update its firmware; TLS 1.2 with AEAD suites and TLS 1.3 are fine.',
    });
  }
  return out;
}

/** "1 day", "10 days" */
function daysText(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}
