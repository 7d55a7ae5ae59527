import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Alerts } from '../../src/alerts/alerts.js';
import type { HaLink } from '../../src/ha/link.js';
import { connectHa } from '../../src/ha/websocket.js';
import type { Change, Device } from '../../src/inventory/types.js';
import { closeDatabase, type Db, openDatabase } from '../../src/store/db.js';
import { ManualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { FakeHaServer } from '../helpers/fakeHaServer.js';
import { makeNewDevice } from '../helpers/makeDevice.js';

const MAC = 'a4:5e:60:12:34:56';
const IGNORED = 'a4:5e:60:00:00:01';
const device: Device = makeNewDevice({
  mac: MAC,
  ip: '10.213.0.77',
  vendor: 'Apple',
  firstSeen: '2026-03-01T12:00:00.000Z',
  lastSeen: '2026-03-01T12:00:00.000Z',
});
const newDevice: Change = {
  type: 'new_device',
  mac: MAC,
  ip: '10.213.0.77',
  name: null,
  vendor: 'Apple',
  severity: 'info',
  message: 'New device Apple 12:34:56 at 10.213.0.77',
  time: '2026-03-01T12:00:00.000Z',
};

let dir: string;
let db: Db;
let ha: FakeHaServer;
let link: HaLink;
let alerts: Alerts;
let trusted: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-alerts-ha-'));
  db = openDatabase(join(dir, 'db.sqlite'), silentLogger);
  ha = await FakeHaServer.start({
    token: 'tok',
    services: ['notify.mobile_app_pixel_8', 'notify.send_message'],
  });
  link = await connectHa({ url: ha.url, token: 'tok', logger: silentLogger });
  trusted = [];
  alerts = new Alerts({
    db,
    clock: new ManualClock(Date.parse('2026-03-01T12:00:00Z')),
    logger: silentLogger,
    ha: link,
    notifyServices: ['notify.mobile_app_pixel_8', 'notify.kitchen_tablet'],
    ingressBaseUrl: '/app/local_lan_sentinel',
    trustDevice: (mac) => {
      trusted.push(mac);
    },
    getDevice: (mac) => (mac === MAC ? device : mac === IGNORED ? { ...device, mac, ignored: true } : null),
  });
  await alerts.start();
});
afterEach(async () => {
  await alerts.stop();
  link.close();
  await ha.close();
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('HA notifications through the fake HA websocket server', () => {
  it('one new device → exactly one actionable notification per phone, and send_message for the notify entity', async () => {
    await alerts.handleChange(newDevice);
    const phone = ha.calls.filter((c) => c.service === 'mobile_app_pixel_8');
    expect(phone).toHaveLength(1);
    const call = phone[0];
    expect(call?.domain).toBe('notify');
    expect(call?.service_data.title).toBe('New device on your network: Apple .77');
    expect(call?.service_data.message).toBe(newDevice.message);
    const data = call?.service_data.data as Record<string, unknown>;
    expect(data.tag).toBe('lan-sentinel-new_device-a45e60123456');
    expect(data.group).toBe('lan-sentinel');
    expect(data.actions).toEqual([
      { action: 'LAN_SENTINEL_TRUST_a45e60123456', title: 'Trust' },
      { action: 'URI', title: 'Open', uri: '/app/local_lan_sentinel/#/devices/a4%3A5e%3A60%3A12%3A34%3A56' },
    ]);
    // kitchen_tablet is not a legacy service (HA answers not_found): it is a notify entity
    const entity = ha.calls.filter((c) => c.service === 'send_message');
    expect(entity).toHaveLength(1);
    expect(entity[0]?.target).toEqual({ entity_id: 'notify.kitchen_tablet' });
    expect(entity[0]?.service_data).toEqual({ title: call?.service_data.title, message: newDevice.message });

    // the same change again inside the dedup window sends nothing more
    await alerts.handleChange(newDevice);
    expect(ha.calls.filter((c) => c.service === 'mobile_app_pixel_8')).toHaveLength(1);
    expect(alerts.rules.list().map((e) => e.status)).toEqual(['suppressed_dedup', 'sent']);
  });

  it('pressing Trust on the phone marks the device trusted; other actions are ignored', async () => {
    await ha.waitFor(
      () => ha.subscriptionCount('mobile_app_notification_action') === 1,
      5000,
      'action subscription',
    );
    ha.fireEvent('mobile_app_notification_action', { action: 'SOMETHING_ELSE' });
    ha.fireEvent('mobile_app_notification_action', { action: 'LAN_SENTINEL_TRUST_zz' });
    ha.fireEvent('mobile_app_notification_action', { action: 'LAN_SENTINEL_TRUST_a45e60123456' });
    await ha.waitFor(() => trusted.length > 0, 5000, 'trustDevice');
    expect(trusted).toEqual([MAC]);
  });

  it('keeps the Trust button working after the connection drops and comes back', async () => {
    await ha.waitFor(
      () => ha.subscriptionCount('mobile_app_notification_action') === 1,
      5000,
      'action subscription',
    );
    ha.dropAllConnections();
    await ha.waitFor(
      () => ha.subscriptionCount('mobile_app_notification_action') === 1,
      15000,
      'resubscription',
    );
    ha.fireEvent('mobile_app_notification_action', { action: 'LAN_SENTINEL_TRUST_a45e60123456' });
    await ha.waitFor(() => trusted.length > 0, 5000, 'trustDevice after reconnect');
    expect(trusted).toEqual([MAC]);
    // and notifications still go out
    await alerts.handleChange(newDevice);
    expect(ha.calls.filter((c) => c.service === 'mobile_app_pixel_8')).toHaveLength(1);
  });

  it('a hostile hostname reaches HA with its Markdown escaped, so it shows literally (phone and notify entity)', async () => {
    const evil = '[click](http://evil) **x** <img src=x>';
    await alerts.handleChange({
      ...newDevice,
      mac: '02:00:00:00:00:99',
      name: evil,
      message: `New device ${evil} at 10.213.0.99`,
    });
    const shown = '\\[click\\](http://evil) \\*\\*x\\*\\* \\<img src=x\\>';
    const phone = ha.calls.filter((c) => c.service === 'mobile_app_pixel_8');
    expect(phone).toHaveLength(1);
    expect(phone[0]?.service_data.title).toBe(`New device on your network: ${shown}`);
    expect(phone[0]?.service_data.message).toBe(`New device ${shown} at 10.213.0.99`);
    const entity = ha.calls.filter((c) => c.service === 'send_message');
    expect(entity[0]?.service_data).toEqual({
      title: `New device on your network: ${shown}`,
      message: `New device ${shown} at 10.213.0.99`,
    });
  });

  it('an ignored device never notifies', async () => {
    await alerts.handleChange({ ...newDevice, mac: IGNORED });
    expect(ha.calls).toHaveLength(0);
    expect(alerts.rules.list()).toHaveLength(0);
  });
});
