/**
 * Port profiles (DESIGN §4). `home` (the default) = nmap's top 100 TCP ports, every port a risky-port rule
 * names, the ports home servers and IoT hubs listen on, and — only with raw-socket rights, because UDP needs
 * them — a small UDP set. The lists are written out (not derived from the rules at run time) so that a test
 * catches a new rule whose port the default profile would never scan.
 */

/** nmap 7.93's `--top-ports 100` (TCP), from nmap-services' open frequencies. */
export const NMAP_TOP100_TCP: readonly number[] = [
  7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135, 139, 143, 144, 179, 199,
  389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544, 548, 554, 587, 631, 646, 873, 990, 993, 995, 1025,
  1026, 1027, 1028, 1029, 1110, 1433, 1720, 1723, 1755, 1900, 2000, 2001, 2049, 2121, 2717, 3000, 3128, 3306,
  3389, 3986, 4899, 5000, 5009, 5051, 5060, 5101, 5190, 5357, 5432, 5631, 5666, 5800, 5900, 6000, 6001, 6646,
  7070, 8000, 8008, 8009, 8080, 8081, 8443, 8888, 9100, 9999, 10000, 32768, 49152, 49153, 49154, 49155, 49156,
  49157,
];

/**
 * TCP ports homes run beyond the top 100: MQTT (1883/8883), Home Assistant (8123), Docker (2375/2376),
 * ADB (5555), Redis, MongoDB, Elasticsearch, memcached, CouchDB, kubelet, RTSP (8554), VNC 5901-5903,
 * X11 6002-6005, telnet 2323, rexec 512, Java RMI 1099, WinRM 5985, Cisco Smart Install 4786,
 * Plex 32400, Sonos 1400, Jellyfin 8096, ESPHome/OTA 6053, Zigbee2MQTT 8099 frontends, Node-RED 1880,
 * Portainer 9000/9443, Prometheus 9090, Grafana 3001, UniFi 8880/8843, Hikvision SDK 8000 (top100).
 */
export const HOME_EXTRA_TCP: readonly number[] = [
  512, 1099, 1400, 1880, 1883, 2323, 2375, 2376, 3001, 4786, 5555, 5901, 5902, 5903, 5984, 5985, 6002, 6003,
  6004, 6005, 6053, 6379, 8096, 8099, 8123, 8554, 8843, 8880, 8883, 9000, 9090, 9200, 9300, 9443, 10250,
  11211, 27017, 27018, 32400,
];

/**
 * UDP (raw sockets only): DNS, NTP, SNMP, SSDP/UPnP, mDNS, CoAP, and the UDP ports of the risky-port rules
 * (TFTP 69, rpcbind 111, NetBIOS 137/138, IPMI 623, NFS 2049, memcached 11211).
 */
export const HOME_UDP: readonly number[] = [
  53, 69, 111, 123, 137, 138, 161, 623, 1900, 2049, 5353, 5683, 11211,
];

export const HOME_TCP: readonly number[] = [...new Set([...NMAP_TOP100_TCP, ...HOME_EXTRA_TCP])].sort(
  (a, b) => a - b,
);

/** Whether the `home` profile scans this port (UDP only when privileged). */
export function homeProfileCovers(
  p: { protocol: 'tcp' | 'udp'; port: number },
  privileged: boolean,
): boolean {
  if (p.protocol === 'tcp') return HOME_TCP.includes(p.port);
  return privileged && HOME_UDP.includes(p.port);
}
