/** HaBridge with a fake publisher and fake timers: HA birth handling and lifecycle calls, message by message. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BridgePublisher, HaBridge } from '../../src/ha/bridge.js';
import type { Device } from '../../src/inventory/types.js';
import type { MessageHandler, PublishOptions, PublishOutcome } from '../../src/mqtt/client.js';
import { topicMatches } from '../../src/mqtt/topics.js';
import { makeDevice } from '../helpers/makeDevice.js';

class FakePublisher implements BridgePublisher {
  connected = true;
  sent: Array<{ topic: string; payload: string; options: PublishOptions }> = [];
  handlers = new Map<string, MessageHandler>();
  async publish(topic: string, payload: string, options: PublishOptions = {}): Promise<PublishOutcome> {
    this.sent.push({ topic, payload, options });
    return 'sent';
  }
  async subscribe(filter: string, handler: MessageHandler) {
    this.handlers.set(filter, handler);
    return async () => {
      this.handlers.delete(filter);
    };
  }
  onConnect() {
    return () => {};
  }
  deliver(topic: string, payload: string, retain = false) {
    for (const [f, h] of this.handlers)
      if (topicMatches(f, topic)) h(topic, Buffer.from(payload), { retain });
  }
}

const dev = (n: number): Device => makeDevice({ mac: `02:00:00:00:00:0${n}`, ip: `10.213.0.${n}` });

let pub: FakePublisher;
let bridge: HaBridge;
const devices = [dev(1), dev(2), { ...dev(3), ignored: true }];

beforeEach(async () => {
  vi.useFakeTimers();
  pub = new FakePublisher();
  bridge = new HaBridge({
    publisher: pub,
    ctx: { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel', swVersion: '0.1.0' },
    listDevices: () => devices,
    findingsFor: () => [],
    hubStats: () => ({ online: 2, total: 3, new: 0, threatsActive: 0, lastScan: null }),
    onScanNow: () => {},
    onRescan: () => {},
    random: () => 0.5,
    reconcileMs: 100,
  });
  await bridge.start();
  await vi.advanceTimersByTimeAsync(200);
  pub.sent.length = 0;
});
afterEach(async () => {
  await bridge.stop();
  vi.useRealTimers();
});

describe('HA birth', () => {
  it('ten births → one forced republish of states only, after the random delay (1–5 s)', async () => {
    for (let i = 0; i < 10; i++) {
      pub.deliver('homeassistant/status', 'online');
      await vi.advanceTimersByTimeAsync(90);
    }
    expect(pub.sent).toEqual([]); // random 0.5 → 3000 ms
    await vi.advanceTimersByTimeAsync(3000);
    expect(bridge.birthRepublishes).toBe(1);
    expect(pub.sent.map((m) => m.topic).sort()).toEqual(
      [
        'lan_sentinel/device/020000000001/state',
        'lan_sentinel/device/020000000002/state',
        'lan_sentinel/hub/state',
        'lan_sentinel/status',
      ].sort(),
    );
    expect(pub.sent.every((m) => m.options.retain && m.options.force)).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(bridge.birthRepublishes).toBe(1);
  });

  it('offline (HA going away) causes nothing', async () => {
    pub.deliver('homeassistant/status', 'offline');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pub.sent).toEqual([]);
  });

  it('a birth after a completed republish schedules another one', async () => {
    pub.deliver('homeassistant/status', 'online');
    await vi.advanceTimersByTimeAsync(5000);
    pub.deliver('homeassistant/status', 'online');
    await vi.advanceTimersByTimeAsync(5000);
    expect(bridge.birthRepublishes).toBe(2);
  });
});

describe('lifecycle', () => {
  it('ignored and forgotten devices get empty retained payloads on both topics', async () => {
    await bridge.deviceUpdated({ ...dev(1), ignored: true });
    await bridge.deviceRemoved(dev(2).mac);
    expect(pub.sent.map((m) => [m.topic, m.payload, m.options.retain])).toEqual([
      ['homeassistant/device/lan_sentinel_020000000001/config', '', true],
      ['lan_sentinel/device/020000000001/state', '', true],
      ['homeassistant/device/lan_sentinel_020000000002/config', '', true],
      ['lan_sentinel/device/020000000002/state', '', true],
    ]);
  });
});
