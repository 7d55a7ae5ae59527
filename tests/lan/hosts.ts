/**
 * The default simulated population: real vendor OUIs (present in oui-data), one locally administered
 * (randomized) MAC, the router at .1, and services worth finding (old OpenSSH, Apache 2.4.49, vsftpd 2.3.4,
 * telnet on a camera, a modern OpenSSH).
 */
import { ftp, http, type ServiceSpec, ssh, telnet } from './services.js';

export interface HostSpec {
  /** Short name, [a-z0-9-], unique in the LAN; the namespace is lsn-<id>-h-<name>. */
  name: string;
  mac: string;
  /** Full IPv4 inside the run's /24, or just the last octet (2..254 except the scanner's .2). */
  ip: string | number;
  services?: ServiceSpec[];
}

export interface DefaultHostInfo extends HostSpec {
  /** Vendor as listed in oui-data for the MAC's OUI (null for the randomized MAC). */
  vendor: string | null;
  randomized: boolean;
}

/** ≥ 8 hosts + router; ips are last octets, so the list fits any run's /24. */
export function defaultHosts(): DefaultHostInfo[] {
  return [
    {
      name: 'router',
      mac: '78:8a:20:10:00:01',
      ip: 1,
      vendor: 'Ubiquiti Inc',
      randomized: false,
      services: [http('lighttpd/1.4.59', 80)],
    },
    {
      name: 'pi',
      mac: 'b8:27:eb:12:34:56',
      ip: 10,
      vendor: 'Raspberry Pi Foundation',
      randomized: false,
      services: [ssh('SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.8')],
    },
    { name: 'pi4', mac: 'dc:a6:32:ab:cd:ef', ip: 11, vendor: 'Raspberry Pi Trading Ltd', randomized: false },
    { name: 'esp', mac: '24:0a:c4:01:02:03', ip: 20, vendor: 'Espressif Inc.', randomized: false },
    {
      name: 'nas',
      mac: '00:11:32:aa:bb:cc',
      ip: 30,
      vendor: 'Synology Incorporated',
      randomized: false,
      services: [http('Apache/2.4.49 (Unix)'), ssh('SSH-2.0-OpenSSH_9.6p1')],
    },
    { name: 'mac', mac: 'f0:18:98:11:22:33', ip: 40, vendor: 'Apple, Inc.', randomized: false },
    {
      name: 'oldbox',
      mac: 'f4:f2:6d:44:55:66',
      ip: 50,
      vendor: 'TP-LINK TECHNOLOGIES CO.,LTD.',
      randomized: false,
      services: [ftp('220 (vsFTPd 2.3.4)')],
    },
    {
      name: 'camera',
      mac: 'c0:56:e3:77:88:99',
      ip: 60,
      vendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.',
      randomized: false,
      services: [telnet()],
    },
    { name: 'sonos', mac: '5c:aa:fd:01:23:45', ip: 70, vendor: 'Sonos, Inc.', randomized: false },
    { name: 'nest', mac: 'f4:f5:d8:54:32:10', ip: 80, vendor: 'Google, Inc.', randomized: false },
    { name: 'phone', mac: 'da:a1:19:5e:6f:70', ip: 90, vendor: null, randomized: true },
  ];
}
