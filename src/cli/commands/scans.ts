/** `scan` (start one on the instance and follow it), `scans` (list, show) and `compare`. */
import type {
  CompareJson,
  DeviceJson,
  HealthJson,
  ScanAcceptedJson,
  ScanDetailJson,
  ScanJson,
  SseScanJson,
} from '../../api/schemas.js';
import { SCAN_KINDS, SCAN_STATUSES } from '../../api/schemas.js';
import { UsageError } from '../args.js';
import { scanStatusStyle } from '../colour.js';
import { type Ctx, flag, oneOf, positiveInt, printJson, type TableCtx } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { duration, keyValues, shortTime } from '../format.js';
import { ScanProgress } from '../progress.js';
import { renderTable } from '../table.js';
import { deviceTable } from './devices.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ScanRun {
  kind: 'sweep' | 'ports';
  scans: ScanJson[];
}

/**
 * Starts a scan of `kind` (POST api/scans → 202) and waits until the instance's scanner is idle again,
 * following the scan events. Returns every scan record of that kind that ran for this request.
 */
async function runScan(
  ctx: Ctx,
  kind: 'sweep' | 'ports',
  progress: ScanProgress,
  timeoutMs: number,
): Promise<ScanRun> {
  const seen = new Set<number>();
  const ended = new Set<number>();
  const off = ctx.scanEvents((e: SseScanJson) => {
    if (e.kind !== kind) return;
    if (e.phase === 'started') seen.add(e.scan_id);
    if (e.phase === 'finished' || e.phase === 'failed') ended.add(e.scan_id);
    progress.event(e);
  });
  try {
    const before = await ctx.client.get<{ items: ScanJson[] }>(`api/scans?kind=${kind}&limit=1`);
    const lastBefore = before.items[0]?.id ?? 0;
    const reason = flag(ctx, 'reason') ?? `cli:${process.env.USER ?? 'user'}`;
    const accepted = await ctx.client.request<ScanAcceptedJson>('POST', 'api/scans', { kind, reason });
    if (accepted.scan_id !== null) seen.add(accepted.scan_id);
    if (!accepted.queued) progress.waiting(`${accepted.message}; waiting for it`);
    const deadline = Date.now() + timeoutMs;
    let idleSince = 0;
    for (;;) {
      await sleep(ctx.client.remote ? 1000 : 200);
      const h = await ctx.client.get<HealthJson>('api/health');
      const idle = !h.scanner.running && h.scanner.queue === 0;
      if (idle) {
        // idle twice in a row: no batch is about to start
        if (idleSince && Date.now() - idleSince >= (ctx.client.remote ? 900 : 150)) break;
        idleSince ||= Date.now();
      } else idleSince = 0;
      if (Date.now() > deadline)
        throw new CliError(
          `the ${kind === 'ports' ? 'port scan' : 'sweep'} did not finish within ${Math.round(timeoutMs / 1000)} s`,
          EXIT.failed,
          'it keeps running on the instance; follow it with: lan-sentinel scans',
        );
    }
    // every scan of this kind since the request (also covers events the stream missed)
    const after = await ctx.client.list<ScanJson>(`api/scans?kind=${kind}`, 500);
    const scans = after.items.filter((s) => s.id > lastBefore || seen.has(s.id)).sort((a, b) => a.id - b.id);
    for (const s of scans) if (!ended.has(s.id) && s.status !== 'running') ended.add(s.id);
    return { kind, scans };
  } finally {
    off();
  }
}

