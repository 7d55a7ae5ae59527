/**
 * Device kinds (DESIGN §5): the vocabulary (labels, Material Design icon names for HA and the UI) and the
 * pure classifier that guesses a device's kind with a confidence from a pattern table over its evidence:
 * OUI vendor, hostname, open ports, nmap service names and device types, and the HTTP page title and
 * `Server` header nmap's `http-title` / `http-server-header` scripts report. No I/O; imported by the server,
 * the ingress UI and the card. Everything matched here came from the network: patterns are anchored,
 * bounded regular expressions over length-capped text, and matched text is never echoed unescaped.
 */

export const DEVICE_KINDS = [
  'router',
  'access_point',
  'switch',
  'nas',
  'server',
  'computer',
  'phone',
  'tablet',
  'tv',
  'streamer',
  'speaker',
  'camera',
  'printer',
  'console',
  'hub',
  'iot',
  'light',
  'plug',
  'thermostat',
  'voip',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export function isDeviceKind(v: unknown): v is DeviceKind {
  return typeof v === 'string' && (DEVICE_KINDS as readonly string[]).includes(v);
}

export interface KindInfo {
  /** "Camera" (HA device `model`, UI) */
  label: string;
  /** lower-case noun for default names: "Hikvision camera .30" */
  noun: string;
  /** Material Design icon, as HA names it */
  icon: `mdi:${string}`;
}

export const KIND_INFO: Record<DeviceKind, KindInfo> = {
  router: { label: 'Router', noun: 'router', icon: 'mdi:router-wireless' },
  access_point: { label: 'Access point', noun: 'access point', icon: 'mdi:access-point' },
  switch: { label: 'Network switch', noun: 'switch', icon: 'mdi:switch' },
  nas: { label: 'NAS', noun: 'NAS', icon: 'mdi:nas' },
  server: { label: 'Server', noun: 'server', icon: 'mdi:server' },
  computer: { label: 'Computer', noun: 'computer', icon: 'mdi:desktop-tower-monitor' },
  phone: { label: 'Phone', noun: 'phone', icon: 'mdi:cellphone' },
  tablet: { label: 'Tablet', noun: 'tablet', icon: 'mdi:tablet' },
  tv: { label: 'TV', noun: 'TV', icon: 'mdi:television' },
  streamer: { label: 'Media streamer', noun: 'streamer', icon: 'mdi:cast' },
  speaker: { label: 'Speaker', noun: 'speaker', icon: 'mdi:speaker' },
  camera: { label: 'Camera', noun: 'camera', icon: 'mdi:cctv' },
  printer: { label: 'Printer', noun: 'printer', icon: 'mdi:printer' },
  console: { label: 'Game console', noun: 'console', icon: 'mdi:gamepad-variant' },
  hub: { label: 'Smart-home hub', noun: 'hub', icon: 'mdi:home-automation' },
  iot: { label: 'IoT device', noun: 'IoT device', icon: 'mdi:chip' },
  light: { label: 'Light', noun: 'light', icon: 'mdi:lightbulb' },
  plug: { label: 'Smart plug', noun: 'plug', icon: 'mdi:power-plug' },
  thermostat: { label: 'Thermostat', noun: 'thermostat', icon: 'mdi:thermostat' },
  voip: { label: 'VoIP phone', noun: 'VoIP phone', icon: 'mdi:phone-voip' },
};

/** Icon of a device whose kind is not known. */
export const UNKNOWN_KIND_ICON = 'mdi:help-network-outline';

/** What the classifier looks at (all optional but ports). */
export interface KindEvidence {
  vendor?: string | null;
  hostname?: string | null;
  /** the device holds the gateway's IP */
  isGateway?: boolean;
  ports: ReadonlyArray<{
    protocol: 'tcp' | 'udp';
    port: number;
    service?: string | undefined;
    product?: string | undefined;
    /** nmap's service `devicetype` ("webcam", "printer", "WAP", …) */
    devicetype?: string | undefined;
    httpTitle?: string | undefined;
    httpServer?: string | undefined;
  }>;
}

export type PatternField =
  | 'vendor'
  | 'hostname'
  | 'port'
  | 'service'
  | 'product'
  | 'devicetype'
  | 'http_title'
  | 'http_server'
  | 'gateway';

export interface KindPattern {
  field: PatternField;
  /** a regular expression over the field's text, or a port "554/tcp" for field `port` */
  match: RegExp | string;
  kind: DeviceKind;
  /** evidence weight 1-99: how sure this one observation alone makes us */
  weight: number;
  /** a value this pattern matches (the test suite checks every pattern against its example) */
  example: string;
}

const p = (
  field: PatternField,
  match: RegExp | string,
  kind: DeviceKind,
  weight: number,
  example: string,
): KindPattern => ({ field, match, kind, weight, example });

/**
 * The pattern table. Vendors are matched on the OUI registry's organisation name, hostnames on the
 * (cleaned) DNS/mDNS/DHCP name, services on nmap's names. Weights are deliberately modest for vendors
 * that make many kinds of things (Apple, Samsung, HP, TP-Link): other evidence then decides.
 */
export const KIND_PATTERNS: readonly KindPattern[] = [
  // the gateway is the router, whoever made it
  p('gateway', 'yes', 'router', 90, 'yes'),
  // cameras
  p('vendor', /hikvision|ezviz/i, 'camera', 85, 'Hangzhou Hikvision Digital Technology Co.,Ltd.'),
  p('vendor', /dahua|imou/i, 'camera', 85, 'Zhejiang Dahua Technology Co., Ltd.'),
  p(
    'vendor',
    /reolink|amcrest|foscam|uniview|axis communications|hanwha|wyze/i,
    'camera',
    80,
    'Reolink Innovation Limited',
  ),
  p('vendor', /\bring\b|arlo/i, 'camera', 60, 'Ring LLC'),
  p(
    'hostname',
    /(^|[-_.])(ipcam|cam\d*|camera|ipc|nvr|dvr|doorbell)([-_.\d]|$)/i,
    'camera',
    65,
    'garage-cam-2',
  ),
  p('port', '554/tcp', 'camera', 45, '554/tcp'),
  p('service', /^rtsp$/i, 'camera', 40, 'rtsp'),
  p('devicetype', /webcam|security-misc/i, 'camera', 75, 'webcam'),
  p(
    'http_title',
    /hikvision|dahua|web ?service|ipcam|network camera|nvr|dvr|webcam|blue iris|frigate/i,
    'camera',
    75,
    'Network Camera',
  ),
  p('http_server', /app-webs|dnvrs-webs|hikvision|uc-httpd|goahead/i, 'camera', 55, 'App-webs/'),
  // printers
  p(
    'vendor',
    /brother|seiko epson|canon|xerox|kyocera|lexmark|ricoh|konica|zebra tech/i,
    'printer',
    70,
    'Brother Industries, LTD.',
  ),
  p('vendor', /hewlett|^hp\b/i, 'printer', 35, 'Hewlett Packard'),
  p(
    'hostname',
    /^(brn|brw)[0-9a-f]{6,}|printer|laserjet|officejet|deskjet|envy|^epson|^canon|^npi[0-9a-f]{6}/i,
    'printer',
    80,
    'BRN3C2AF41B6D21',
  ),
  p('port', '9100/tcp', 'printer', 70, '9100/tcp'),
  p('port', '631/tcp', 'printer', 50, '631/tcp'),
  p('port', '515/tcp', 'printer', 55, '515/tcp'),
  p('service', /^(ipp|jetdirect|printer|pdl-datastream)$/i, 'printer', 60, 'jetdirect'),
  p('devicetype', /printer/i, 'printer', 85, 'printer'),
  p(
    'http_title',
    /printer|laserjet|officejet|deskjet|epson|brother|kyocera|command ?center|cups/i,
    'printer',
    80,
    'HP LaserJet MFP M426fdw',
  ),
  p(
    'http_server',
    /^cups|hp http server|hp-chaisoe|epson|virata-emweb|debut/i,
    'printer',
    70,
    'HP HTTP Server; HP LaserJet',
  ),
  // NAS
  p('vendor', /synology|qnap|asustor|terramaster|buffalo/i, 'nas', 85, 'Synology Incorporated'),
  p('vendor', /western digital/i, 'nas', 50, 'Western Digital'),
  p(
    'hostname',
    /(^|[-_.])(nas|diskstation|ds\d{3,4}|synology|qnap|truenas|freenas|unraid|omv)([-_.\d]|$)/i,
    'nas',
    80,
    'living-room-nas',
  ),
  p('port', '548/tcp', 'nas', 40, '548/tcp'),
  p('service', /^afp$/i, 'nas', 40, 'afp'),
  p('port', '5001/tcp', 'nas', 30, '5001/tcp'),
  p('devicetype', /storage-misc/i, 'nas', 70, 'storage-misc'),
  p(
    'http_title',
    /synology|diskstation|qnap|qts|truenas|freenas|unraid|openmediavault/i,
    'nas',
    85,
    'Synology DiskStation',
  ),
  // routers, access points, switches
  p(
    'vendor',
    /\bavm\b|mikrotik|routerboard|eero|technicolor|sagemcom|arcadyan|compal broadband|askey|zte|sercomm/i,
    'router',
    75,
    'AVM Audiovisuelles Marketing und Computersysteme GmbH',
  ),
  p(
    'vendor',
    /netgear|linksys|d-link|zyxel|tp-?link|asustek|juniper|cisco|draytek|fortinet|huawei/i,
    'router',
    30,
    'TP-LINK TECHNOLOGIES CO.,LTD.',
  ),
  p('vendor', /ubiquiti|ruckus|aruba|cambium/i, 'access_point', 65, 'Ubiquiti Inc'),
  p(
    'hostname',
    /(^|[-_.])(router|gateway|gw|fritz\.?box|openwrt|edgerouter|pfsense|opnsense|udm|usg)([-_.\d]|$)/i,
    'router',
    80,
    'fritz.box',
  ),
  p(
    'hostname',
    /(^|[-_.])(ap|uap|access-?point|wap|mesh)([-_.\d]|$)|unifi-?ap/i,
    'access_point',
    70,
    'ap-upstairs',
  ),
  p('hostname', /(^|[-_.])(switch|sw\d+|usw)([-_.\d]|$)/i, 'switch', 65, 'usw-24-poe'),
  p('service', /^domain$/i, 'router', 35, 'domain'),
  p('devicetype', /router/i, 'router', 70, 'broadband router'),
  p('devicetype', /^wap$/i, 'access_point', 70, 'WAP'),
  p('devicetype', /^switch$/i, 'switch', 70, 'switch'),
  p(
    'http_title',
    /fritz!?box|openwrt|luci|dd-wrt|asuswrt|routeros|edgeos|pfsense|opnsense|router|gateway|mikrotik/i,
    'router',
    80,
    'FRITZ!Box',
  ),
  p('http_title', /unifi|omada|access point/i, 'access_point', 60, 'UniFi Network'),
  p('http_server', /rompager|micro_httpd|mini_httpd|luci/i, 'router', 35, 'RomPager/4.07 UPnP/1.0'),
  // computers and servers
  p(
    'vendor',
    /intel corporate|dell|lenovo|micro-star|gigabyte|asrock|framework|liteon|azurewave|realtek/i,
    'computer',
    45,
    'Intel Corporate',
  ),
  p('vendor', /microsoft/i, 'computer', 30, 'Microsoft Corporation'),
  p('vendor', /raspberry pi|supermicro|super micro/i, 'server', 55, 'Raspberry Pi Trading Ltd'),
  p(
    'hostname',
    /(^|[-_.])(desktop|laptop|notebook|macbook|imac|mac-?mini|thinkpad|workstation|pc)([-_.\d]|$)|^desktop-[0-9a-z]{7}$/i,
    'computer',
    75,
    'DESKTOP-4K2H9QZ',
  ),
  p(
    'hostname',
    /(^|[-_.])(server|srv|proxmox|pve|docker|pihole|pi-hole|raspberrypi|nuc|homelab)([-_.\d]|$)/i,
    'server',
    65,
    'raspberrypi',
  ),
  p('port', '3389/tcp', 'computer', 60, '3389/tcp'),
  p('service', /^(ms-wbt-server|microsoft-ds|netbios-ssn)$/i, 'computer', 35, 'ms-wbt-server'),
  p('port', '22/tcp', 'server', 20, '22/tcp'),
  p('port', '32400/tcp', 'server', 60, '32400/tcp'),
  p('port', '2375/tcp', 'server', 60, '2375/tcp'),
  p('port', '8006/tcp', 'server', 60, '8006/tcp'),
  p(
    'http_title',
    /proxmox|portainer|cockpit|pi-hole|plex|jellyfin|emby|nextcloud|grafana|truenas scale/i,
    'server',
    75,
    'Proxmox Virtual Environment',
  ),
  // phones and tablets
  p(
    'vendor',
    /oneplus|oppo|vivo mobile|motorola mobility|hmd global|fairphone|realme|honor device/i,
    'phone',
    80,
    'OnePlus Technology (Shenzhen) Co., Ltd',
  ),
  p('vendor', /xiaomi|samsung electronics|apple|google/i, 'phone', 25, 'Apple, Inc.'),
  p(
    'hostname',
    /iphone|android|galaxy-?[sazn]\d|pixel-?\d|oneplus|redmi|xiaomi|huawei-p|moto-?g/i,
    'phone',
    80,
    'Annas-iPhone',
  ),
  p('hostname', /ipad|galaxy-?tab|fire-?tablet|kindle/i, 'tablet', 80, 'Kids-iPad'),
  p('port', '62078/tcp', 'phone', 75, '62078/tcp'),
  p('service', /^iphone-sync$/i, 'phone', 75, 'iphone-sync'),
  p('devicetype', /phone/i, 'phone', 55, 'phone'),
  // TVs, streamers, speakers
  p('vendor', /roku|nvidia/i, 'streamer', 80, 'Roku, Inc'),
  p(
    'vendor',
    /vizio|hisense|tcl|tp vision|lg electronics|sony visual|sharp|panasonic/i,
    'tv',
    60,
    'Hisense Broadband Multimedia Technology Co.,Ltd',
  ),
  p(
    'vendor',
    /sonos|bose|bang & olufsen|denon|marantz|yamaha|harman|bluesound|sound united/i,
    'speaker',
    85,
    'Sonos, Inc.',
  ),
  p('vendor', /amazon technologies/i, 'speaker', 45, 'Amazon Technologies Inc.'),
  p(
    'hostname',
    /(^|[-_.])(tv|bravia|lgwebostv|webos|tizen|smarttv|samsung-?tv)([-_.\d]|$)/i,
    'tv',
    80,
    'LGwebOSTV',
  ),
  p(
    'hostname',
    /roku|fire-?tv|firestick|chromecast|apple-?tv|shield|mibox/i,
    'streamer',
    80,
    'Chromecast-Ultra',
  ),
  p(
    'hostname',
    /sonos|echo|homepod|nest-?(mini|audio|hub)|google-?home|alexa/i,
    'speaker',
    75,
    'Sonos-Kitchen',
  ),
  p('port', '8009/tcp', 'streamer', 50, '8009/tcp'),
  p('port', '1400/tcp', 'speaker', 70, '1400/tcp'),
  p('port', '7000/tcp', 'streamer', 30, '7000/tcp'),
  p('service', /^(airtunes|raop|rtsp-airplay|airplay)$/i, 'speaker', 40, 'airplay'),
  p('service', /^(googlecast|castv2)$/i, 'streamer', 55, 'googlecast'),
  p('devicetype', /media device/i, 'streamer', 55, 'media device'),
  p('http_title', /sonos|roku|bravia|smart ?tv|kodi|chromecast/i, 'streamer', 55, 'Kodi'),
  // consoles
  p('vendor', /sony interactive|nintendo|valve/i, 'console', 90, 'Sony Interactive Entertainment Inc.'),
  p('hostname', /playstation|ps[345](-|$)|xbox|nintendo|steam-?deck|switch-?lite/i, 'console', 80, 'PS5-123'),
  p('port', '9295/tcp', 'console', 60, '9295/tcp'),
  p('port', '3074/tcp', 'console', 45, '3074/tcp'),
  p('devicetype', /game console/i, 'console', 80, 'game console'),
  // smart home
  p(
    'vendor',
    /nabu casa|home assistant|athom|hubitat|smartthings|aqara|tuya zigbee hub/i,
    'hub',
    80,
    'Nabu Casa, Inc.',
  ),
  p('vendor', /signify|philips lighting/i, 'hub', 60, 'Signify Netherlands B.V.'),
  p(
    'vendor',
    /espressif|tuya|silicon labs|texas instruments|murata|nordic semi|beken|bouffalo/i,
    'iot',
    70,
    'Espressif Inc.',
  ),
  p('vendor', /allterco|shelly|sonoff|itead|gosund|meross/i, 'plug', 70, 'Allterco Robotics EOOD'),
  p('vendor', /lifx|nanoleaf|yeelight|wiz connected|govee/i, 'light', 80, 'LIFX Labs'),
  p('vendor', /ecobee|tado|nest labs|netatmo|honeywell home|resideo/i, 'thermostat', 75, 'ecobee inc'),
  p(
    'hostname',
    /(^|[-_.])(homeassistant|home-assistant|hassio|hass|hubitat|deconz|zigbee2mqtt|hue-?bridge|philips-hue)([-_.\d]|$)/i,
    'hub',
    85,
    'homeassistant',
  ),
  p(
    'hostname',
    /^esp[-_]?[0-9a-f]{4,}|esp32|esp8266|esphome|tasmota|wled|tuya|^wlan0$/i,
    'iot',
    75,
    'ESP_3A1F2B',
  ),
  p('hostname', /shelly|sonoff|plug|socket|outlet/i, 'plug', 70, 'shellyplug-s-6A1C2E'),
  p(
    'hostname',
    /(^|[-_.])(light|lamp|bulb|lifx|wiz|nanoleaf|yeelink)([-_.\d]|$)/i,
    'light',
    65,
    'lifx-bulb-3',
  ),
  p('hostname', /thermostat|ecobee|tado|nest-?(thermostat|learning)/i, 'thermostat', 80, 'ecobee-hallway'),
  p('port', '8123/tcp', 'hub', 85, '8123/tcp'),
  p('port', '6668/tcp', 'iot', 65, '6668/tcp'),
  p('port', '1883/tcp', 'hub', 35, '1883/tcp'),
  p('port', '5683/udp', 'iot', 40, '5683/udp'),
  p('service', /^mqtt$/i, 'hub', 35, 'mqtt'),
  p('devicetype', /power-device/i, 'plug', 45, 'power-device'),
  p(
    'http_title',
    /home assistant|hubitat|deconz|zigbee2mqtt|node-red|homebridge|philips hue/i,
    'hub',
    90,
    'Home Assistant',
  ),
  p('http_title', /tasmota|esphome|wled|openbeken/i, 'iot', 85, 'Tasmota'),
  p('http_title', /shelly/i, 'plug', 75, 'Shelly 1PM'),
  p('http_server', /tasmota|esphome|esp8266|esp32|arduino/i, 'iot', 60, 'Tasmota/13.1.0 (ESP32)'),
  // nmap's product names (version detection)
  p(
    'product',
    /hikvision|dahua|ip ?camera|webcam|axis .*camera|rtsp server/i,
    'camera',
    70,
    'Hikvision IP camera httpd',
  ),
  p('product', /^cups|printer|jetdirect|laserjet|epson|brother/i, 'printer', 65, 'HP JetDirect'),
  p('product', /synology|qnap|netatalk/i, 'nas', 60, 'Synology DSM httpd'),
  p('product', /dnsmasq|miniupnpd|unbound|dropbear/i, 'router', 30, 'dnsmasq'),
  p(
    'product',
    /plex media server|jellyfin|emby|docker|proxmox|nextcloud/i,
    'server',
    65,
    'Plex Media Server httpd',
  ),
  p('product', /home assistant|mosquitto/i, 'hub', 50, 'Mosquitto mqtt broker'),
  // VoIP
  p(
    'vendor',
    /yealink|grandstream|polycom|snom|gigaset|cisco spa|obihai|fanvil/i,
    'voip',
    85,
    'Yealink Network Technology Co.,Ltd.',
  ),
  p('hostname', /(^|[-_.])(sip|voip|yealink|polycom|snom|ata)([-_.\d]|$)/i, 'voip', 70, 'yealink-t46'),
  p('port', '5060/udp', 'voip', 55, '5060/udp'),
  p('port', '5060/tcp', 'voip', 45, '5060/tcp'),
  p('service', /^sip$/i, 'voip', 55, 'sip'),
  p('devicetype', /voip/i, 'voip', 80, 'VoIP phone'),
  p('http_title', /yealink|grandstream|polycom|snom|voip|sip phone/i, 'voip', 75, 'Yealink Phone'),
];

export interface KindGuess {
  kind: DeviceKind;
  /** 0-100 */
  confidence: number;
  /** what made us say so, strongest first, e.g. `vendor "Hikvision…" → camera` */
  reasons: string[];
}

/** The lowest confidence worth naming a kind. */
export const MIN_KIND_CONFIDENCE = 30;
const TEXT_MAX = 200;

function clip(s: string | null | undefined): string | undefined {
  if (typeof s !== 'string' || s === '') return undefined;
  return s.length > TEXT_MAX ? s.slice(0, TEXT_MAX) : s;
}

function values(e: KindEvidence, field: PatternField): string[] {
  const out: string[] = [];
  const push = (v: string | null | undefined) => {
    const c = clip(v);
    if (c !== undefined && !out.includes(c)) out.push(c);
  };
  switch (field) {
    case 'vendor':
      push(e.vendor);
      break;
    case 'hostname':
      push(e.hostname);
      break;
    case 'gateway':
      if (e.isGateway) out.push('yes');
      break;
    case 'port':
      for (const x of e.ports) out.push(`${x.port}/${x.protocol}`);
      break;
    case 'service':
      for (const x of e.ports) push(x.service);
      break;
    case 'product':
      for (const x of e.ports) push(x.product);
      break;
    case 'devicetype':
      for (const x of e.ports) push(x.devicetype);
      break;
    case 'http_title':
      for (const x of e.ports) push(x.httpTitle);
      break;
    case 'http_server':
      for (const x of e.ports) push(x.httpServer);
      break;
  }
  return out;
}

export function patternMatches(pt: KindPattern, value: string): boolean {
  return typeof pt.match === 'string' ? pt.match === value : pt.match.test(value);
}

const FIELD_LABEL: Record<PatternField, string> = {
  vendor: 'vendor',
  hostname: 'hostname',
  gateway: 'holds the gateway address',
  port: 'open port',
  service: 'service',
  product: 'product',
  devicetype: 'nmap device type',
  http_title: 'web page title',
  http_server: 'web server',
};

/** The default table's pattern indexes per field, in table order. */
let tableByField: Map<PatternField, number[]> | undefined;
/**
 * For the default table: per field, a value → the indexes of that field's patterns it matches (ascending). Values
 * repeat across devices (the same products, services and vendors), so each is matched against the table once.
 * Bounded: a field's map is cleared when full.
 */
const TABLE_MATCHES = new Map<PatternField, Map<string, readonly number[]>>();
const TABLE_MATCHES_MAX = 4096;
const NONE: readonly number[] = [];

function tableMatches(field: PatternField, value: string): readonly number[] {
  if (!tableByField) {
    tableByField = new Map();
    KIND_PATTERNS.forEach((pt, i) => {
      const list = tableByField?.get(pt.field);
      if (list) list.push(i);
      else tableByField?.set(pt.field, [i]);
    });
  }
  let byValue = TABLE_MATCHES.get(field);
  if (!byValue) {
    byValue = new Map();
    TABLE_MATCHES.set(field, byValue);
  }
  let found = byValue.get(value);
  if (found === undefined) {
    const list: number[] = [];
    for (const i of tableByField.get(field) ?? NONE)
      if (patternMatches(KIND_PATTERNS[i] as KindPattern, value)) list.push(i);
    found = list.length > 0 ? list : NONE;
    if (byValue.size >= TABLE_MATCHES_MAX) byValue.clear();
    byValue.set(value, found);
  }
  return found;
}

const FIELDS: readonly PatternField[] = [
  'vendor',
  'hostname',
  'port',
  'service',
  'product',
  'devicetype',
  'http_title',
  'http_server',
  'gateway',
];

/** For each pattern of the default table, the first of the evidence's values it matches (undefined: none). */
function tableHits(e: KindEvidence): Array<string | undefined> {
  const hits = new Array<string | undefined>(KIND_PATTERNS.length);
  for (const field of FIELDS) {
    const vs = values(e, field);
    for (let j = 0; j < vs.length; j++) {
      const v = vs[j] as string;
      const matched = tableMatches(field, v);
      for (let k = 0; k < matched.length; k++) {
        const i = matched[k] as number;
        if (hits[i] === undefined) hits[i] = v;
      }
    }
  }
  return hits;
}

/**
 * The most likely kind, or null when nothing points anywhere with at least MIN_KIND_CONFIDENCE.
 * Each kind's score combines its matching observations as independent evidence (1 − Π(1 − w)); a runner-up
 * kind lowers the winner's confidence by half its own score, so "Apple + port 62078" is a sure phone while
 * "Samsung" alone is a weak guess. One pattern counts once per device however many ports match it.
 */
export function classifyKind(
  e: KindEvidence,
  patterns: readonly KindPattern[] = KIND_PATTERNS,
): KindGuess | null {
  // plain loops, no closure per pattern: this runs for every new device and every changed port set of an ingest
  const miss = new Map<DeviceKind, number>();
  const why = new Map<DeviceKind, Array<{ w: number; text: string }>>();
  const hits = patterns === KIND_PATTERNS ? tableHits(e) : null;
  const cache = new Map<PatternField, string[]>();
  for (let i = 0; i < patterns.length; i++) {
    const pt = patterns[i] as KindPattern;
    let hit: string | undefined;
    if (hits) hit = hits[i];
    else {
      let vs = cache.get(pt.field);
      if (!vs) {
        vs = values(e, pt.field);
        cache.set(pt.field, vs);
      }
      for (let j = 0; j < vs.length; j++) {
        const v = vs[j] as string;
        if (patternMatches(pt, v)) {
          hit = v;
          break;
        }
      }
    }
    if (hit === undefined) continue;
    miss.set(pt.kind, (miss.get(pt.kind) ?? 1) * (1 - pt.weight / 100));
    const shown =
      pt.field === 'gateway' ? FIELD_LABEL.gateway : `${FIELD_LABEL[pt.field]} "${hit.slice(0, 40)}"`;
    const list = why.get(pt.kind);
    if (list) list.push({ w: pt.weight, text: shown });
    else why.set(pt.kind, [{ w: pt.weight, text: shown }]);
  }
  if (miss.size === 0) return null;
  const ranked = [...miss.entries()]
    .map(([kind, m]) => ({ kind, score: (1 - m) * 100 }))
    .sort((a, b) => b.score - a.score || DEVICE_KINDS.indexOf(a.kind) - DEVICE_KINDS.indexOf(b.kind));
  const best = ranked[0];
  if (!best) return null;
  const second = ranked[1]?.score ?? 0;
  const confidence = Math.round(Math.max(0, best.score - second / 2));
  if (confidence < MIN_KIND_CONFIDENCE) return null;
  const reasons = (why.get(best.kind) ?? []).sort((a, b) => b.w - a.w).map((r) => r.text);
  return { kind: best.kind, confidence: Math.min(99, confidence), reasons };
}

/** Legal-form and filler words dropped from OUI organisation names. */
const VENDOR_NOISE =
  /\b(co|corp|corporation|company|inc|incorporated|ltd|limited|llc|gmbh|ag|bv|b\.v|s\.a|sa|srl|spa|oy|ab|as|kk|plc|eood|pte|pty|technologies|technology|tech|electronics|electronic|communications|communication|network|networks|digital|international|industries|industrial|systems|system|group|holdings|trading|manufacturing|products|devices|enterprise|mobile|telecom|intelligent|smart|information|software|audiovisuelles|marketing|und|computersysteme|the)\b\.?/gi;
/** Places OUI names start with ("Hangzhou Hikvision …"). */
const VENDOR_PLACES =
  /^(hangzhou|shenzhen|guangzhou|beijing|shanghai|zhejiang|xiamen|suzhou|wuhan|chengdu|dongguan|nanjing|qingdao|jiangsu|fujian|hui zhou|huizhou|zhuhai|taiwan)\s+/i;
/** Brands whose registry name shortens badly by rule. */
const VENDOR_BRANDS: ReadonlyArray<[RegExp, string]> = [
  [/^avm audiovisuelles/i, 'AVM'],
  [/^tp-?link/i, 'TP-Link'],
  [/^hewlett packard enterprise/i, 'HPE'],
  [/^hewlett|^hp inc/i, 'HP'],
  [/^asustek/i, 'ASUS'],
  [/^seiko epson/i, 'Epson'],
  [/^sony interactive/i, 'PlayStation'],
  [/^raspberry pi/i, 'Raspberry Pi'],
  [/^amazon technologies/i, 'Amazon'],
  [/^micro-star/i, 'MSI'],
  [/^allterco/i, 'Shelly'],
  [/^signify|^philips lighting/i, 'Philips Hue'],
  [/^nabu casa/i, 'Home Assistant'],
  [/^intel corporate/i, 'Intel'],
  [/^western digital/i, 'WD'],
  [/^lg electronics/i, 'LG'],
  [/^d-link/i, 'D-Link'],
  [/^super micro/i, 'Supermicro'],
];

/**
 * shortVendor's answers by vendor text: a network has few distinct vendors, and display names are built per
 * change and per device on every ingest. Bounded: cleared when full.
 */
const SHORT_VENDOR_CACHE = new Map<string, string | null>();
const SHORT_VENDOR_CACHE_MAX = 2048;

/** "Hangzhou Hikvision Digital Technology Co.,Ltd." → "Hikvision"; "Sonos, Inc." → "Sonos". */
export function shortVendor(vendor: string | null | undefined): string | null {
  if (!vendor) return null;
  const hit = SHORT_VENDOR_CACHE.get(vendor);
  if (hit !== undefined) return hit;
  const short = shortVendorOf(vendor);
  if (SHORT_VENDOR_CACHE.size >= SHORT_VENDOR_CACHE_MAX) SHORT_VENDOR_CACHE.clear();
  SHORT_VENDOR_CACHE.set(vendor, short);
  return short;
}

function shortVendorOf(vendor: string): string | null {
  const v = vendor.trim().slice(0, TEXT_MAX);
  for (const [re, brand] of VENDOR_BRANDS) if (re.test(v)) return brand;
  let s = v.replace(VENDOR_PLACES, '').replace(/\(.*?\)/g, ' ');
  s = s.replace(/[,.]/g, ' ').replace(VENDOR_NOISE, ' ').replace(/\s+/g, ' ').trim();
  const words = s.split(' ').filter((w) => w.length > 0);
  if (words.length === 0) return v.split(/[\s,]+/)[0] ?? null;
  const name = words.slice(0, 2).join(' ');
  // an all-caps registry name reads better in title case ("NETGEAR" stays: short words keep their case)
  const tidy =
    name.length > 5 && name === name.toUpperCase() ? name.charAt(0) + name.slice(1).toLowerCase() : name;
  return tidy.length > 24 ? (words[0] ?? tidy).slice(0, 24) : tidy;
}

/** The device's kind as shown: the user's override wins over the guess. */
export function effectiveKind(d: {
  kind?: DeviceKind | null;
  kindOverride?: DeviceKind | null;
}): DeviceKind | null {
  return d.kindOverride ?? d.kind ?? null;
}
