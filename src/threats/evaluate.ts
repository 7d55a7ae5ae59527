/** Pure evaluation of a device's open ports against risky-port and CVE rules. */
import type { Device } from '../inventory/types.js';
import { cveFinding, matchService } from './cveMatch.js';
import type { CveRule } from './cveRules.js';
import { SEVERITY_RANK } from '../vocabulary.js';
import { matchPortRule, PORT_RULES, type PortRule } from './portRules.js';
import type { Finding } from './types.js';

export interface ThreatRules {
  ports?: PortRule[];
  cves: CveRule[];
}

export function evaluateDevice(device: Pick<Device, 'mac' | 'ports'>, rules: ThreatRules): Finding[] {
  const portRules = rules.ports ?? PORT_RULES;
  const out = new Map<string, Finding>();
  for (const p of device.ports) {
    const hit = matchPortRule(
      { protocol: p.protocol, port: p.port, service: p.service, product: p.product, tunnel: p.tunnel },
      portRules,
    );
    if (hit) {
      const what = [p.service, p.product, p.version].filter(Boolean).join(' ');
      const key = `port:${p.protocol}/${p.port}`;
      out.set(key, {
        key,
        mac: device.mac,
        kind: 'risky_port',
        severity: hit.rule.severity,
        title: `${hit.rule.title} (${p.protocol}/${p.port})`,
        detail: `${hit.rule.why} Seen: ${p.protocol}/${p.port}${what ? ` (${what})` : ''}.`,
        remediation: hit.rule.remediation,
        port: p.port,
        protocol: p.protocol,
        // a bare port number without a service identification is a weaker signal
        confidence: hit.by === 'identity' ? 1 : 0.8,
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
  return [...out.values()].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.key.localeCompare(b.key),
  );
}