export async function scanCommand(ctx: Ctx): Promise<number> {
  const alsoPorts = ctx.args.flags.ports === true;
  const kind = oneOf('kind', flag(ctx, 'kind'), SCAN_KINDS);
  const timeoutS = flag(ctx, 'timeout');
  const timeoutMs = (timeoutS ? positiveInt('--timeout', timeoutS, 'seconds') : 1800) * 1000;
  const progress = new ScanProgress(ctx.stderr, ctx.args.flags['no-progress'] !== true, ctx.colour);
  const runs: ScanRun[] = [];
  try {
    const kinds: Array<'sweep' | 'ports'> = kind ? [kind] : alsoPorts ? ['sweep', 'ports'] : ['sweep'];
    for (const k of kinds) {
      const r = await runScan(ctx, k, progress, timeoutMs);
      runs.push(r);
      if (r.scans.some((s) => s.status === 'failed')) break;
    }
  } finally {
    progress.stop();
  }
  const all = runs.flatMap((r) => r.scans);
  const failed = all.filter((s) => s.status === 'failed');
  const sweep = runs.find((r) => r.kind === 'sweep')?.scans.at(-1) ?? null;
  const detail = sweep ? await ctx.client.get<ScanDetailJson>(`api/scans/${sweep.id}`) : null;
  const macs = new Set((detail?.hosts ?? []).map((h) => h.mac).filter(Boolean));
  const portScans = runs.find((r) => r.kind === 'ports')?.scans ?? [];
  let devices: DeviceJson[] = [];
  if (detail || portScans.length) {
    const { items } = await ctx.client.list<DeviceJson>('api/devices?sort=ip');
    const portTargets = new Set(portScans.flatMap((s) => s.targets));
    devices = items.filter((d) => macs.has(d.mac) || (!detail && d.ip && portTargets.has(d.ip)));
  }
  if (ctx.json) {
    printJson(ctx, {
      scan: sweep,
      port_scans: portScans,
      hosts: devices,
      unidentified: (detail?.hosts ?? []).filter((h) => !h.mac).map((h) => h.ip),
    });
  } else {
    if (devices.length) ctx.out(deviceTable(devices, ctx));
    const parts = all.map(
      (s) =>
        `scan ${s.id} ${s.kind} ${s.status} in ${duration(s.duration_ms)}: ${s.hosts_up ?? 0} hosts up, ${s.changes ?? 0} changes`,
    );
    if (parts.length === 0) ctx.out('no scan ran (the scanner was stopping or had nothing to scan)');
    // on one terminal the progress lines above the table already said how each scan ended
    else if (!(progress.onTerminal && process.stdout.isTTY === true))
      ctx.out(`${devices.length ? '\n' : ''}${parts.join('\n')}`);
  }
  for (const f of failed) ctx.err(`scan ${f.id} failed: ${f.error ?? 'unknown error'}`);
  return failed.length || all.length === 0 ? EXIT.failed : 0;
}

export function scanTable(items: ScanJson[], ctx: TableCtx): string {
  return renderTable(
    ['id', 'kind', 'status', 'started', 'took', 'hosts', 'changes', 'reason'],
    items.map((s) => [
      s.id,
      s.kind,
      s.status,
      shortTime(s.started_at),
      duration(s.duration_ms),
      s.hosts_up,
      s.changes,
      s.error ? `${s.reason ?? ''} — ${s.error}` : s.reason,
    ]),
    {
      width: ctx.width,
      colour: ctx.colour,
      shrink: ['reason'],
      right: ['id', 'hosts', 'changes', 'took'],
      style: { status: scanStatusStyle },
    },
  );
}

