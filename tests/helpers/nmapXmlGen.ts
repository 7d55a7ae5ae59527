/**
 * Generates realistic nmap -oX output for tests and benchmarks: distinct IPs across 10.213.x.y (the project's
 * test range), distinct MACs under real OUIs, and plausible services with CPEs. Deterministic for a given seed.
 */
import type { ScanKind } from '../../src/scan/types.js';

export interface GenerateNmapXmlOptions {
  hosts: number;
  /** Open/closed ports listed per host (ports scans only; ignored for sweeps). */
  portsPerHost: number;
  kind: ScanKind;
  seed?: number;
  /** Add a down host every N hosts (nmap lists them with -v). 0 = none. Default 0. */
  downEvery?: number;
}

export interface GeneratedHost {
  ip: string;
  mac: string;
  vendor: string;
  ports: number[];
}

const OUIS: ReadonlyArray<readonly [string, string]> = [
  ['24:0A:C4', 'Espressif'],
  ['5C:CF:7F', 'Espressif'],
  ['DC:A6:32', 'Raspberry Pi Trading'],
  ['B8:27:EB', 'Raspberry Pi Foundation'],
  ['3C:22:FB', 'Apple'],
  ['00:11:32', 'Synology Incorporated'],
  ['00:17:88', 'Philips Lighting BV'],
  ['B0:BE:76', 'TP-Link Technologies'],
  ['F0:9F:C2', 'Ubiquiti Networks'],
  ['18:B4:30', 'Nest Labs'],
  ['44:65:0D', 'Amazon Technologies'],
  ['00:1A:11', 'Google'],
  ['70:EE:50', 'Netatmo'],
  ['4C:11:BF', 'Zhejiang Dahua Technology'],
  ['C8:D7:19', 'Cisco-Linksys'],
  ['BC:24:11', 'Proxmox Server Solutions'],
];

interface ServiceTemplate {
  port: number;
  name: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  ostype?: string;
  tunnel?: string;
  cpe: string[];
}

const SERVICES: readonly ServiceTemplate[] = [
  {
    port: 22,
    name: 'ssh',
    product: 'OpenSSH',
    version: '8.4p1 Debian 5+deb11u1',
    extrainfo: 'protocol 2.0',
    ostype: 'Linux',
    cpe: ['cpe:/a:openbsd:openssh:8.4p1', 'cpe:/o:linux:linux_kernel'],
  },
  { port: 23, name: 'telnet', product: 'BusyBox telnetd', cpe: ['cpe:/a:busybox:busybox'] },
  {
    port: 21,
    name: 'ftp',
    product: 'vsftpd',
    version: '3.0.3',
    ostype: 'Unix',
    cpe: ['cpe:/a:vsftpd:vsftpd:3.0.3'],
  },
  { port: 53, name: 'domain', product: 'dnsmasq', version: '2.85', cpe: ['cpe:/a:thekelleys:dnsmasq:2.85'] },
  {
    port: 80,
    name: 'http',
    product: 'lighttpd',
    version: '1.4.59',
    cpe: ['cpe:/a:lighttpd:lighttpd:1.4.59'],
  },
  {
    port: 443,
    name: 'http',
    product: 'nginx',
    version: '1.18.0',
    tunnel: 'ssl',
    cpe: ['cpe:/a:igor_sysoev:nginx:1.18.0'],
  },
  { port: 139, name: 'netbios-ssn', product: 'Samba smbd', version: '4.6.2', cpe: ['cpe:/a:samba:samba'] },
  { port: 445, name: 'microsoft-ds', cpe: [] },
  { port: 554, name: 'rtsp', cpe: [] },
  { port: 1883, name: 'mqtt', cpe: [] },
  { port: 3000, name: 'ppp', cpe: [] },
  { port: 5000, name: 'upnp', cpe: [] },
  { port: 8008, name: 'http', product: 'Google Chromecast httpd', cpe: [] },
  {
    port: 8080,
    name: 'http',
    product: 'Jetty',
    version: '9.4.z-SNAPSHOT',
    cpe: ['cpe:/a:eclipse:jetty:9.4.z-snapshot'],
  },
  { port: 8123, name: 'polipo', cpe: [] },
  { port: 9100, name: 'jetdirect', cpe: [] },
  { port: 62078, name: 'iphone-sync', cpe: [] },
];

/** mulberry32: small deterministic PRNG in [0, 1) (also used by the benches). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** The i-th generated address: 10.213.x.y with y in 1..254. Supports up to 254*256 hosts. */
export function generatedIp(i: number): string {
  return `10.213.${Math.floor(i / 254)}.${(i % 254) + 1}`;
}

function attrs(o: Record<string, string | number | undefined>): string {
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ');
}

/** Generated nmap XML (a string, as nmap would print it). */
export function generateNmapXml(opts: GenerateNmapXmlOptions): string {
  return generateNmapScan(opts).xml;
}

