/**
 * Embedded MQTT broker for standalone runs (DESIGN §12): aedes 1.2 on node:net, 127.0.0.1:1883 by default, usable
 * by other clients on the machine. No persistence (retained messages live in memory; we republish on connect).
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 = any free port */
  port?: number;
  logger?: Logger;
}

export interface EmbeddedBroker {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const wantedPort = opts.port ?? 1883;
  const log = (opts.logger ?? silentLogger).child('broker');
  const aedes = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  aedes.on('clientError', (client, err) => log.debug(`client ${client.id}: ${err.message}`));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wantedPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((r) => aedes.close(() => r()));
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `mqtt: port ${wantedPort} on ${host} is already in use; set mqtt_url to your broker, or "none" to disable MQTT`,
      );
    }
    throw new Error(
      `mqtt: cannot start the embedded broker on ${host}:${wantedPort}: ${(err as Error).message}`,
    );
  }
  server.on('error', (err) => log.error(`embedded broker: ${err.message}`));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : wantedPort;
  log.info(`embedded MQTT broker listening on ${host}:${port}`);
  let closed: Promise<void> | null = null;
  return {
    host,
    port,
    url: `mqtt://${host}:${port}`,
    close() {
      closed ??= (async () => {
        const serverClosed = new Promise<void>((r) => server.close(() => r()));
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => aedes.close(() => r()));
        await serverClosed;
      })();
      return closed;
    },
  };
}
