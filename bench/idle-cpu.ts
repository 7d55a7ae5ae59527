/**
 * `npx tsx bench/idle-cpu.ts [seconds]`: where the idle service spends its CPU between sweeps (issue 18). The
 * built service runs as in `idle_cpu_pct` (bench/lan.ts: 60 light hosts, mosquitto in the scanner namespace,
 * sweep_interval 3600, port scans off) with a preloaded module (`NODE_OPTIONS=--import`) that starts V8's CPU
 * profiler (node:inspector) on the first SIGUSR2 and writes the profile on the second; after the first sweep
 * + 5 s the window of `seconds` (default 30) is profiled, and the samples are summed by function (self time)
 * and by stack, beside the ticks of `/proc/<pid>/stat` over the same window. Prints Markdown; nothing is
 * asserted. Needs root (network namespaces).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from '../tests/helpers/serviceProcess.js';
import { startScannerMosquitto } from '../tests/lan/mosquitto.js';
import { SimLan } from '../tests/lan/sim-lan.js';
import { firstScansDone, idleFlags, lightHosts } from './lan.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const ticks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(
    readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2,
  );
  const p = f.split(' ');
  return Number(p[11]) + Number(p[12]);
};

function summarise(p: Profile, fromUs: number, toUs: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const stacks = new Map<string, number>();
  let t = p.startTime;
  let inWindow = 0;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    total++;
    const n = byId.get(p.samples[i] as number);
    if (!n) continue;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      self.set(name, (self.get(name) ?? 0) + 1);
      continue;
    }
    inWindow++;
    const key = `${name} ${n.callFrame.url.replace(/.*\/(node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    // the JS stack, root last: which timer or socket led here
    const frames: string[] = [];
    for (let id: number | undefined = n.id; id !== undefined && frames.length < 8; id = parent.get(id)) {
      const f = byId.get(id);
      if (!f || f.callFrame.functionName === '(root)') break;
      frames.push(
        `${f.callFrame.functionName || '(anon)'}@${f.callFrame.url.replace(/.*\//, '')}:${f.callFrame.lineNumber}`,
      );
    }
    const s = frames.reverse().join(' > ');
    stacks.set(s, (stacks.get(s) ?? 0) + 1);
  }
  const lines = [
    `${total} samples in the window, ${inWindow} in JavaScript/native code (not idle, program or GC).`,
    '',
    '| function (self) | samples |',
    '| --- | ---: |',
  ];
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) lines.push(`| ${k} | ${v} |`);
  lines.push('', '| stack (root first) | samples |', '| --- | ---: |');
  for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`| ${k} | ${v} |`);
  return lines.join('\n');
}

const seconds = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'lsn-idle-cpu-'));
let lan: SimLan | null = null;
let broker: Awaited<ReturnType<typeof startScannerMosquitto>> | null = null;
try {
  lan = await SimLan.create({ hosts: lightHosts(60) });
  broker = await startScannerMosquitto(lan);
  const out = join(dir, 'idle.cpuprofile');
  const preload = join(dir, 'profile-on-signal.mjs');
  writeFileSync(
    preload,
    `import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const s = new Session();
s.connect();
let on = false;
process.on('SIGUSR2', () => {
  if (!on) {
    on = true;
    s.post('Profiler.enable', () => s.post('Profiler.setSamplingInterval', { interval: 200 }, () => s.post('Profiler.start')));
  } else {
    s.post('Profiler.stop', (err, r) => { if (!err) writeFileSync(${JSON.stringify(out)}, JSON.stringify(r.profile)); });
  }
});
`,
  );
  const svc = await ServiceProcess.start(lan, {
    flags: idleFlags(broker),
    env: { NODE_OPTIONS: `--import=${preload}` },
    startTimeoutMs: 60_000,
  });
  let from = 0;
  let to = 0;
  let t0 = 0;
  let t1 = 0;
  try {
    const pid = svc.child.pid as number;
    await firstScansDone(svc, 180_000);
    await sleep(5000);
    t0 = ticks(pid);
    from = nowUs();
    process.kill(pid, 'SIGUSR2');
    await sleep(seconds * 1000);
    to = nowUs();
    t1 = ticks(pid);
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 50 && !existsSync(out); i++) await sleep(200);
  } finally {
    await svc.stop('SIGTERM', 15_000).catch(() => undefined);
    if (process.env.LSN_SERVICE_LOG) writeFileSync(process.env.LSN_SERVICE_LOG, svc.log);
    svc.cleanup();
  }
  if (!existsSync(out)) throw new Error('no CPU profile was written');
  const f = out;
  console.log(
    `Idle window of ${seconds} s: ${t1 - t0} ticks of /proc/<pid>/stat (${(((t1 - t0) / 100 / seconds) * 100).toFixed(2)} % of one core at 100 ticks/s).\n`,
  );
  console.log(summarise(JSON.parse(readFileSync(f, 'utf8')) as Profile, from, to));
} finally {
  await broker?.stop().catch(() => undefined);
  await lan?.destroy();
  rmSync(dir, { recursive: true, force: true });
}