export async function scansCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', id] = ctx.args.positionals;
  if (sub === 'list') {
    const kind = oneOf('kind', flag(ctx, 'kind'), SCAN_KINDS);
    const status = oneOf('status', flag(ctx, 'status'), SCAN_STATUSES);
    const limitFlag = flag(ctx, 'limit');
    const max =
      ctx.args.flags.all === true
        ? Number.POSITIVE_INFINITY
        : limitFlag
          ? positiveInt('--limit', limitFlag, 'scans list --limit N')
          : 20;
    const page = await ctx.client.list<ScanJson>(
      `api/scans?${kind ? `kind=${kind}&` : ''}${status ? `status=${status}&` : ''}`.replace(/[?&]$/, ''),
      max,
    );
    if (ctx.json) printJson(ctx, page.items);
    else {
      ctx.out(scanTable(page.items, ctx));
      ctx.out(
        `\n${page.items.length} of ${page.total} scans${page.items.length < page.total ? ' (--all or --limit N for more)' : ''}`,
      );
    }
    return 0;
  }
  if (sub === 'show' || /^\d+$/.test(sub)) {
    const n = positiveInt('scan id', sub === 'show' ? id : sub, 'scans show <id>');
    const s = await ctx.client.get<ScanDetailJson>(`api/scans/${n}`);
    if (ctx.json) {
      printJson(ctx, s);
      return 0;
    }
    ctx.out(
      keyValues([
        ['scan', `${s.id} (${s.kind})`],
        ['status', s.status],
        ['started', shortTime(s.started_at)],
        ['took', duration(s.duration_ms)],
        ['targets', s.targets.join(' ')],
        ['reason', s.reason],
        ['hosts up', s.hosts_up],
        ['changes', s.changes],
        ...(s.error ? ([['error', s.error]] as Array<[string, unknown]>) : []),
      ]),
    );
    if (s.hosts.length) {
      ctx.out('');
      ctx.out(
        renderTable(
          ['ip', 'mac', 'vendor', 'hostname', 'ports'],
          s.hosts.map((h) => [
            h.ip,
            h.mac,
            h.vendor,
            h.hostname,
            h.ports
              .filter((p) => p.state === 'open')
              .map((p) => `${p.port}${p.protocol === 'udp' ? '/udp' : ''}${p.service ? ` ${p.service}` : ''}`)
              .join(', '),
          ]),
          { width: ctx.width, colour: ctx.colour, shrink: ['vendor', 'hostname', 'ports'] },
        ),
      );
    }
    return 0;
  }
  throw new UsageError(`scans: unknown subcommand "${sub}"; use "scans list" or "scans show <id>"`);
}

export async function compareCommand(ctx: Ctx): Promise<number> {
  const [a, b] = ctx.args.positionals;
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b))
    throw new UsageError(
      'compare needs two scan ids: compare <older> <newer> (list them with: lan-sentinel scans)',
    );
  const c = await ctx.client.get<CompareJson>(`api/scans/${a}/compare/${b}`);
  if (ctx.json) printJson(ctx, c);
  else ctx.out(formatComparison(c));
  return 0;
}

export function formatComparison(c: CompareJson): string {
  const lines: string[] = [
    `scan ${c.a.id} (${c.a.kind}, ${shortTime(c.a.started_at)}) → scan ${c.b.id} (${c.b.kind}, ${shortTime(c.b.started_at)})`,
  ];
  const host = (h: {
    mac: string | null;
    ip: string | null;
    hostname: string | null;
    vendor: string | null;
  }) =>
    `${h.ip ?? '-'} ${h.mac ?? '(no MAC)'}${h.hostname ? ` ${h.hostname}` : h.vendor ? ` ${h.vendor}` : ''}`;
  const sv = (s: { service: string | null; product: string | null; version: string | null }) =>
    [s.service, s.product, s.version].filter(Boolean).join(' ') || '?';
  for (const h of c.new_hosts) lines.push(`+ host ${host(h)}`);
  for (const h of c.removed_hosts) lines.push(`- host ${host(h)}`);
  for (const p of c.new_ports) lines.push(`+ port ${p.port}/${p.protocol} ${sv(p)} on ${host(p)}`);
  for (const p of c.removed_ports) lines.push(`- port ${p.port}/${p.protocol} ${sv(p)} on ${host(p)}`);
  for (const s of c.service_changes)
    lines.push(`~ ${s.port}/${s.protocol} on ${host(s)}: ${sv(s.before)} → ${sv(s.after)}`);
  if (lines.length === 1) lines.push('no differences');
  return lines.join('\n');
}
