/**
 * The running service's wiring, through the test harness (real startService, fixture nmap, aedes, temp dir, no
 * root): what a sweep publishes, and the three wiring faults of issue 11 — each of these tests failed before
 * its fix (see CHANGELOG).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceDiscoveryTopic, hubDiscoveryTopic } from '../../src/ha/topics.js';
import { DEFAULT_HOSTS, startTestService, TEST_SUBNET, type TestService } from '../helpers/testService.js';

const NEWCOMER = { ip: '10.213.250.9', mac: 'a4:5e:60:12:34:09' };
const CTX = { discoveryPrefix: 'homeassistant', baseTopic: 'lan_sentinel' };
const mac12 = (mac: string) => mac.replace(/:/g, '');
const hubState = (svc: TestService) => JSON.parse(svc.last('lan_sentinel/hub/state') ?? '{}');

let svc: TestService | null = null;
afterEach(async () => {
  await svc?.stop();
  svc = null;
});

/** A device joins after the install baseline: a sweep finds it, it is new. */
async function newcomerJoins(s: TestService): Promise<void> {
  s.setHosts({ ...DEFAULT_HOSTS, [NEWCOMER.ip]: NEWCOMER.mac });
  await s.sweep();
}

describe('startTestService', () => {
  it('runs the real service against the fixture nmap and records what it publishes', async () => {
    svc = await startTestService();
    // the start-up sweep found the three hosts of the made-up LAN, each got its retained state topic
    for (const [ip, mac] of Object.entries(DEFAULT_HOSTS)) {
      const state = JSON.parse(svc.last(`lan_sentinel/device/${mac12(mac)}/state`) ?? 'null');
      expect(state, mac).toMatchObject({ mac, ip, online: true });
    }
    expect(hubState(svc)).toMatchObject({ devices_online: 3, devices_known: 3, devices_new: 0 });
    const { status, body } = await svc.api<{ total: number }>('GET', 'api/devices');
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    // the sweep's argv reached the fixture nmap: the option subnets, after "--"
    const scan = svc.service.store.scans.lastFinished('sweep');
    expect(scan?.targets).toEqual([TEST_SUBNET]);
  });
});