/** Generated nmap XML plus the ground truth (up hosts with their MACs and listed ports) it encodes. */
export function generateNmapScan(opts: GenerateNmapXmlOptions): { xml: string; hosts: GeneratedHost[] } {
  if (opts.hosts > 254 * 256) throw new Error('generateNmapXml: at most 65024 hosts fit in 10.213.0.0/16');
  const rnd = prng(opts.seed ?? 1);
  const start = 1795230000;
  const parts: string[] = [];
  const hosts: GeneratedHost[] = [];
  const args =
    opts.kind === 'sweep'
      ? 'nmap -n -sn -PR -T4 -&#45;max-retries 2 -&#45;stats-every 2s -oX - -&#45; 10.213.0.0/16'
      : 'nmap -n -sS -sV -&#45;top-ports 100 -&#45;host-timeout 300s -T4 -&#45;max-retries 2 -&#45;stats-every 2s -oX - -&#45; 10.213.0.0/16';
  parts.push(
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n' +
      '<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>\n' +
      `<!-- Nmap 7.93 scan initiated Sat Nov 21 03:00:00 2026 as: ${args} -->\n` +
      `<nmaprun scanner="nmap" args="${args}" start="${start}" startstr="Sat Nov 21 03:00:00 2026" version="7.93" xmloutputversion="1.05">\n`,
  );
  if (opts.kind === 'ports') {
    parts.push(
      '<scaninfo type="syn" protocol="tcp" numservices="100" services="7,9,13,21-23,25-26,37,53,79-81"/>\n',
    );
  }
  parts.push('<verbose level="0"/>\n<debugging level="0"/>\n');
  let down = 0;
  for (let i = 0; i < opts.hosts; i++) {
    const ip = generatedIp(i);
    if (opts.downEvery && i % opts.downEvery === opts.downEvery - 1) {
      down++;
      parts.push(
        `<host><status state="down" reason="no-response" reason_ttl="0"/>\n<address addr="${ip}" addrtype="ipv4"/>\n</host>\n`,
      );
      continue;
    }
    const [oui, vendor] = OUIS[Math.floor(rnd() * OUIS.length)]!;
    // the low 3 bytes encode i, so every MAC is distinct
    const mac = `${oui}:${hex2((i >>> 16) & 255)}:${hex2((i >>> 8) & 255)}:${hex2(i & 255)}`;
    const chosen: ServiceTemplate[] = [];
    if (opts.kind === 'ports') {
      const offset = Math.floor(rnd() * SERVICES.length);
      for (let p = 0; p < Math.min(opts.portsPerHost, SERVICES.length); p++) {
        chosen.push(SERVICES[(offset + p) % SERVICES.length]!);
      }
      chosen.sort((a, b) => a.port - b.port);
    }
    hosts.push({ ip, mac: mac.toLowerCase(), vendor, ports: chosen.map((s) => s.port) });
    const hostAttr = opts.kind === 'ports' ? ` starttime="${start + 2}" endtime="${start + 20}"` : '';
    let xml = `<host${hostAttr}><status state="up" reason="arp-response" reason_ttl="0"/>\n<address addr="${ip}" addrtype="ipv4"/>\n<address addr="${mac}" addrtype="mac" vendor="${vendor}"/>\n<hostnames>\n`;
    if (rnd() < 0.3) xml += `<hostname name="host-${i}.lan" type="PTR"/>\n`;
    xml += '</hostnames>\n';
    if (opts.kind === 'ports') {
      xml += `<ports><extraports state="closed" count="${100 - chosen.length}">\n<extrareasons reason="resets" count="${100 - chosen.length}" proto="tcp" ports="7,9,13"/>\n</extraports>\n`;
      for (const s of chosen) {
        const state = rnd() < 0.85 ? 'open' : 'closed';
        const a = attrs({
          name: s.name,
          product: s.product,
          version: s.version,
          extrainfo: s.extrainfo,
          ostype: s.ostype,
          tunnel: s.tunnel,
          method: s.product ? 'probed' : 'table',
          conf: s.product ? 10 : 3,
        });
        const cpe = s.cpe.map((c) => `<cpe>${c}</cpe>`).join('');
        xml += `<port protocol="tcp" portid="${s.port}"><state state="${state}" reason="${state === 'open' ? 'syn-ack' : 'reset'}" reason_ttl="64"/>`;
        xml += cpe ? `<service ${a}>${cpe}</service></port>\n` : `<service ${a}/></port>\n`;
      }
      xml += '</ports>\n<times srtt="512" rttvar="120" to="100000"/>\n';
    }
    xml += '</host>\n';
    parts.push(xml);
  }
  const up = hosts.length;
  parts.push(
    `<runstats><finished time="${start + 300}" timestr="Sat Nov 21 03:05:00 2026" summary="Nmap done; ${opts.hosts} IP addresses (${up} hosts up) scanned in 300.00 seconds" elapsed="300.00" exit="success"/><hosts up="${up}" down="${down}" total="${opts.hosts}"/>\n</runstats>\n</nmaprun>\n`,
  );
  return { xml: parts.join(''), hosts };
}
