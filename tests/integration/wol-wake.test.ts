/**
 * Wake-on-LAN through real sockets on loopback: the UDP sender delivers the exact magic packet to a real
 * listener, and POST api/devices/:mac/wake (fastify inject over a temp-file SQLite inventory) runs the one
 * device command: right targets from the device's IP and the watched subnet, the packet's bytes on the wire,
 * the audit entry, and 400/403/404/503 with their reasons. Nothing is sent off this machine: the API's sender
 * records the broadcast targets it was given and delivers the packet to the loopback listener instead.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, WakeResultJson } from '../../src/api/schemas.js';
import { udpWakeSender, type WakeSender, type WakeSendResult } from '../../src/wol/sender.js';
import type { WakeTarget } from '../../src/wol/targets.js';
import { type Harness, INGRESS, LAN_PEER, MACS, makeHarness } from '../helpers/apiFixtures.js';

interface Received {
  bytes: Buffer;
  from: string;
}

async function udpListener(): Promise<{ socket: Socket; port: number; got: Received[] }> {
  const socket = createSocket('udp4');
  const got: Received[] = [];
  socket.on('message', (msg, rinfo) => got.push({ bytes: Buffer.from(msg), from: rinfo.address }));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, port: socket.address().port, got };
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The magic packet for the NAS of the API fixtures (00:11:32:aa:bb:01), written out. */
const NAS_PACKET = `ffffffffffff${'001132aabb01'.repeat(16)}`;

/** Records the broadcast targets and delivers the packet to the loopback listener with the real sender. */
class LoopbackWake implements WakeSender {
  calls: WakeTarget[][] = [];
  fail = false;
  constructor(private readonly port: number) {}
  async send(packet: Uint8Array, targets: readonly WakeTarget[]): Promise<WakeSendResult[]> {
    this.calls.push([...targets]);
    if (this.fail) return targets.map((t) => ({ ...t, ok: false, error: 'ENETUNREACH' }));
    const [r] = await udpWakeSender().send(packet, [{ address: '127.0.0.1', port: this.port }]);
    return targets.map((t, i) =>
      i === 0
        ? { ...t, ok: r!.ok, ...(r!.error ? { error: r!.error } : {}) }
        : { ...t, ok: false, error: 'ENETUNREACH' },
    );
  }
}

describe('UDP sender', () => {
  it('a real socket on loopback receives exactly the magic packet, once per target', async () => {
    const l = await udpListener();
    try {
      const { magicPacket, parseWakeMac } = await import('../../src/wol/magicPacket.js');
      const mac = parseWakeMac('b8:27:eb:12:34:56');
      if (!mac.ok) throw new Error(mac.message);
      const res = await udpWakeSender().send(magicPacket(mac.bytes), [
        { address: '127.0.0.1', port: l.port },
        { address: '127.0.0.1', port: l.port },
      ]);
      expect(res).toEqual([
        { address: '127.0.0.1', port: l.port, ok: true },
        { address: '127.0.0.1', port: l.port, ok: true },
      ]);
      await until(() => l.got.length === 2, 'two datagrams');
      for (const g of l.got) {
        expect(g.bytes.length).toBe(102);
        expect(g.bytes.toString('hex')).toBe(`ffffffffffff${'b827eb123456'.repeat(16)}`);
        expect(g.from).toBe('127.0.0.1');
      }
    } finally {
      l.socket.close();
    }
  });

  it('a target it cannot take fails on its own (no DNS for names, no port 0) and the rest are still sent', async () => {
    const l = await udpListener();
    try {
      const res = await udpWakeSender().send(Uint8Array.of(0xff), [
        { address: 'wake.example', port: 9 },
        { address: '127.0.0.1', port: 0 },
        { address: '127.0.0.1', port: l.port },
      ]);
      expect(res.map((r) => [r.ok, r.error])).toEqual([
        [false, 'not an IPv4 address'],
        [false, 'not a UDP port'],
        [true, undefined],
      ]);
      await until(() => l.got.length === 1, 'the one datagram');
    } finally {
      l.socket.close();
    }
  });
});

