/** Plain data produced by the nmap XML parser. Everything string-typed here came from the network: hostile. */

export type PortProtocol = 'tcp' | 'udp';

export interface ScanService {
  /** nmap service name, e.g. "ssh", "http", "ftp". */
  name?: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  ostype?: string;
  devicetype?: string;
  tunnel?: string;
  /** "probed" or "table". */
  method?: string;
  conf?: number;
  /** CPE strings as nmap printed them, e.g. "cpe:/a:openbsd:openssh:7.2p2". */
  cpe: string[];
}

/** What nmap's ssl-cert / ssl-enum-ciphers scripts reported on a port (bounded, cleaned text). */
export interface ScanTls {
  /** "CN=nas.local, O=Example" */
  subject: string | null;
  issuer: string | null;
  /** ISO-8601 */
  notBefore: string | null;
  notAfter: string | null;
  selfSigned: boolean;
  san: string | null;
  /** protocol versions offered: SSLv3, TLSv1.0 … TLSv1.3 */
  protocols: string[];
  /** offered cipher suites that are weak (export, RC4, 3DES, DES, NULL, anonymous, MD5) */
  weakCiphers: string[];
}

export interface ScanPort {
  protocol: PortProtocol;
  port: number;
  /** open | closed | filtered | open|filtered | ... */
  state: string;
  service?: ScanService;
  /** only when a TLS script ran on this port */
  tls?: ScanTls;
  /** output of nmap's http-title script (the page's <title>), when it ran and found one */
  httpTitle?: string;
  /** output of nmap's http-server-header script (the `Server` header) */
  httpServer?: string;
}

export interface ScanHost {
  ip: string;
  /** Lowercase aa:bb:cc:dd:ee:ff, or undefined when nmap did not see a MAC (routed host, or unprivileged scan). */
  mac?: string;
  /** Vendor as printed by nmap (not used for identity; our own OUI lookup wins). */
  nmapVendor?: string;
  hostnames: string[];
  status: 'up' | 'down';
  reason?: string;
  /** Only set for port/service scans. */
  ports: ScanPort[];
  /** true when this host's ports were actually scanned (a sweep leaves this false). */
  portsScanned: boolean;
  /** nmap gave up on this host (--host-timeout): its port list is incomplete, portsScanned is false. */
  timedOut?: boolean;
}

export type ScanKind = 'sweep' | 'ports';

export interface ScanResult {
  kind: ScanKind;
  /** Targets as given to nmap (validated CIDRs / IPs). */
  targets: string[];
  startedAt: Date;
  finishedAt: Date;
  nmapVersion?: string;
  /** The argv nmap ran with (joined for display only). */
  args?: string;
  hosts: ScanHost[];
  /** Number of hosts nmap reports as up / down / total in runstats. */
  hostsUp: number;
  hostsTotal: number;
}

/** A scan that did not complete successfully: never used to mark anything absent. */
export interface ScanFailure {
  kind: ScanKind;
  targets: string[];
  startedAt: Date;
  finishedAt: Date;
  error: string;
}
