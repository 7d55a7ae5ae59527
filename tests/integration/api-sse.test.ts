import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Change } from '../../src/inventory/types.js';
import { type Harness, makeHarness } from '../helpers/apiFixtures.js';

let h: Harness;
let base: string;
let key: string;
beforeAll(async () => {
  h = await makeHarness({ deps: { sseHeartbeatMs: 100 } });
  key = h.keys.create('sse', 'read').secret;
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const a = h.app.server.address() as AddressInfo;
  base = `http://127.0.0.1:${a.port}`;
});
afterAll(async () => {
  await h.close();
});

/** Opens the stream and collects raw text; resolves once `until` matches the accumulated text. */
function openStream() {
  let text = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  let res: http.IncomingMessage | undefined;
  const req = http.get(`${base}/api/events`, { headers: { 'x-api-key': key } }, (r) => {
    res = r;
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => {
      text += chunk;
      for (const w of [...waiters]) {
        if (w.re.test(text)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  });
  return {
    req,
    get res() {
      return res;
    },
    get text() {
      return text;
    },
    waitFor(re: RegExp, ms = 5000) {
      if (re.test(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`timed out waiting for ${re} in ${JSON.stringify(text)}`)),
          ms,
        );
        waiters.push({
          re,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
  };
}

const waitUntil = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

it('streams bus changes, scans and device removals as SSE over a real socket; cleans up on disconnect', async () => {
  const before = h.bus.listenerCount('change');
  const s = openStream();
  await s.waitFor(/: connected/);
  expect(s.res?.headers['content-type']).toMatch(/^text\/event-stream/);
  expect(h.bus.listenerCount('change')).toBe(before + 1);

  const change: Change = {
    type: 'new_device',
    mac: 'aa:bb:cc:00:00:01',
    ip: '10.213.0.99',
    name: 'evil\n\nevent: change\ndata: {"forged":true}',
    vendor: null,
    severity: 'medium',
    message: 'New device',
    time: new Date().toISOString(),
  };
  h.bus.emit('change', change);
  await s.waitFor(/event: change\ndata: .*\n\n/);
  const frame = /event: change\ndata: (.*)\n\n/.exec(s.text)!;
  const data = JSON.parse(frame[1]!);
  expect(data).toMatchObject({ type: 'new_device', mac: 'aa:bb:cc:00:00:01', name: change.name });
  expect(s.text).not.toContain('"forged":true}\n');

  h.bus.emit('scan:finished', {
    scanId: 7,
    kind: 'sweep',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    hostsUp: 4,
    changes: 1,
  });
  await s.waitFor(/event: scan\ndata: .*"phase":"finished"/);
  h.bus.emit('device:removed', { mac: 'aa:bb:cc:00:00:01', reason: 'forgotten' });
  await s.waitFor(/event: device\ndata: .*"action":"removed"/);
  await s.waitFor(/: ping /);

  s.req.destroy();
  await waitUntil(() => h.bus.listenerCount('change') === before);
  expect(h.bus.listenerCount('scan:finished')).toBe(0);
  expect(h.bus.listenerCount('device:removed')).toBe(0);
});

it('SSE needs authentication like every API route', async () => {
  const status = await new Promise<number>((resolve) => {
    http.get(`${base}/api/events`, (r) => {
      r.resume();
      resolve(r.statusCode ?? 0);
    });
  });
  expect(status).toBe(401);
});