describe('POST api/devices/:mac/wake', () => {
  let h: Harness;
  let l: Awaited<ReturnType<typeof udpListener>>;
  let sender: LoopbackWake;
  const post = (mac: string, extra: Record<string, unknown> = INGRESS) =>
    h.app.inject({ method: 'POST', url: `/api/devices/${mac}/wake`, ...extra });

  beforeAll(async () => {
    l = await udpListener();
    sender = new LoopbackWake(l.port);
    // the fixtures' devices live in 10.213.0.0/24 except that the service here watches only .0/28
    h = await makeHarness({ deps: { wake: { sender, subnets: () => ['10.213.0.0/28'], port: 9 } } });
  });
  afterAll(async () => {
    l?.socket.close();
    await h?.close();
  });

  it('200: the magic packet goes to the subnet broadcast and 255.255.255.255, arrives byte for byte, audited', async () => {
    const r = await post('00-11-32-AA-BB-01');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as WakeResultJson;
    expect(body).toMatchObject({
      mac: MACS.nas,
      ip: '10.213.0.10',
      subnet: '10.213.0.0/28',
      packet: NAS_PACKET,
    });
    expect(body.sent).toEqual([
      { address: '10.213.0.15', port: 9, ok: true },
      { address: '255.255.255.255', port: 9, ok: false, error: 'ENETUNREACH' },
    ]);
    expect(body.message).toContain('10.213.0.15:9');
    expect(sender.calls.at(-1)).toEqual([
      { address: '10.213.0.15', port: 9 },
      { address: '255.255.255.255', port: 9 },
    ]);
    await until(() => l.got.length === 1, 'the magic packet');
    expect(l.got[0]!.bytes.toString('hex')).toBe(NAS_PACKET);
    expect(h.audit.list({ action: 'device.wake' }).items[0]).toMatchObject({
      actor: 'ha:admin',
      actorKind: 'ingress',
      target: MACS.nas,
      detail: { ok: true, port: 9 },
    });
  });

  it('400 for a malformed, broadcast or multicast MAC, with the reason; nothing is sent', async () => {
    const before = sender.calls.length;
    const why = async (mac: string) => {
      const r = await post(mac);
      expect(r.statusCode, mac).toBe(400);
      const e = r.json() as ApiErrorBody;
      expect(e.issues?.[0]?.path).toBe('params.mac');
      return e.message;
    };
    expect(await why('ff:ff:ff:ff:ff:ff')).toMatch(/broadcast/);
    expect(await why('01:00:5e:00:00:fb')).toMatch(/multicast/);
    expect(await why('not-a-mac')).toMatch(/not a MAC address/);
    expect(sender.calls.length).toBe(before);
  });

  it('404 for a device not in the inventory', async () => {
    const r = await post('00:11:32:00:00:99');
    expect(r.statusCode).toBe(404);
    expect((r.json() as ApiErrorBody).message).toBe('device 00:11:32:00:00:99 not found');
  });

  it('503 names the reason: no watched subnet holds the IP, or no target took the packet', async () => {
    // the camera (10.213.0.20) is outside 10.213.0.0/28
    const out = await post(MACS.camera);
    expect(out.statusCode).toBe(503);
    expect(out.json()).toMatchObject({ error: 'no_subnet' });
    expect((out.json() as ApiErrorBody).message).toMatch(/10\.213\.0\.20/);
    sender.fail = true;
    try {
      const failed = await post(MACS.nas);
      expect(failed.statusCode).toBe(503);
      expect(failed.json()).toMatchObject({ error: 'send_failed' });
      expect((failed.json() as ApiErrorBody).message).toMatch(/10\.213\.0\.15:9 ENETUNREACH/);
    } finally {
      sender.fail = false;
    }
    const audits = h.audit.list({ action: 'device.wake' }).items;
    expect(audits[0]).toMatchObject({ target: MACS.nas, detail: { ok: false, reason: 'send_failed' } });
    expect(audits[1]).toMatchObject({ target: MACS.camera, detail: { ok: false, reason: 'no_subnet' } });
  });

  it('a read key may not wake (403); an admin key may', async () => {
    const read = h.keys.create('grafana', 'read');
    const admin = h.keys.create('automation', 'admin');
    const as = (key: string) =>
      post(MACS.nas, { remoteAddress: LAN_PEER, headers: { authorization: `Bearer ${key}` } });
    const denied = await as(read.secret);
    expect(denied.statusCode).toBe(403);
    expect((denied.json() as ApiErrorBody).message).toMatch(/scope "admin"/);
    const ok = await as(admin.secret);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(h.audit.list({ action: 'device.wake' }).items[0]).toMatchObject({
      actor: 'automation',
      actorKind: 'key',
      ip: LAN_PEER,
    });
  });

  it('is in the OpenAPI document with its answers', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json', ...INGRESS })).json();
    const op = doc.paths['/api/devices/{mac}/wake']?.post;
    expect(op).toBeDefined();
    // 409: a device identified by IP (a routed host, DESIGN §15) has no MAC to wake
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '404', '409', '503']);
    expect(op.responses['200'].content['application/json'].schema.properties).toHaveProperty('sent');
  });

  it('without Wake-on-LAN wired the instance says so (503 unavailable)', async () => {
    const bare = await makeHarness();
    try {
      const r = await bare.app.inject({ method: 'POST', url: `/api/devices/${MACS.nas}/wake`, ...INGRESS });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ error: 'unavailable' });
    } finally {
      await bare.close();
    }
  });
});