describe('issue 11 wiring faults', () => {
  it('fault 1: an alert rule with the "HA event entity" channel (mqtt_event) publishes to the alert event entity', async () => {
    svc = await startTestService();
    const hub = JSON.parse(svc.last(hubDiscoveryTopic(CTX)) ?? '{}');
    // the hub announces an event entity for alerts beside the network_event one
    expect(hub.components?.alert).toMatchObject({ platform: 'event', state_topic: 'lan_sentinel/alert' });
    expect(hub.components.alert.event_types).toContain('new_device');
    expect(hub.components.alert.event_types).toContain('alert_summary');

    const rule = await svc.api('POST', 'api/alert-rules', {
      name: 'automation hook',
      events: ['new_device'],
      channels: ['mqtt_event'],
    });
    expect(rule.status).toBe(201);
    const since = svc.published.length;
    await newcomerJoins(svc);
    const msg = await svc.waitForPublish(
      (m) => m.topic === 'lan_sentinel/alert' && JSON.parse(m.payload).rule === 'automation hook',
      'an alert on lan_sentinel/alert',
      {
        since,
      },
    );
    expect(msg.retain).toBe(false);
    expect(JSON.parse(msg.payload)).toMatchObject({
      event_type: 'new_device',
      mac: NEWCOMER.mac,
      ip: NEWCOMER.ip,
      rule: 'automation hook',
      severity: expect.any(String),
      title: expect.stringContaining('New device'),
    });
    // and the alert log says it was sent on that channel
    const logged = svc.alertLog().find((a) => a.kind === 'new_device' && a.channels.includes('mqtt_event'));
    expect(logged?.status).toBe('sent');
  });

  it('fault 2: acknowledging a device (marking it known) updates the hub devices_new at once, without a sweep', async () => {
    svc = await startTestService();
    await newcomerJoins(svc);
    expect(hubState(svc).devices_new).toBe(1);
    const sweepBefore = svc.service.store.scans.lastFinished('sweep')?.id;
    const since = svc.published.length;
    const r = await svc.api('PATCH', `api/devices/${NEWCOMER.mac}`, { known: true });
    expect(r.status).toBe(200);
    const m = await svc.waitForPublish(
      (x) => x.topic === 'lan_sentinel/hub/state' && JSON.parse(x.payload).devices_new === 0,
      'a hub state with devices_new 0',
      { since, timeoutMs: 5000 },
    );
    expect(m.retain).toBe(true);
    expect(svc.service.store.scans.lastFinished('sweep')?.id).toBe(sweepBefore);
    // the device's own state says known
    await svc.waitForPublish(
      (x) =>
        x.topic === `lan_sentinel/device/${mac12(NEWCOMER.mac)}/state` &&
        JSON.parse(x.payload).known === true,
      'the device state with known true',
      { since },
    );
    // forgetting a device also updates the counters at once
    const since2 = svc.published.length;
    expect((await svc.api('DELETE', `api/devices/${NEWCOMER.mac}`)).status).toBe(200);
    await svc.waitForPublish(
      (x) => x.topic === 'lan_sentinel/hub/state' && JSON.parse(x.payload).devices_known === 3,
      'a hub state with devices_known 3 after forget',
      { since: since2, timeoutMs: 5000 },
    );
    await svc.waitForPublish(
      (x) => x.topic === deviceDiscoveryTopic(CTX, NEWCOMER.mac) && x.payload === '',
      "the forgotten device's discovery config cleared",
      { since: since2 },
    );
  });

  it('fault 3: a finding changed outside a scan (expected ports set) reaches SSE clients as a "finding" event', async () => {
    svc = await startTestService();
    const mac = DEFAULT_HOSTS['10.213.250.5'] as string;
    // the first port scan after install found 22/tcp open on every host
    const dev = await svc.api<{ ports: Array<{ port: number }> }>('GET', `api/devices/${mac}`);
    expect(dev.body.ports.map((p) => p.port)).toContain(22);

    const ac = new AbortController();
    const res = await fetch(`${svc.url}/api/events`, {
      headers: { authorization: `Bearer ${svc.token}` },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const frames: string[] = [];
    const reader = res.body?.getReader();
    const reading = (async () => {
      const dec = new TextDecoder();
      let buf = '';
      try {
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) return;
          buf += dec.decode(chunk.value, { stream: true });
          let i = buf.indexOf('\n\n');
          while (i >= 0) {
            frames.push(buf.slice(0, i));
            buf = buf.slice(i + 2);
            i = buf.indexOf('\n\n');
          }
        }
      } catch {
        // aborted
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 100));
      // only 80/tcp is expected: the open 22/tcp becomes an unexpected_port finding (no scan runs)
      const put = await svc.api('PUT', `api/devices/${mac}/expected-ports`, { ports: ['tcp/80'] });
      expect(put.status).toBe(200);
      const deadline = Date.now() + 5000;
      let finding: Record<string, unknown> | undefined;
      while (!finding && Date.now() < deadline) {
        finding = frames
          .filter((x) => /^event: finding$/m.test(x))
          .map((x) => JSON.parse(/^data: (.*)$/m.exec(x)?.[1] ?? '{}') as Record<string, unknown>)
          .find((x) => x.kind === 'unexpected_port');
        if (!finding) await new Promise((r) => setTimeout(r, 25));
      }
      expect(finding, `SSE frames: ${frames.join(' | ')}`).toMatchObject({
        mac,
        kind: 'unexpected_port',
        port: 22,
      });
    } finally {
      ac.abort();
      await reading;
    }
  });
});

describe('features attached by main.ts', () => {
  it('a schedule created or changed through the API is scheduled at once by the running scheduler', async () => {
    svc = await startTestService();
    const s = svc as TestService;
    const scheduled = (name: string) => s.logs.filter((l) => l.includes(`schedule "${name}" (sweep`)).length;
    const c = await s.api<{ id: number }>('POST', 'api/schedules', {
      name: 'lan weekly',
      cron: '30 2 * * 0',
      kind: 'sweep',
      targets: [TEST_SUBNET],
    });
    expect(c.status).toBe(201);
    // the scheduler logs each schedule it starts, with its next run: here at once, not at the 60 s check
    expect(scheduled('lan weekly')).toBe(1);
    const p = await s.api('PATCH', `api/schedules/${c.body.id}`, { cron: '30 3 * * 0' });
    expect(p.status).toBe(200);
    expect(scheduled('lan weekly')).toBe(2);
    expect(s.logs.some((l) => l.includes('"lan weekly" (sweep 10.213.250.0/28) "30 3 * * 0"'))).toBe(true);
    const d = await s.api('DELETE', `api/schedules/${c.body.id}`);
    expect(d.status).toBe(200);
    expect(s.service.bus.listenerCount('schedules:changed')).toBe(1);
    await s.stop();
    svc = null;
    // stopped: the scheduler's subscription is gone with it
    expect(s.service.bus.listenerCount('schedules:changed')).toBe(0);
  });
});
