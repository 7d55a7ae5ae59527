import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HaEvent, HaLink } from '../../src/ha/link.js';
import { connectHa, HaCommandError, haWebsocketUrl, resolveHaEndpoint } from '../../src/ha/websocket.js';
import { createLogger, silentLogger } from '../../src/util/logger.js';
import { FakeHaServer } from '../helpers/fakeHaServer.js';

describe('haWebsocketUrl / resolveHaEndpoint', () => {
  it('maps http→ws and https→wss and appends /api/websocket', () => {
    expect(haWebsocketUrl('http://homeassistant.local:8123')).toBe(
      'ws://homeassistant.local:8123/api/websocket',
    );
    expect(haWebsocketUrl('https://ha.example.org/')).toBe('wss://ha.example.org/api/websocket');
    expect(haWebsocketUrl('http://10.0.0.2:8123/sub/')).toBe('ws://10.0.0.2:8123/sub/api/websocket');
  });
  it('rejects non-http URLs with a message naming ha_url', () => {
    expect(() => haWebsocketUrl('ftp://x')).toThrow(/ha_url must start with http/);
    expect(() => haWebsocketUrl('not a url')).toThrow(/ha_url must be an http/);
    expect(() => haWebsocketUrl('http://u:p@h:8123')).toThrow(/credentials/);
  });
  it('prefers the Supervisor proxy in add-on mode', () => {
    expect(resolveHaEndpoint({ supervisorToken: 's', haUrl: 'http://x', haToken: 't' })).toEqual({
      url: 'ws://supervisor/core/websocket',
      token: 's',
      tokenName: 'SUPERVISOR_TOKEN',
    });
    expect(resolveHaEndpoint({ haUrl: 'http://h:8123', haToken: 't' })?.url).toBe(
      'ws://h:8123/api/websocket',
    );
    expect(resolveHaEndpoint({})).toBeNull();
    expect(() => resolveHaEndpoint({ haUrl: 'http://h:8123' })).toThrow(/ha_token is empty/);
  });
});

