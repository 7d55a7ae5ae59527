/**
 * Multi-probe confirmation before away, on the simulated LAN with a dozing phone: it ignores ICMP, keeps TCP
 * 62078 open and is on the air only a third of the time (link up 3 s, down 6 s), so it answers about one
 * sweep in three. The real service sweeps every 15 s with consider_home 20 s — without confirmation the phone
 * would be "away" every time it misses two sweeps. Passive listening is off so the figure is the probes' alone.
 * Soak: SOAK_S seconds; then the phone really leaves and the departure latency is measured.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, ServiceProcess, serviceFlags } from '../helpers/serviceProcess.js';
import { type SleepyPhone, sleepyPhone } from '../lan/peers.js';
import { describeLan } from '../lan/requireLan.js';
import { SimLan } from '../lan/sim-lan.js';

const SOAK_S = 150;
const PHONE = 'da:a1:19:5e:6f:70';

interface DeviceJson {
  presence: string;
  presence_reason: string | null;
  online: boolean;
}

describeLan('multi-probe confirmation before away (sleepy phone)', () => {
  let lan: SimLan;
  let svc: ServiceProcess;
  let phone: SleepyPhone | null = null;

  const device = async (mac: string) => (await svc.api<DeviceJson>(`api/devices/${mac}`)).body;
  const offline = async () =>
    (
      await svc.api<{ items: Array<{ mac: string }> }>(
        `api/changes?type=device_offline&mac=${PHONE}&limit=100`,
      )
    ).body.items.length;

  beforeAll(async () => {
    lan = await SimLan.create({
      hosts: [
        { name: 'router', mac: '78:8a:20:10:00:01', ip: 1 },
        { name: 'phone', mac: PHONE, ip: 90 },
      ],
    });
    svc = await ServiceProcess.start(lan, {
      flags: serviceFlags({
        sweepInterval: 15,
        considerHome: 20,
        passive: false,
        scanNewDevices: false,
        ports: '9',
        mqttUrl: 'none',
      }),
    });
    await eventually(
      async () => (await svc.api(`api/devices/${PHONE}`)).status === 200,
      60_000,
      'the baseline sweep',
    );
  }, 120_000);

  afterAll(async () => {
    await phone?.stop();
    svc?.cleanup();
    await lan?.destroy();
  }, 60_000);

  it(
    `zero false away over a ${SOAK_S} s soak; the probes that kept it home are its presence reason`,
    async () => {
      phone = await sleepyPhone(lan, 'phone', { awakeMs: 3_000, asleepMs: 6_000 });
      const t0 = Date.now();
      const reasons = new Set<string>();
      while (Date.now() - t0 < SOAK_S * 1000) {
        const d = await device(PHONE);
        expect(
          d.presence,
          `false away after ${Math.round((Date.now() - t0) / 1000)} s: ${d.presence_reason}`,
        ).toBe('home');
        if (d.presence_reason) reasons.add(d.presence_reason);
        await new Promise((r) => setTimeout(r, 1000));
      }
      await phone.stop();
      phone = null;
      const rescued = (svc.log.match(/answered a direct probe \(probe: /g) ?? []).length;
      const sweeps = (svc.log.match(/sweep #\d+:/g) ?? []).length;
      console.log(
        `[presence] soak ${SOAK_S} s, ${sweeps} sweeps: false away 0 (device_offline changes: ${await offline()}), ${rescued} departures stopped by a direct probe; reasons seen: ${[...reasons].join(' | ')}`,
      );
      expect(await offline()).toBe(0);
      // the feature did the work: without the probes these would have been false aways
      expect(rescued).toBeGreaterThan(0);
      expect([...reasons].some((r) => r.startsWith('probe: '))).toBe(true);
    },
    (SOAK_S + 90) * 1000,
  );

  it('a phone that really leaves is away after the probes, with the unanswered probes as its reason', async () => {
    const t0 = Date.now();
    await lan.removeHost('phone');
    const d = await eventually(
      async () => {
        const x = await device(PHONE);
        return x.presence === 'not_home' ? x : null;
      },
      120_000,
      'the phone to be away',
      250,
    );
    const s = (Date.now() - t0) / 1000;
    console.log(
      `[presence] departure latency ${s.toFixed(1)} s (sweep 15 s, consider_home 20 s, 3 probe rounds 4 s apart)`,
    );
    expect(d.presence_reason).toMatch(
      /no answer to the sweep nor to 3 probe rounds \(ARP, ICMP echo, TCP SYN 62078/,
    );
    expect(await offline()).toBe(1);
  }, 150_000);
});
