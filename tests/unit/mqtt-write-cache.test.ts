/**
 * Idle memory (issue 18): our MQTT clients turn mqtt-packet's number cache off. With it on, the first packet
 * written builds 65,536 two-byte Buffers for message ids (~6 MB of heap, resident for the life of the service;
 * the idle heap snapshot of bench/idle-heap.ts showed them as the largest group of objects).
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttPublisher } from '../../src/mqtt/client.js';

const mqttPacket = createRequire(import.meta.url)('mqtt-packet') as {
  writeToStream: { cacheNumbers: boolean };
};
const numbers = createRequire(import.meta.url)('mqtt-packet/numbers') as { cache: Record<number, Buffer> };

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MqttPublisher and the mqtt-packet number cache', () => {
  it('writes its packets without building the 65,536-Buffer cache', async () => {
    // a loopback listener that reads whatever the client writes (its CONNECT packet) and never answers
    let received = 0;
    const server = createServer((s) => s.on('data', (d) => (received += d.length)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(true); // the library's default
    const p = new MqttPublisher({ url: `mqtt://127.0.0.1:${port}`, statusTopic: 'lan_sentinel/status' });
    cleanups.push(() => p.close(500));
    p.start();
    for (let i = 0; i < 100 && received === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toBeGreaterThan(0); // a packet was written…
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(false);
    expect(Object.keys(numbers.cache)).toHaveLength(0); // …without the cache
  });
});
