/**
 * Risky-port rules: services that should not be open on a home network (or only with care), each with a
 * plain-language remediation. A rule matches a port when nmap identified the service or product it describes
 * (on any port: telnet on 2323 counts), or when its well-known port is open and nmap could not tell what it
 * is (or gave one of the generic names listed in `portServices`). A port number alone never matches when nmap
 * identified a different service there (ssh on port 23 is not telnet).
 */
import { SEVERITY_RANK, type Severity } from '../vocabulary.js';

export interface PortRef {
  protocol: 'tcp' | 'udp';
  port: number;
}

export interface PortRule {
  id: string;
  title: string;
  severity: Severity;
  /** well-known ports */
  ports: PortRef[];
  /** nmap service names that identify it on any port */
  services: string[];
  /** nmap product regexes that identify it on any port */
  products?: RegExp[];
  /** generic nmap service names accepted on the well-known port (e.g. "http" on 9200) */
  portServices?: string[];
  /** the port number alone is too ambiguous: require a service or product hit */
  requireIdentity?: boolean;
  /** a TLS tunnel (nmap tunnel="ssl") means the plain-text risk does not apply */
  plaintextOnly?: boolean;
  /** why it is risky, one sentence */
  why: string;
  remediation: string;
}

const tcp = (...ports: number[]): PortRef[] => ports.map((port) => ({ protocol: 'tcp', port }));
const udp = (...ports: number[]): PortRef[] => ports.map((port) => ({ protocol: 'udp', port }));

