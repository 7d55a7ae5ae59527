/**
 * Wake-on-LAN magic packets (AMD's "Magic Packet Technology"): 6 bytes 0xFF, then the target's MAC 16 times,
 * optionally followed by a 6-byte SecureOn password. Pure: strings in, bytes or a reason out.
 */

/** 6 × 0xFF + 16 × 6 bytes of MAC. */
export const MAGIC_PACKET_LENGTH = 102;
/** the ports Wake-on-LAN listeners use (echo and discard) */
export const WOL_PORTS = [7, 9] as const;
export type WolPort = (typeof WOL_PORTS)[number];

const SIX_HEX_GROUPS = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;
const CISCO_DOTTED = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i;

export type WakeMac = { ok: true; mac: string; bytes: Uint8Array } | { ok: false; message: string };

/**
 * The MAC a magic packet can wake, normalised to `aa:bb:cc:dd:ee:ff`, or why not: malformed, all zero,
 * broadcast or multicast (a group address names no one network card).
 */
export function parseWakeMac(input: string): WakeMac {
  const s = typeof input === 'string' ? input.trim() : '';
  if (!SIX_HEX_GROUPS.test(s) && !CISCO_DOTTED.test(s))
    return { ok: false, message: `"${s.slice(0, 40)}" is not a MAC address such as aa:bb:cc:dd:ee:ff` };
  const hex = s.replace(/[^0-9a-f]/gi, '').toLowerCase();
  const bytes = Uint8Array.from(hex.match(/../g)!.map((b) => Number.parseInt(b, 16)));
  const mac = hex.match(/../g)!.join(':');
  if (bytes.every((b) => b === 0xff))
    return { ok: false, message: `${mac} is the broadcast address: a magic packet wakes one device's MAC` };
  if (bytes.every((b) => b === 0)) return { ok: false, message: `${mac} (all zero) names no device` };
  if ((bytes[0]! & 0x01) === 1)
    return {
      ok: false,
      message: `${mac} is a multicast (group) address: a magic packet wakes one device's unicast MAC`,
    };
  return { ok: true, mac, bytes };
}

/**
 * A SecureOn password: 6 bytes written like a MAC (`aa:bb:cc:dd:ee:ff`, `aabbccddeeff`) or 4 bytes written
 * like an IPv4 address (`192.168.1.1`, which some BIOSes offer); null when malformed.
 */
export function parseSecureOn(input: string): Uint8Array | null {
  const s = input.trim();
  if (SIX_HEX_GROUPS.test(s))
    return Uint8Array.from(
      s
        .replace(/[^0-9a-f]/gi, '')
        .match(/../g)!
        .map((b) => Number.parseInt(b, 16)),
    );
  const dotted = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (dotted) {
    const b = dotted.slice(1).map(Number);
    return b.every((x) => x <= 255) ? Uint8Array.from(b) : null;
  }
  return null;
}

/** The magic packet for a (validated) MAC: 102 bytes, or 106/108 with a SecureOn password. */
export function magicPacket(mac: Uint8Array, secureOn?: Uint8Array): Uint8Array {
  if (mac.length !== 6) throw new RangeError('a MAC address has 6 bytes');
  if (secureOn && secureOn.length !== 4 && secureOn.length !== 6)
    throw new RangeError('a SecureOn password has 4 or 6 bytes');
  const out = new Uint8Array(MAGIC_PACKET_LENGTH + (secureOn?.length ?? 0));
  out.fill(0xff, 0, 6);
  for (let i = 0; i < 16; i++) out.set(mac, 6 + i * 6);
  if (secureOn) out.set(secureOn, MAGIC_PACKET_LENGTH);
  return out;
}

/** Lower-case hex of a packet (logs, API answers, tests). */
export function packetHex(packet: Uint8Array): string {
  return Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength).toString('hex');
}
