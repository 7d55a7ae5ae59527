/** In-process aedes broker on a free loopback port (tests). Wraps src/mqtt/broker.ts and adds restart. */
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/mqtt/broker.js';

export interface TestBroker {
  port: number;
  url: string;
  /** close (drops every client and every retained message), then listen again on the same port */
  restart(delayMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startAedes(): Promise<TestBroker> {
  let broker: EmbeddedBroker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 });
  const port = broker.port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async restart(delayMs = 0) {
      await broker.close();
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      broker = await startEmbeddedBroker({ host: '127.0.0.1', port });
    },
    close: () => broker.close(),
  };
}