export const PORT_RULES: PortRule[] = [
  {
    id: 'docker-api',
    title: 'Docker API open without TLS',
    severity: 'critical',
    ports: tcp(2375),
    services: ['docker'],
    products: [/^Docker/i],
    portServices: ['http'],
    plaintextOnly: true,
    why: 'Anyone who can reach this port can start containers with full control of the host: it is equivalent to a root password of "none".',
    remediation:
      'Stop exposing the Docker API on the network: remove "-H tcp://0.0.0.0:2375" (or "hosts" in /etc/docker/daemon.json) and use the local socket. If you need remote access, use SSH ("docker -H ssh://user@host") or TLS on 2376 with client certificates.',
  },
  {
    id: 'docker-api-tls',
    title: 'Docker API reachable over the network',
    severity: 'medium',
    ports: tcp(2376),
    services: ['docker-s'],
    why: 'The Docker API uses TLS here, which is only safe if client certificates are required.',
    remediation:
      'Make sure the daemon runs with "--tlsverify" and only your own client certificates are trusted; otherwise turn remote API access off.',
  },
  {
    id: 'telnet',
    title: 'Telnet is open',
    severity: 'high',
    ports: tcp(23, 2323),
    services: ['telnet'],
    products: [/telnetd/i],
    plaintextOnly: true,
    why: 'Telnet sends passwords in clear text and is the first thing botnets such as Mirai try with default passwords.',
    remediation:
      'Turn off Telnet in the device\'s web settings (often under "Administration" or "Services"); use SSH instead if you need a command line. If the device cannot turn it off, change its default password and update its firmware, or replace it.',
  },
  {
    id: 'rsh',
    title: 'rsh/rlogin/rexec remote shell is open',
    severity: 'high',
    ports: tcp(512, 513, 514),
    services: ['exec', 'login', 'shell', 'rsh', 'rlogin', 'rexec'],
    why: 'These 1980s remote-login services trust host names and send everything in clear text.',
    remediation:
      'Disable rsh, rlogin and rexec (remove the rsh-server package or turn the services off) and use SSH instead.',
  },
  {
    id: 'x11',
    title: 'X11 display server accepts network connections',
    severity: 'high',
    ports: tcp(6000, 6001, 6002, 6003, 6004, 6005),
    services: ['X11'],
    why: 'An open X server can let others watch the screen and type keystrokes.',
    remediation:
      'Start the X server with "-nolisten tcp" (the default on modern desktops) and use "ssh -X" if you need remote windows.',
  },
  {
    id: 'vnc',
    title: 'VNC remote desktop is open',
    severity: 'high',
    ports: tcp(5900, 5901, 5902, 5903),
    services: ['vnc', 'vnc-http'],
    products: [/VNC/i],
    why: 'VNC often has weak or no passwords and sends the screen unencrypted.',
    remediation:
      'Turn VNC off when you do not use it. If you need it, set a strong password, allow it only from your own computers, and reach it over a VPN or an SSH tunnel rather than opening it to the whole network.',
  },
  {
    id: 'rdp',
    title: 'Remote Desktop (RDP) is open',
    severity: 'high',
    ports: tcp(3389),
    services: ['ms-wbt-server', 'rdp'],
    why: 'RDP is a favourite target for password guessing and has had "wormable" flaws such as BlueKeep.',
    remediation:
      'If you do not use Remote Desktop, turn it off (Windows Settings → System → Remote Desktop). If you do, keep Windows updated, require Network Level Authentication, use strong passwords and never forward port 3389 from your router.',
  },
  {
    id: 'adb',
    title: 'Android Debug Bridge (ADB) is open over the network',
    severity: 'critical',
    ports: tcp(5555),
    services: ['adb'],
    products: [/Android Debug Bridge/i],
    portServices: ['freeciv'],
    why: 'Network ADB gives a full shell on the Android device (TV box, phone, projector) to anyone on the network, without a password.',
    remediation:
      'Turn off "ADB debugging"/"Network debugging" in the device\'s Developer options. Cheap Android TV boxes often ship with it on: if you cannot turn it off, keep the box on a separate guest network.',
  },
  {
    id: 'redis',
    title: 'Redis database is reachable',
    severity: 'high',
    ports: tcp(6379),
    services: ['redis'],
    products: [/^Redis/i],
    why: 'Redis has no password by default; attackers use open Redis servers to write files and take over the machine.',
    remediation:
      'Bind Redis to 127.0.0.1 ("bind 127.0.0.1" in redis.conf), turn on protected-mode and set a password (requirepass) if other machines really need it.',
  },
  {
    id: 'mongodb',
    title: 'MongoDB database is reachable',
    severity: 'high',
    ports: tcp(27017, 27018),
    services: ['mongodb', 'mongod'],
    products: [/^MongoDB/i],
    why: 'Older MongoDB installs have no authentication and were mass-wiped and held for ransom.',
    remediation:
      'Set "bindIp: 127.0.0.1" in mongod.conf, enable authentication ("security.authorization: enabled") and create an admin user.',
  },
  {
    id: 'memcached',
    title: 'Memcached is reachable',
    severity: 'high',
    ports: [...tcp(11211), ...udp(11211)],
    services: ['memcache', 'memcached'],
    products: [/^Memcached/i],
    why: 'Memcached has no authentication: anyone can read or change the cached data, and UDP memcached is abused for huge DDoS attacks.',
    remediation: 'Start memcached with "-l 127.0.0.1 -U 0" (listen locally, UDP off).',
  },
  {
    id: 'elasticsearch',
    title: 'Elasticsearch API is reachable',
    severity: 'high',
    ports: tcp(9200, 9300),
    services: ['elasticsearch'],
    products: [/^Elasticsearch/i],
    portServices: ['http', 'wap-wsp', 'vrace'],
    why: 'An open Elasticsearch lets anyone read, change or delete all stored data; older versions run scripts.',
    remediation:
      'Enable Elasticsearch security (xpack.security.enabled: true) with passwords, and set network.host to 127.0.0.1 unless other machines need it.',
  },
  {
    id: 'couchdb',
    title: 'CouchDB is reachable',
    severity: 'medium',
    ports: tcp(5984),
    services: ['couchdb'],
    products: [/CouchDB/i],
    portServices: ['http'],
    why: 'CouchDB installs without an admin ("admin party") let anyone manage the database.',
    remediation:
      'Create an admin user, bind CouchDB to 127.0.0.1 (bind_address in local.ini) and keep it updated.',
  },
  {
    id: 'mysql',
    title: 'MySQL/MariaDB database is reachable',
    severity: 'medium',
    ports: tcp(3306),
    services: ['mysql'],
    products: [/^MySQL/i, /^MariaDB/i],
    why: 'A database open to the network invites password guessing and exposes any flaw in it.',
    remediation:
      'Set "bind-address = 127.0.0.1" in the server configuration unless another machine needs it, remove anonymous users and use strong passwords.',
  },
  {
    id: 'postgresql',
    title: 'PostgreSQL database is reachable',
    severity: 'medium',
    ports: tcp(5432),
    services: ['postgresql'],
    products: [/^PostgreSQL/i],
    why: 'A database open to the network invites password guessing and exposes any flaw in it.',
    remediation:
      "Set listen_addresses = 'localhost' in postgresql.conf unless other machines need it, and allow only specific addresses with md5/scram in pg_hba.conf.",
  },
  {
    id: 'kubelet',
    title: 'Kubernetes kubelet API is reachable',
    severity: 'high',
    ports: tcp(10250),
    services: ['kubelet'],
    portServices: ['http', 'https', 'ssl/http'],
    why: 'With anonymous auth on, the kubelet API runs commands in every container on the node.',
    remediation:
      'Set "--anonymous-auth=false" and "--authorization-mode=Webhook" on the kubelet, and firewall port 10250 to the control plane only.',
  },
  {
    id: 'mqtt-plain',
    title: 'MQTT broker without TLS',
    severity: 'medium',
    ports: tcp(1883),
    services: ['mqtt'],
    products: [/Mosquitto/i],
    plaintextOnly: true,
    why: 'MQTT on 1883 sends user names, passwords and every message in clear text; brokers without a password let anyone control your smart-home devices.',
    remediation:
      "Make sure the broker requires a user name and password (in Home Assistant's Mosquitto add-on anonymous access is off by default), and use TLS on 8883 for anything that leaves your home network.",
  },
  {
    id: 'ftp',
    title: 'FTP server is open (clear-text passwords)',
    severity: 'medium',
    ports: tcp(21),
    services: ['ftp'],
    plaintextOnly: true,
    why: 'FTP sends passwords and files in clear text, and many devices allow anonymous logins.',
    remediation:
      'Turn the FTP server off in the device settings (NAS: File Services → FTP) and use SFTP or SMB instead. If you must keep it, disable anonymous login and use FTPS.',
  },
  {
    id: 'tftp',
    title: 'TFTP server is open',
    severity: 'medium',
    ports: udp(69),
    services: ['tftp'],
    why: 'TFTP has no passwords at all: anyone can download (and sometimes upload) files, often device configurations.',
    remediation: 'Turn the TFTP server off unless you are actively network-booting or flashing a device.',
  },
  {
    id: 'smb',
    title: 'Windows file sharing (SMB) is open',
    severity: 'medium',
    ports: tcp(445),
    services: ['microsoft-ds', 'smb'],
    products: [/Samba smbd/i],
    why: 'SMB is fine inside a home, but it is the path of ransomware worms such as WannaCry; old SMBv1 is especially dangerous.',
    remediation:
      'Keep only the shares you need, require a password for each, turn off SMBv1 (Windows: "SMB 1.0/CIFS" feature; Samba: "server min protocol = SMB2"), and never forward port 445 from your router.',
  },
  {
    id: 'netbios',
    title: 'NetBIOS services are open',
    severity: 'low',
    ports: [...tcp(139), ...udp(137, 138)],
    services: ['netbios-ssn', 'netbios-ns', 'netbios-dgm'],
    why: 'NetBIOS is a legacy Windows naming/sharing protocol that leaks device and user names and enables SMBv1.',
    remediation:
      'Turn off "NetBIOS over TCP/IP" (Windows network adapter → IPv4 → Advanced → WINS) or "disable netbios = yes" in Samba, unless very old devices need it.',
  },
  {
    id: 'snmp',
    title: 'SNMP is open',
    severity: 'medium',
    ports: udp(161),
    services: ['snmp'],
    why: 'SNMP v1/v2c uses a community string that is usually "public", revealing the device configuration and sometimes allowing changes.',
    remediation:
      'Turn SNMP off in the device settings if you do not monitor it. Otherwise use SNMPv3 with a password, or at least change the community string from "public"/"private".',
  },
  {
    id: 'rtsp',
    title: 'Camera video stream (RTSP) is open',
    severity: 'medium',
    ports: tcp(554, 8554),
    services: ['rtsp'],
    why: 'Many cameras stream over RTSP with no password or a default one, so anyone on the network can watch.',
    remediation:
      "Set a strong password for the camera's stream in its app or web settings, turn RTSP off if you only use the vendor app, and put cameras on a separate network without internet access if you can.",
  },
  {
    id: 'upnp',
    title: 'UPnP device control is open',
    severity: 'low',
    ports: tcp(5000, 49152),
    services: ['upnp'],
    products: [/MiniUPnP/i, /UPnP/],
    requireIdentity: true,
    why: 'UPnP lets any program on the network open ports on the router to the internet without asking.',
    remediation:
      'If no game console or app needs automatic port forwarding, switch UPnP off in the router settings; otherwise keep the router firmware updated.',
  },
  {
    id: 'ssdp',
    title: 'SSDP (UPnP discovery) answers on the network',
    severity: 'low',
    ports: udp(1900),
    services: ['ssdp', 'upnp'],
    why: 'SSDP advertises the device and can be abused for traffic amplification if it answers from the internet.',
    remediation:
      'Normal for media and smart-home devices inside a home. Make sure the router does not answer SSDP on its internet side, and turn UPnP off on devices that do not need it.',
  },
  {
    id: 'raw-print',
    title: 'Raw printing port (JetDirect 9100) is open',
    severity: 'low',
    ports: tcp(9100),
    services: ['jetdirect', 'pdl-datastream'],
    why: 'Anyone on the network can print, and some printers accept commands that change settings or read stored jobs.',
    remediation:
      'In the printer\'s web settings, turn off "Raw port 9100 / JetDirect" if you print over IPP/AirPrint, or limit printing to your own computers, and set an admin password.',
  },
  {
    id: 'nfs',
    title: 'NFS file sharing is open',
    severity: 'medium',
    ports: [...tcp(2049), ...udp(2049)],
    services: ['nfs', 'nfs_acl'],
    why: 'NFS trusts client addresses and user ids; an export to "*" lets any device on the network read the files.',
    remediation:
      'Export shares only to the specific addresses that need them (not "*"), use root_squash, and turn NFS off if you do not use it.',
  },
  {
    id: 'rpcbind',
    title: 'RPC portmapper is open',
    severity: 'low',
    ports: [...tcp(111), ...udp(111)],
    services: ['rpcbind'],
    why: 'The portmapper lists the RPC services of the machine and is abused for DDoS amplification.',
    remediation:
      'Stop and disable rpcbind ("systemctl disable --now rpcbind.socket rpcbind") unless you use NFS.',
  },
  {
    id: 'ipmi',
    title: 'IPMI/BMC remote management is open',
    severity: 'high',
    ports: udp(623),
    services: ['asf-rmcp', 'ipmi'],
    why: 'IPMI lets attackers fetch password hashes (a protocol design flaw) and then power-cycle or take over the server.',
    remediation:
      "Put the server's management port on its own network, change the default BMC password, and disable IPMI over LAN if you only use the web console.",
  },
  {
    id: 'rsync',
    title: 'rsync daemon is open',
    severity: 'medium',
    ports: tcp(873),
    services: ['rsync'],
    why: 'rsync modules without "auth users" let anyone list, download or even upload files.',
    remediation:
      'Add "auth users" and a secrets file to every module in rsyncd.conf, or turn the daemon off and use rsync over SSH.',
  },
  {
    id: 'pptp',
    title: 'PPTP VPN is open',
    severity: 'medium',
    ports: tcp(1723),
    services: ['pptp'],
    why: 'PPTP encryption (MS-CHAPv2) is broken: captured logins can be cracked.',
    remediation: 'Switch the VPN to WireGuard or OpenVPN/IPsec and turn PPTP off in the router.',
  },
  {
    id: 'java-rmi',
    title: 'Java RMI registry is open',
    severity: 'medium',
    ports: tcp(1099),
    services: ['java-rmi', 'rmiregistry'],
    why: 'RMI endpoints deserialize Java objects and are a classic route to remote code execution.',
    remediation:
      "Bind the application's RMI/JMX port to localhost or protect it with authentication and TLS.",
  },
  {
    id: 'winrm',
    title: 'Windows Remote Management (HTTP) is open',
    severity: 'medium',
    ports: tcp(5985),
    services: ['wsman'],
    portServices: ['http'],
    why: 'WinRM over HTTP lets anyone with a password run PowerShell on the machine.',
    remediation:
      'Turn off WinRM if you do not manage this PC remotely ("Disable-PSRemoting"), or limit it to HTTPS (5986) and specific admin machines.',
  },
  {
    id: 'smart-install',
    title: 'Cisco Smart Install is open',
    severity: 'high',
    ports: tcp(4786),
    services: ['smart-install'],
    why: 'Smart Install accepts unauthenticated commands that rewrite the switch configuration.',
    remediation: 'Run "no vstack" on the switch to turn Smart Install off.',
  },
];

