/** The satellite protocol's pure parts: wire form, chunking, reassembly, the outbox, agent options. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, loadAgentOptions } from '../../src/agent/config.js';
import { Outbox } from '../../src/agent/outbox.js';
import {
  CHUNK_BODY_BYTES,
  decodeBody,
  encodeResult,
  fromWire,
  MAX_CHUNK_BYTES,
  parseAgentTopic,
  parseChunk,
  sha256Hex,
  toWire,
} from '../../src/agent/protocol.js';
import { Reassembler } from '../../src/agent/reassembler.js';
import type { ScanResult } from '../../src/scan/types.js';

function result(n: number, kind: 'sweep' | 'ports' = 'sweep'): ScanResult {
  return {
    kind,
    targets: ['10.213.9.0/24'],
    startedAt: new Date('2026-12-01T10:00:00.000Z'),
    finishedAt: new Date('2026-12-01T10:00:04.000Z'),
    nmapVersion: '7.93',
    hosts: Array.from({ length: n }, (_, i) => ({
      ip: `10.213.9.${(i % 254) + 1}`,
      mac: `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
      hostnames: [`h${i}.lan`],
      status: 'up' as const,
      ports:
        kind === 'ports'
          ? [
              {
                protocol: 'tcp' as const,
                port: 22,
                state: 'open',
                service: {
                  name: 'ssh',
                  product: 'OpenSSH',
                  version: '9.6p1',
                  cpe: ['cpe:/a:openbsd:openssh:9.6p1'],
                },
              },
            ]
          : [],
      portsScanned: kind === 'ports',
    })),
    hostsUp: n,
    hostsTotal: 254,
  };
}

describe('wire form', () => {
  it('round-trips a ScanResult through chunks, compression and validation', () => {
    const r = result(254, 'ports');
    const enc = encodeResult(toWire('iot', 'abcdefgh-1', 'schedule', r));
    expect(enc.chunks).toHaveLength(1);
    const c = parseChunk(enc.chunks[0]!);
    if (!c.ok) throw new Error(c.error);
    const d = decodeBody(c.body);
    if (!d.ok) throw new Error(d.error);
    const back = fromWire(d.result);
    expect(back).toEqual(r);
    expect(back.hosts[3]!.ports[0]!.service!.product).toBe('OpenSSH');
    expect(back.startedAt.toISOString()).toBe(r.startedAt.toISOString());
  });

  it('keeps every chunk under 256 KiB for a large result and refuses more than the chunk limit', () => {
    // incompressible hostnames make the body large
    const r = result(2000);
    for (const h of r.hosts)
      h.hostnames = [
        Array.from({ length: 12 }, () => Math.random().toString(36).slice(2))
          .join('')
          .slice(0, 250),
      ];
    const enc = encodeResult(toWire('iot', 'abcdefgh-2', 'x', r), 64 * 1024);
    expect(enc.chunks.length).toBeGreaterThan(2);
    for (const c of enc.chunks) expect(c.length).toBeLessThan(MAX_CHUNK_BYTES);
    expect(() => encodeResult(toWire('iot', 'abcdefgh-3', 'x', r), 1024)).toThrow(/more than 64 chunks/);
    expect(CHUNK_BODY_BYTES + 1024).toBeLessThan(MAX_CHUNK_BYTES);
  });

  it('refuses hostile bodies: zip bombs, wrong shapes, extra keys', () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20));
    expect(decodeBody(bomb)).toMatchObject({ ok: false, error: expect.stringMatching(/decompress/) });
    const w = toWire('iot', 'abcdefgh-4', 'x', result(1)) as unknown as Record<string, unknown>;
    expect(decodeBody(gzipSync(JSON.stringify({ ...w, command: 'rm -rf /' })))).toMatchObject({ ok: false });
    expect(decodeBody(gzipSync(JSON.stringify({ ...w, v: 9 })))).toMatchObject({ ok: false });
    expect(decodeBody(gzipSync(JSON.stringify({ ...w, targets: ['8.8.8.8/33'] })))).toMatchObject({
      ok: false,
    });
    expect(parseChunk(Buffer.alloc(MAX_CHUNK_BYTES + 1))).toMatchObject({ ok: false });
  });

  it('parses only well-formed agent topics', () => {
    expect(parseAgentTopic('lan_sentinel', 'lan_sentinel/agent/iot/result')).toEqual({
      id: 'iot',
      kind: 'result',
    });
    expect(parseAgentTopic('lan_sentinel', 'lan_sentinel/agent/IOT/result')).toBeNull();
    expect(parseAgentTopic('lan_sentinel', 'lan_sentinel/agent/iot/cmd')).toBeNull();
    expect(parseAgentTopic('lan_sentinel', 'lan_sentinel/agent/iot/result/x')).toBeNull();
  });
});

describe('Reassembler', () => {
  const enc = encodeResult(toWire('iot', 'abcdefgh-5', 'x', result(254)), 200);
  const parsed = enc.chunks.map((c) => {
    const p = parseChunk(c);
    if (!p.ok) throw new Error(p.error);
    return p;
  });

  it('completes once from reordered and duplicated chunks', () => {
    const r = new Reassembler();
    const order = [...parsed.keys()].reverse();
    const outcomes = [...order, 0, 1].map((i) => r.accept(parsed[i]!.header, parsed[i]!.body, 0).status);
    expect(outcomes.filter((s) => s === 'complete')).toHaveLength(1);
    expect(outcomes.at(-1)).not.toBe('complete');
    expect(r.size).toBeLessThanOrEqual(1);
  });

  it('refuses chunks that disagree, and bodies that do not match their hash', () => {
    const r = new Reassembler();
    r.accept(parsed[0]!.header, parsed[0]!.body, 0);
    expect(r.accept({ ...parsed[1]!.header, total: 99 }, parsed[1]!.body, 0).status).toBe('refused');
    const r2 = new Reassembler();
    const h = { ...parsed[0]!.header, total: 1, seq: 0, size: 3, sha256: sha256Hex(Buffer.from('abc')) };
    expect(r2.accept(h, Buffer.from('abd'), 0)).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/sha256/),
    });
  });

  it('is bounded: pending results per agent and age', () => {
    const r = new Reassembler({ maxPendingPerAgent: 2, maxAgeMs: 1000 });
    for (let i = 0; i < 5; i++) r.accept({ ...parsed[0]!.header, rid: `abcdefgh-x${i}` }, parsed[0]!.body, 0);
    expect(r.size).toBe(2);
    r.accept({ ...parsed[0]!.header, rid: 'abcdefgh-late' }, parsed[0]!.body, 5000);
    expect(r.size).toBe(1);
  });
});

describe('Outbox', () => {
  const e = (rid: string) => ({ rid, kind: 'sweep' as const, chunks: [], jsonBytes: 0, bodyBytes: 0 });
  it('drops the oldest when full, counts drops, keeps results until acked, resends when due', () => {
    const o = new Outbox(2);
    o.push(e('a'), 0);
    o.push(e('b'), 0);
    expect(o.push(e('c'), 0).map((x) => x.result.rid)).toEqual(['a']);
    expect(o.dropped).toBe(1);
    expect(o.due(0, 1000).map((x) => x.result.rid)).toEqual(['b', 'c']);
    for (const x of o.due(0, 1000)) x.sentAt = 10;
    expect(o.due(500, 1000)).toHaveLength(0);
    expect(o.due(1010, 1000)).toHaveLength(2);
    expect(o.ack('b')).toBe(true);
    expect(o.ack('b')).toBe(false);
    o.markAllUnsent();
    expect(o.due(11, 1000).map((x) => x.result.rid)).toEqual(['c']);
  });
});

describe('agent options', () => {
  const base = ['--agent-id', 'iot', '--mqtt-url', 'mqtt://10.0.0.2:1883', '--subnets', '192.168.20.0/24'];
  it('validates with clear messages naming the option and its source', () => {
    expect(() => loadAgentOptions([], {})).toThrow(
      /agent_id: is required \(flag --agent-id or env LAN_SENTINEL_AGENT_ID\)/,
    );
    expect(() => loadAgentOptions([...base, '--agent-id', 'IoT VLAN'], {})).toThrow(
      /agent_id \(from flag --agent-id\): must be 1-32 characters/,
    );
    expect(() => loadAgentOptions(base, { LAN_SENTINEL_QUEUE_MAX: '0' })).toThrow(
      /queue_max \(from environment LAN_SENTINEL_QUEUE_MAX\)/,
    );
    expect(() => loadAgentOptions([...base, '--bogus', '1'], {})).toThrow(AgentConfigError);
    expect(() => loadAgentOptions([...base, '--mqtt-password', 'x'], {})).toThrow(
      /mqtt_username: is required when a password is given/,
    );
  });
  it('takes flags over environment, and the password from a file', () => {
    const o = loadAgentOptions(
      [...base, '--mqtt-username', 'iot', '--mqtt-password-file', '/run/creds/pw'],
      {
        LAN_SENTINEL_AGENT_ID: 'other',
        LAN_SENTINEL_SWEEP_INTERVAL: '30',
      },
      () => 's3cret\n',
    );
    expect(o).toMatchObject({
      agent_id: 'iot',
      sweep_interval: 30,
      mqtt_password: 's3cret',
      queue_max: 100,
      scan_new_devices: true,
    });
  });
});
