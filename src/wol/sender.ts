/**
 * The UDP adapter that sends magic packets: one IPv4 datagram socket with SO_BROADCAST, each target tried on
 * its own (a namespace or host without a default route cannot send to 255.255.255.255, yet the directed
 * broadcast still reaches the link). No subprocess, no argv, no shell.
 */
import { createSocket } from 'node:dgram';
import { isIpv4 } from '../scan/ipv4.js';
import type { WakeTarget } from './targets.js';

export interface WakeSendResult extends WakeTarget {
  ok: boolean;
  /** why the kernel refused this target (ENETUNREACH, EACCES, …) */
  error?: string;
}

export interface WakeSender {
  send(packet: Uint8Array, targets: readonly WakeTarget[]): Promise<WakeSendResult[]>;
}

/** Real sender over node:dgram; `timeoutMs` bounds the whole send. */
export function udpWakeSender(opts: { timeoutMs?: number } = {}): WakeSender {
  const timeoutMs = opts.timeoutMs ?? 2_000;
  return {
    async send(packet, targets) {
      const socket = createSocket({ type: 'udp4', reuseAddr: false });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      // an error event after bind (e.g. ICMP feedback) must not crash the process
      socket.on('error', () => {});
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(0, () => {
            socket.off('error', reject);
            resolve();
          });
        });
        socket.setBroadcast(true);
        const results: WakeSendResult[] = [];
        const deadline = Date.now() + timeoutMs;
        for (const t of targets) {
          const left = deadline - Date.now();
          if (left <= 0) {
            results.push({ ...t, ok: false, error: 'timed out' });
            continue;
          }
          results.push(await sendOne(socket, packet, t, left));
        }
        return results;
      } catch (err) {
        return targets.map((t) => ({ ...t, ok: false, error: (err as Error).message }));
      } finally {
        try {
          socket.close();
          await closed;
        } catch {
          // already closed
        }
      }
    },
  };
}

function sendOne(
  socket: ReturnType<typeof createSocket>,
  packet: Uint8Array,
  t: WakeTarget,
  timeoutMs: number,
): Promise<WakeSendResult> {
  // an address literal only: a name would make dgram ask DNS, and network text never gets that far
  if (!isIpv4(t.address)) return Promise.resolve({ ...t, ok: false, error: 'not an IPv4 address' });
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
    return Promise.resolve({ ...t, ok: false, error: 'not a UDP port' });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ...t, ok: false, error: 'timed out' }), timeoutMs);
    socket.send(packet, t.port, t.address, (err) => {
      clearTimeout(timer);
      resolve(
        err
          ? { ...t, ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }
          : { ...t, ok: true },
      );
    });
  });
}
