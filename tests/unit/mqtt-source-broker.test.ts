import net from 'node:net';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { macOfRescanTopic } from '../../src/ha/topics.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { resolveBroker } from '../../src/mqtt/source.js';
import { assertPublishTopic, publishTopicProblem, topicMatches } from '../../src/mqtt/topics.js';

describe('resolveBroker', () => {
  it('"none" disables MQTT even in add-on mode', async () => {
    const svc = async () => ({ host: 'core-mosquitto', port: 1883 });
    expect((await resolveBroker({ options: { mqtt_url: 'none' }, supervisorMqtt: svc })).kind).toBe('none');
  });
  it('mqtt_url wins, with credentials', async () => {
    expect(
      await resolveBroker({
        options: { mqtt_url: 'mqtt://10.0.0.2:1884', mqtt_username: 'u', mqtt_password: 'p' },
        supervisorMqtt: async () => ({ host: 'core-mosquitto', port: 1883 }),
      }),
    ).toEqual({ kind: 'url', url: 'mqtt://10.0.0.2:1884', username: 'u', password: 'p', source: 'options' });
  });
  it('add-on: Supervisor service, port as string, ssl → mqtts, service credentials', async () => {
    expect(
      await resolveBroker({
        options: {},
        supervisorMqtt: async () => ({
          host: 'core-mosquitto',
          port: '8883',
          ssl: true,
          username: 'addons',
          password: 's3cret',
          protocol: '3.1.1',
        }),
      }),
    ).toEqual({
      kind: 'url',
      url: 'mqtts://core-mosquitto:8883',
      username: 'addons',
      password: 's3cret',
      source: 'supervisor',
    });
    expect(
      await resolveBroker({
        options: { mqtt_username: 'me' },
        supervisorMqtt: async () => ({ host: 'h', port: 1883, username: 'addons', password: 'x' }),
      }),
    ).toMatchObject({ url: 'mqtt://h:1883', username: 'me', password: 'x' });
  });
  it('add-on without a service → none with a reason; bad port → clear error', async () => {
    const r = await resolveBroker({ options: {}, supervisorMqtt: async () => null });
    expect(r.kind).toBe('none');
    await expect(
      resolveBroker({ options: {}, supervisorMqtt: async () => ({ host: 'h', port: 'abc' }) }),
    ).rejects.toThrow(/unusable address/);
  });
  it('standalone without mqtt_url → embedded', async () => {
    expect(await resolveBroker({ options: {} })).toEqual({ kind: 'embedded' });
    expect(await resolveBroker({ options: { mqtt_url: '' } })).toEqual({ kind: 'embedded' });
  });
});

describe('topics', () => {
  it('publish topic hygiene', () => {
    expect(publishTopicProblem('a/b')).toBeNull();
    for (const t of ['', 'a/+', '#', 'a//b', '/a', 'a/', 'a\u0000b'])
      expect(publishTopicProblem(t), t).not.toBeNull();
    expect(() => assertPublishTopic('a/+/b')).toThrow(/wildcard/);
  });
  it('filter matching and rescan topic parsing', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    const ctx = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel' };
    expect(macOfRescanTopic(ctx, 'lan_sentinel/device/b827eb123456/rescan')).toBe('b8:27:eb:12:34:56');
    expect(macOfRescanTopic(ctx, 'lan_sentinel/device/zz27eb123456/rescan')).toBeNull();
  });
});

describe('embedded broker', () => {
  it('serves other clients (retained delivery) and refuses a taken port with a clear message', async () => {
    const b = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
    try {
      const a = await mqtt.connectAsync(b.url);
      await a.publishAsync('x/y', 'hello', { retain: true, qos: 1 });
      await a.endAsync();
      const c = await mqtt.connectAsync(b.url);
      const got = new Promise<string>((r) => c.on('message', (_t, p) => r(p.toString())));
      await c.subscribeAsync('x/#');
      expect(await got).toBe('hello');
      await c.endAsync();
      await expect(startEmbeddedBroker({ host: '127.0.0.1', port: b.port })).rejects.toThrow(
        `mqtt: port ${b.port} on 127.0.0.1 is already in use; set mqtt_url to your broker, or "none" to disable MQTT`,
      );
    } finally {
      await b.close();
    }
    // the port is free again after close
    await new Promise<void>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(b.port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });
});
