import type { FindingKind, Severity } from '../vocabulary.js';

export { FINDING_KINDS, type FindingKind } from '../vocabulary.js';

import type { CveComponent } from '../vocabulary.js';
export type FindingComponent = CveComponent;

export interface Finding {
  /** Stable key per device: e.g. "port:tcp/23" or "cve:CVE-2024-6387:tcp/22". */
  key: string;
  mac: string;
  kind: FindingKind;
  severity: Severity;
  title: string;
  detail: string;
  remediation: string;
  port?: number;
  protocol?: 'tcp' | 'udp';
  cve?: string;
  cvss?: number;
  knownExploited?: boolean;
  /** 0..1; distro-patched versions and optional modules lower it */
  confidence: number;
  /**
   * Remediation group within the device: "cve:<product>" (one fix for every CVE of that product),
   * "cve:<product>:nofix", or the finding's own key for port/TLS findings. Defaults to `key`.
   */
  group?: string;
  /** CVE findings: product key ("apache_httpd"), its display name and the version seen ("2.4.49") */
  product?: string;
  productName?: string;
  version?: string;
  /** CVE findings: first release that fixes this CVE on the device's version line */
  fixed?: string;
  /** CVE findings: "module" = only if `part` is enabled */
  component?: FindingComponent;
  part?: string;
}

export interface StoredFinding extends Finding {
  id: number;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  /** an accept (mute) that currently applies, or null */
  accepted?: FindingAcceptRef | null;
}

export interface FindingAcceptRef {
  id: number;
  reason: string;
  /** ISO time or null = until the version changes */
  expiresAt: string | null;
  by: string;
  at: string;
}
