/** Builds BOOTP/DHCP client messages byte by byte (RFC 2131/2132) for parser tests. */
export interface DhcpPacketSpec {
  mac: string;
  type?: number;
  hostname?: string;
  clientId?: Buffer;
  params?: number[];
  vendorClass?: string;
  requestedIp?: string;
  ciaddr?: string;
  /** raw options appended before the end marker */
  extra?: Buffer;
}

export function dhcpPacket(s: DhcpPacketSpec): Buffer {
  const head = Buffer.alloc(240);
  head[0] = 1;
  head[1] = 1;
  head[2] = 6;
  head.writeUInt32BE(0x12345678, 4);
  if (s.ciaddr) Buffer.from(s.ciaddr.split('.').map(Number)).copy(head, 12);
  Buffer.from(s.mac.replace(/:/g, ''), 'hex').copy(head, 28);
  head.writeUInt32BE(0x63825363, 236);
  const opts: Buffer[] = [Buffer.from([53, 1, s.type ?? 1])];
  const opt = (code: number, v: Buffer) => opts.push(Buffer.concat([Buffer.from([code, v.length]), v]));
  if (s.clientId) opt(61, s.clientId);
  if (s.requestedIp) opt(50, Buffer.from(s.requestedIp.split('.').map(Number)));
  if (s.hostname !== undefined) opt(12, Buffer.from(s.hostname, 'latin1'));
  if (s.vendorClass !== undefined) opt(60, Buffer.from(s.vendorClass, 'latin1'));
  if (s.params) opt(55, Buffer.from(s.params));
  if (s.extra) opts.push(s.extra);
  opts.push(Buffer.from([255]));
  return Buffer.concat([head, ...opts]);
}
