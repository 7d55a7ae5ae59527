/**
 * In-process aedes broker on a free loopback port (tests), with a log of every client PUBLISH the broker received
 * and a restart that drops all clients and retained messages (= a non-persistent broker restart).
 */
import net from 'node:net';
import { Aedes } from 'aedes';

export interface BrokerPublish {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
  clientId: string;
}

export interface TestBroker {
  port: number;
  url: string;
  /** client publishes received, in order (cleared with `published.length = 0`) */
  published: BrokerPublish[];
  /** close (drops every client and retained message), then listen again on the same port */
  restart(delayMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function listen(port: number, published: BrokerPublish[]) {
  const aedes = await Aedes.createBroker();
  aedes.on('publish', (packet, client) => {
    if (!client) return;
    published.push({
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload),
      retain: packet.retain,
      qos: packet.qos,
      clientId: client.id,
    });
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    aedes.handle(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const a = server.address();
  const bound = typeof a === 'object' && a ? a.port : port;
  const close = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => aedes.close(() => r()));
    await closed;
  };
  return { port: bound, close };
}

export async function startAedes(): Promise<TestBroker> {
  const published: BrokerPublish[] = [];
  let current = await listen(0, published);
  const port = current.port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    published,
    async restart(delayMs = 0) {
      await current.close();
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      current = await listen(port, published);
    },
    close: () => current.close(),
  };
}

/**
 * Every retained message under `filter` as a fresh client sees it: subscribe, then wait until no message arrived
 * for `quietMs`. Works on any broker (aedes or mosquitto).
 */
export async function retainedSnapshot(
  url: string,
  filter: string,
  quietMs = 300,
): Promise<Map<string, string>> {
  const { connectAsync } = await import('mqtt');
  const c = await connectAsync(url, {
    clean: true,
    reconnectPeriod: 0,
    clientId: `snap_${Math.random().toString(16).slice(2)}`,
  });
  const out = new Map<string, string>();
  let last = Date.now();
  c.on('message', (topic, payload, packet) => {
    last = Date.now();
    if (packet.retain) out.set(topic, payload.toString('utf8'));
  });
  await c.subscribeAsync(filter, { qos: 1 });
  last = Date.now();
  while (Date.now() - last < quietMs) await new Promise((r) => setTimeout(r, 50));
  await c.endAsync();
  return out;
}

/** Polls `cond` every 20 ms until true or `timeoutMs` passed (then throws with `what`). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