describe('connectHa against the fake HA server', () => {
  let ha: FakeHaServer;
  let link: HaLink | undefined;
  beforeEach(async () => {
    ha = await FakeHaServer.start({ token: 'good-token' });
  });
  afterEach(async () => {
    link?.close();
    link = undefined;
    await ha.close();
  });

  it('authenticates, negotiates supported_features and reports connected', async () => {
    link = await connectHa({ url: ha.url, token: 'good-token', logger: silentLogger });
    expect(link.connected).toBe(true);
    await ha.waitFor(
      () => ha.received.some((m) => m.type === 'supported_features'),
      2000,
      'supported_features',
    );
    expect(ha.received[0]).toEqual({ type: 'supported_features', id: 1, features: { coalesce_messages: 1 } });
  });

  it('rejects a bad token with a clear error and does not retry', async () => {
    const lines: string[] = [];
    await expect(
      connectHa({
        url: ha.url,
        token: 'wrong',
        logger: createLogger('debug', 't', (l) => lines.push(l)),
        setupRetry: 3,
      }),
    ).rejects.toThrow(/ha_token was rejected by Home Assistant \(Invalid access token or password\)/);
    expect(ha.authAttempts).toBe(1);
    expect(lines.join('\n')).not.toContain('wrong');
  });

  it('names an unreachable HA', async () => {
    const url = ha.url;
    await ha.close();
    await expect(connectHa({ url, token: 'good-token', logger: silentLogger })).rejects.toThrow(
      /cannot connect to Home Assistant at ws:\/\/127\.0\.0\.1/,
    );
    ha = await FakeHaServer.start({ token: 'good-token' });
  });

  it('records call_service with data and target', async () => {
    link = await connectHa({ url: ha.url, token: 'good-token', logger: silentLogger });
    const res = await link.callService(
      'notify',
      'mobile_app_pixel',
      { message: 'New device', data: { tag: 'x' } },
      { entity_id: 'notify.pixel' },
    );
    expect(res).toMatchObject({ response: null, context: { user_id: 'fake-admin' } });
    expect(ha.calls).toHaveLength(1);
    expect(ha.calls[0]).toMatchObject({
      domain: 'notify',
      service: 'mobile_app_pixel',
      service_data: { message: 'New device', data: { tag: 'x' } },
      target: { entity_id: 'notify.pixel' },
    });
  });

  it('turns HA errors into HaCommandError with the code', async () => {
    await ha.close();
    ha = await FakeHaServer.start({ token: 'good-token', services: ['notify.ok'] });
    link = await connectHa({ url: ha.url, token: 'good-token', logger: silentLogger });
    const err = await link.callService('notify', 'missing', { message: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HaCommandError);
    expect((err as HaCommandError).code).toBe('not_found');
    expect((err as Error).message).toMatch(/notify\.missing: not_found: Action notify\.missing not found/);
    await expect(link.sendMessage({ type: 'no/such' })).rejects.toThrow(/no\/such: unknown_command/);
    expect(ha.calls).toHaveLength(0);
  });

  it('subscribeEvents receives fired events; unsubscribe stops them', async () => {
    link = await connectHa({ url: ha.url, token: 'good-token', logger: silentLogger });
    const got: HaEvent[] = [];
    const unsub = await link.subscribeEvents('mobile_app_notification_action', (ev) => got.push(ev));
    ha.fireEvent('other_event', { a: 1 });
    ha.fireEvent('mobile_app_notification_action', { action: 'LAN_SENTINEL_TRUST_aabbccddeeff' });
    ha.fireEvent('mobile_app_notification_action', { action: 'second' });
    await ha.waitFor(() => got.length === 2, 2000, 'two events');
    expect(got[0]).toMatchObject({
      event_type: 'mobile_app_notification_action',
      data: { action: 'LAN_SENTINEL_TRUST_aabbccddeeff' },
      origin: 'LOCAL',
    });
    // The two events were queued in one tick: the fake coalesced them into an array frame, which the client accepts.
    expect(ha.arrayFrames).toBeGreaterThan(0);
    await unsub();
    expect(ha.subscriptionCount()).toBe(0);
    ha.fireEvent('mobile_app_notification_action', { action: 'late' });
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(2);
  });

  it('reconnects after a drop and the subscription keeps delivering', async () => {
    link = await connectHa({ url: ha.url, token: 'good-token', logger: silentLogger });
    const got: HaEvent[] = [];
    await link.subscribeEvents('lan_test', (ev) => got.push(ev));
    expect(ha.authOk).toBe(1);
    ha.dropAllConnections();
    expect(ha.subscriptionCount()).toBe(0);
    await ha.waitFor(
      () => ha.authOk === 2 && ha.subscriptionCount('lan_test') === 1 && ha.connectionCount === 1,
      8000,
      'reconnect + resubscribe',
    );
    expect(link.connected).toBe(true);
    ha.fireEvent('lan_test', { n: 1 });
    await ha.waitFor(() => got.length === 1, 2000, 'event after reconnect');
    expect(got[0]?.data).toEqual({ n: 1 });
    // Commands work again on the new socket.
    await link.callService('persistent_notification', 'create', { message: 'back' });
    expect(ha.calls.at(-1)?.service).toBe('create');
  });

  it('answers ping with pong', async () => {
    link = await connectHa({ url: ha.url, token: 'good-token', logger: silentLogger });
    await expect(link.sendMessage({ type: 'ping' })).resolves.toBeUndefined();
    expect(ha.received.filter((m) => m.type === 'ping')).toHaveLength(1);
  });

  it('uses strictly increasing ids (the fake enforces id_reuse)', async () => {
    link = await connectHa({ url: ha.url, token: 'good-token', logger: silentLogger });
    for (let i = 0; i < 5; i++) await link.sendMessage({ type: 'get_config' });
    const ids = ha.received.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
