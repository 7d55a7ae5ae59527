import type { FindingKind, Severity } from '../vocabulary.js';

export type { FindingKind } from '../vocabulary.js';

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
  /** 0..1; distro-patched versions lower it */
  confidence: number;
}

export interface StoredFinding extends Finding {
  id: number;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
}