/** Whether nmap knew nothing useful about the service. */
function unidentified(service: string | undefined): boolean {
  return !service || service === 'unknown' || service === 'tcpwrapped' || service.endsWith('?');
}

export interface PortInfo {
  protocol: 'tcp' | 'udp';
  port: number;
  service?: string | undefined;
  product?: string | undefined;
  /** nmap's tunnel attribute ("ssl") when known */
  tunnel?: string | undefined;
}

export type PortMatchStrength = 'identity' | 'port';

/**
 * The best rule for one open port, or null. A service/product identity match beats a port-number match;
 * among equals the higher severity wins.
 */
export function matchPortRule(
  p: PortInfo,
  rules: PortRule[] = PORT_RULES,
): { rule: PortRule; by: PortMatchStrength } | null {
  const svc = p.service?.toLowerCase().replace(/\?$/, '');
  const isTls = p.tunnel === 'ssl' || (svc?.startsWith('ssl/') ?? false);
  let best: { rule: PortRule; by: PortMatchStrength } | null = null;
  for (const rule of rules) {
    if (rule.plaintextOnly && isTls) continue;
    const identity =
      (svc !== undefined && rule.services.some((s) => s.toLowerCase() === svc)) ||
      (p.product !== undefined && (rule.products ?? []).some((re) => re.test(p.product as string)));
    const portHit = rule.ports.some((r) => r.port === p.port && r.protocol === p.protocol);
    const portOk =
      portHit &&
      !rule.requireIdentity &&
      (unidentified(p.service) || (svc !== undefined && (rule.portServices ?? []).includes(svc)));
    const by: PortMatchStrength | null = identity ? 'identity' : portOk ? 'port' : null;
    if (!by) continue;
    if (
      !best ||
      (by === 'identity' && best.by === 'port') ||
      (by === best.by && SEVERITY_RANK[rule.severity] > SEVERITY_RANK[best.rule.severity])
    ) {
      best = { rule, by };
    }
  }
  return best;
}
