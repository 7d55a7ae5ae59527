/**
 * The start/stop helpers of the service (src/service/lifecycle.ts): the stop order main.ts relies on, one
 * failing stop not keeping the others from running, a part-way start undone, and the service's stop running once.
 */
import { describe, expect, it } from 'vitest';
import { runStops, StartupError, type Stops, startParts, stopOnce } from '../../src/service/lifecycle.js';
import { createLogger } from '../../src/util/logger.js';

const logger = (lines: string[]) => createLogger('debug', 'test', (l) => lines.push(l));

describe('service lifecycle', () => {
  it('runStops: newest first; a failing stop is logged and the rest still run; the list is emptied', async () => {
    const ran: string[] = [];
    const lines: string[] = [];
    const stops: Stops = [
      ['db', () => void ran.push('db')],
      [
        'mqtt',
        () => {
          throw new Error('broker gone');
        },
      ],
      ['http', async () => void ran.push('http')],
    ];
    await runStops(stops, logger(lines));
    expect(ran).toEqual(['http', 'db']);
    expect(lines.some((l) => l.includes('error while stopping mqtt: broker gone'))).toBe(true);
    expect(stops).toHaveLength(0);
  });

  it('startParts: a start that throws part-way stops what it started, newest first', async () => {
    const ran: string[] = [];
    await expect(
      startParts(logger([]), async (stops) => {
        stops.push(['a', () => void ran.push('a')]);
        stops.push(['b', () => void ran.push('b')]);
        throw new StartupError('port 8099 is in use');
      }),
    ).rejects.toThrow('port 8099 is in use');
    expect(ran).toEqual(['b', 'a']);
  });

  it('stopOnce: the first steps in order, then the stops newest first; a second call gets the same promise', async () => {
    const ran: string[] = [];
    const lines: string[] = [];
    const stops: Stops = [
      ['db', () => void ran.push('db')],
      ['http', () => void ran.push('http')],
    ];
    const stop = stopOnce(
      logger(lines),
      [
        () => void ran.push('heartbeat'),
        async () => void ran.push('scheduler'),
        () => void ran.push('scans'),
      ],
      stops,
    );
    const p1 = stop('SIGTERM');
    const p2 = stop('again');
    expect(p2).toBe(p1);
    await p1;
    expect(ran).toEqual(['heartbeat', 'scheduler', 'scans', 'http', 'db']);
    expect(lines.filter((l) => l.includes('stopping ('))).toHaveLength(1);
    expect(lines.some((l) => l.includes('stopping (SIGTERM)'))).toBe(true);
    expect(lines.at(-1)).toContain('stopped');
  });
});
