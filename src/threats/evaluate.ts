/** Pure evaluation of a device's open ports against risky-port and CVE rules, expected ports and TLS facts. */
import type { Device } from '../inventory/types.js';
import { cveFinding, matchService } from './cveMatch.js';
import type { CveRule } from './cveRules.js';
import { compareFindings } from './groups.js';
import { matchPortRule, PORT_RULES, type PortRule } from './portRules.js';
import { DEFAULT_CERT_EXPIRY_DAYS, type TlsFact, tlsFindings } from './tls.js';
import type { Finding } from './types.js';

export interface ThreatRules {
  ports?: PortRule[];
  cves: CveRule[];
}

export interface DeviceContext {
  /** the ports this device may have open ("tcp/22"); null/undefined = none set (no unexpected_port) */
  expectedPorts?: ReadonlySet<string> | null;
  /** what ssl-cert / ssl-enum-ciphers saw on its TLS ports */
  tls?: TlsFact[];
  now?: Date;
  certExpiryDays?: number;
}

export function evaluateDevice(
  device: Pick<Device, 'mac' | 'ports'>,
  rules: ThreatRules,
  ctx: DeviceContext = {},
): Finding[] {
  const portRules = rules.ports ?? PORT_RULES;
  const out = new Map<string, Finding>();
  const open = new Set<string>();
  for (const p of device.ports) {
    const where = `${p.protocol}/${p.port}`;
    open.add(where);
    const hit = matchPortRule(
      { protocol: p.protocol, port: p.port, service: p.service, product: p.product, tunnel: p.tunnel },
      portRules,
    );
    const what = [p.service, p.product, p.version].filter(Boolean).join(' ');
    const seen = [p.product, p.version].filter(Boolean).join(' ');
    if (hit) {
      const key = `port:${where}`;
      out.set(key, {
        key,
        mac: device.mac,
        kind: 'risky_port',
        severity: hit.rule.severity,
        title: `${hit.rule.title} (${where})`,
        detail: `${hit.rule.why} Seen: ${where}${what ? ` (${what})` : ''}.`,
        remediation: hit.rule.remediation,
        port: p.port,
        protocol: p.protocol,
        // a bare port number without a service identification is a weaker signal
        confidence: hit.by === 'identity' ? 1 : 0.8,
        ...(seen ? { version: seen } : {}),
      });
    }
    if (ctx.expectedPorts && !ctx.expectedPorts.has(where)) {
      const key = `unexpected:${where}`;
      out.set(key, {
        key,
        mac: device.mac,
        kind: 'unexpected_port',
        severity: hit?.rule.severity ?? 'medium',
        title: `Unexpected open port ${where}${what ? ` (${what})` : ''}`,
        detail: `Port ${where} is open but not in this device's expected ports.${hit ? ` ${hit.rule.why}` : ''}`,
        remediation:
          'If you did not open it, find out what runs there and close it; if it belongs there, add it to the expected ports.',
        port: p.port,
        protocol: p.protocol,
        confidence: 1,
        ...(seen ? { version: seen } : {}),
      });
    }
    const service = {
      protocol: p.protocol,
      port: p.port,
      product: p.product,
      version: p.version,
      extrainfo: p.extrainfo,
      cpe: p.cpe,
    };
    for (const m of matchService(service, rules.cves)) {
      const f = cveFinding(device.mac, service, m);
      out.set(f.key, f);
    }
  }
  const now = ctx.now ?? new Date();
  for (const t of ctx.tls ?? []) {
    // a fact for a port that is no longer open says nothing about the device now
    if (!open.has(`${t.protocol}/${t.port}`)) continue;
    for (const f of tlsFindings(device.mac, t, now, ctx.certExpiryDays ?? DEFAULT_CERT_EXPIRY_DAYS))
      out.set(f.key, f);
  }
  return [...out.values()].sort(compareFindings);
}
