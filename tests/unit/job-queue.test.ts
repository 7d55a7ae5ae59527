import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/service/jobQueue.js';

describe('JobQueue', () => {
  it('coalesces identical requests and puts sweeps before port scans', () => {
    const q = new JobQueue();
    expect(q.push({ kind: 'ports', key: 'aa', reason: 'r', macs: ['aa'] })).toBe(true);
    expect(q.push({ kind: 'ports', key: 'aa', reason: 'r2', macs: ['aa'] })).toBe(false);
    expect(q.push({ kind: 'ports', key: 'bb', reason: 'r', macs: ['bb'] })).toBe(true);
    expect(q.push({ kind: 'sweep', key: 'sweep', reason: 'timer', macs: null })).toBe(true);
    expect(q.push({ kind: 'sweep', key: 'sweep', reason: 'button', macs: null })).toBe(false);
    expect(q.length).toBe(3);
    expect(q.shift()?.kind).toBe('sweep');
    expect(q.shift()?.key).toBe('aa');
    expect(q.has('sweep')).toBe(false);
    expect(q.shift()?.key).toBe('bb');
    expect(q.shift()).toBeUndefined();
  });
});
