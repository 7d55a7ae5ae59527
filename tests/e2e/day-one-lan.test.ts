/**
 * Day one on the simulated LAN (issue 14 acceptance): the real service with DEFAULT options (sweep every 60 s,
 * `home` port profile, `scan_new_devices` on, nightly port-scan cron untouched), real nmap as root, a real
 * mosquitto. Nothing is pressed: within 5 minutes of start the vulnerable hosts have their findings and the
 * Pi's MQTT broker port 1883 is found; the first sweep raises no new_device; a host added later raises one and is
 * port-scanned on its own; a rule added through the API (as the UI does) for port_opened fires for a port opened
 * later. The figures (times, message counts) are printed for the issue note, not asserted as timings.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, ServiceProcess } from '../helpers/serviceProcess.js';
import { defaultHosts } from '../lan/hosts.js';
import { type ScannerMosquitto, startScannerMosquitto } from '../lan/mosquitto.js';
import { describeLan } from '../lan/requireLan.js';
import { http, silent, telnet } from '../lan/services.js';
import { SimLan } from '../lan/sim-lan.js';

interface DeviceJson {
  mac: string;
  risk: string;
  ports: Array<{ protocol: string; port: number }>;
}
interface FindingJson {
  mac: string;
  cve?: string | null;
  kind: string;
  port?: number | null;
  severity: string;
}
interface ChangeJson {
  type: string;
  mac: string | null;
}
interface AlertJson {
  rule_name: string | null;
  kind: string;
  mac: string | null;
}

describeLan('day one with default options on the simulated LAN', () => {
  let lan: SimLan;
  let broker: ScannerMosquitto;
  let svc: ServiceProcess;
  let sub: MqttClient;
  let t0 = 0;
  const events: Array<Record<string, unknown>> = [];
  const figures: Record<string, number | string> = {};
  const hosts = defaultHosts().map((h) =>
    h.name === 'pi' ? { ...h, services: [...(h.services ?? []), silent(1883)] } : h,
  );
  const mac = (name: string) => hosts.find((h) => h.name === name)!.mac;
  const since = () => Math.round((Date.now() - t0) / 100) / 10;

  beforeAll(async () => {
    lan = await SimLan.create({ hosts });
    broker = await startScannerMosquitto(lan);
    sub = mqtt.connect(broker.hostUrl, { reconnectPeriod: 200 });
    sub.on('message', (topic, payload) => {
      if (topic === 'lan_sentinel/event')
        events.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    });
    await new Promise<void>((r) => sub.once('connect', () => r()));
    await sub.subscribeAsync('lan_sentinel/event', { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    // the figures for the issue note
    console.log(`day-one figures: ${JSON.stringify(figures)}`);
    await sub?.endAsync();
    svc?.cleanup();
    await broker?.stop();
    await lan?.destroy();
  }, 60_000);

  const devices = async () => (await svc.api<{ items: DeviceJson[] }>('api/devices?limit=500')).body.items;
  const changes = async (type: string) =>
    (await svc.api<{ items: ChangeJson[]; total: number }>(`api/changes?type=${type}&limit=500`)).body;
  const findings = async () => (await svc.api<{ items: FindingJson[] }>('api/findings?limit=500')).body.items;

  it('within 5 minutes of start, no button: every device measured, findings on the vulnerable hosts, the Pi 1883 found, no new_device', async () => {
    t0 = Date.now();
    svc = await ServiceProcess.start(lan, { flags: ['--mqtt-url', broker.url] });
    // before the first port scan finished: risk unknown, never "none"
    await eventually(async () => (await devices()).length === hosts.length, 60_000, 'the first sweep');
    figures.first_sweep_s = since();
    const early = await devices();
    expect(early.filter((d) => d.risk === 'none').length).toBe(0);
    const health = (
      await svc.api<{ port_scans: { initial: string }; install: { untrusted: number } }>('api/health')
    ).body;
    expect(health.install.untrusted).toBe(hosts.length);

    await eventually(
      async () => {
        const ds = await devices();
        return ds.every((d) => d.risk !== 'unknown') ? ds : null;
      },
      300_000,
      'every device port-scanned',
    );
    figures.all_measured_s = since();
    const ds = await devices();
    const pi = ds.find((d) => d.mac === mac('pi'))!;
    expect(pi.ports.map((p) => `${p.protocol}/${p.port}`)).toContain('tcp/1883');
    const f = await findings();
    const by = (name: string) => f.filter((x) => x.mac === mac(name));
    expect(by('oldbox').some((x) => x.cve === 'CVE-2011-2523' && x.severity === 'critical')).toBe(true);
    expect(by('nas').some((x) => x.cve === 'CVE-2021-41773')).toBe(true);
    expect(by('pi').some((x) => x.cve === 'CVE-2018-15473')).toBe(true);
    expect(by('camera').some((x) => x.kind === 'risky_port' && x.port === 23)).toBe(true);
    expect(since()).toBeLessThan(300);
    figures.findings_s = since();

    expect((await changes('new_device')).total).toBe(0);
    expect(events.filter((e) => e.event_type === 'new_device')).toHaveLength(0);
    expect((await changes('port_opened')).total).toBe(0);
    expect((await changes('first_port_scan')).total).toBe(hosts.length);
    const h2 = (await svc.api<{ port_scans: { initial: string; last_at: string | null } }>('api/health'))
      .body;
    expect(h2.port_scans.initial).toBe('done');
    expect(h2.port_scans.last_at).not.toBeNull();
    // the log a user can follow
    expect(svc.log).toMatch(/INFO .*sweep #\d+: \d+ hosts up, 0 new, 0 gone/);
    expect(svc.log).toMatch(/INFO .*install baseline: the 11 devices of this first sweep/);
    expect(svc.log).toMatch(/INFO .*port scan #\d+ \(first start, batch 1\/3\)/);
    expect(svc.log).toMatch(/WARN .*critical finding: /);
    figures.events_first_phase = events.length;
    figures.alerts_first_phase = (await svc.api<{ total: number }>('api/alerts?limit=1')).body.total;
  }, 400_000);

  it('a host added later raises one new_device and is port-scanned on its own', async () => {
    const tv = { name: 'tv', mac: 'a8:23:fe:00:11:22', ip: 100, services: [telnet()] };
    const added = Date.now();
    await lan.addHost(tv);
    await eventually(async () => (await changes('new_device')).total === 1, 150_000, 'new_device for the tv');
    figures.new_device_after_join_s = Math.round((Date.now() - added) / 1000);
    await eventually(
      async () => (await devices()).find((d) => d.mac === tv.mac && d.risk !== 'unknown'),
      200_000,
      'the tv port-scanned',
    );
    figures.new_device_measured_after_join_s = Math.round((Date.now() - added) / 1000);
    expect((await changes('new_device')).items.map((c) => c.mac)).toEqual([tv.mac]);
    expect(events.filter((e) => e.event_type === 'new_device').map((e) => e.mac)).toEqual([tv.mac]);
    expect((await findings()).some((x) => x.mac === tv.mac && x.port === 23)).toBe(true);
    expect(svc.log).toMatch(/port scan #\d+ \(new device\)/);
  }, 400_000);

  it('a rule added through the API for port_opened fires for a port opened later', async () => {
    const rule = await svc.api<{ id: number }>('api/alert-rules', {
      method: 'POST',
      body: JSON.stringify({ name: 'Any new open port', events: ['port_opened'], channels: ['mqtt_event'] }),
    });
    expect(rule.status).toBe(201);
    await lan.openPort('pi4', http('Werkzeug/3.0.1 Python/3.12.3', 8123));
    const r = await svc.api(`api/devices/${mac('pi4')}/scan`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(202);
    const alert = await eventually(
      async () =>
        (await svc.api<{ items: AlertJson[] }>('api/alerts?limit=50')).body.items.find(
          (a) => a.rule_name === 'Any new open port' && a.kind === 'port_opened' && a.mac === mac('pi4'),
        ),
      200_000,
      'the port_opened alert of the new rule',
    );
    expect(alert).toBeDefined();
    figures.events_total = events.length;
    figures.alerts_total = (await svc.api<{ total: number }>('api/alerts?limit=1')).body.total;
    figures.elapsed_s = since();
  }, 300_000);
});
