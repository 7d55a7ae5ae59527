import { compareScans } from '../../inventory/compare.js';
import { RequestTargetError } from '../../scan/requestTargets.js';
import type { ScanKind } from '../../scan/types.js';
import type { ScanBatchRecord, ScanHostRecord, ScanRecord } from '../../store/scansRepo.js';
import { auditChange } from '../auth.js';
import type { ApiDeps, ApiScanProgress } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import type { RouteRegistry } from '../route.js';
import {
  type CompareJson,
  compareParams,
  compareSchema,
  errorSchema,
  idParams,
  type ScanHostJson,
  type ScanJson,
  scanAcceptedSchema,
  scanDetailSchema,
  scanHostParams,
  scanHostResultSchema,
  scanListQuery,
  scanListSchema,
  scanRequestSchema,
} from '../schemas.js';

export function scanJson(
  s: ScanRecord,
  changes: number | null = s.changes,
  live: ApiScanProgress | null = null,
): ScanJson {
  const duration = s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.runStartedAt ?? s.startedAt) : null;
  const queued = s.status === 'running' && (live ? live.state === 'queued' : s.runStartedAt === null);
  const total = live?.hostsTotal ?? s.hostsTotal ?? 0;
  const done = live?.hostsDone ?? (s.status === 'success' ? Math.max(s.hostsDone, total) : s.hostsDone);
  return {
    id: s.id,
    kind: s.kind,
    status: s.status === 'success' ? 'finished' : queued ? 'queued' : s.status,
    reason: s.reason || null,
    targets: s.targets,
    profile: s.profile,
    started_at: s.startedAt,
    run_started_at: s.runStartedAt,
    finished_at: s.finishedAt,
    duration_ms: duration !== null && Number.isFinite(duration) ? duration : null,
    hosts_up: s.hostsUp,
    hosts_total: s.hostsTotal,
    changes,
    sweeps: s.sweeps,
    progress: {
      hosts_done: done,
      hosts_total: total,
      percent: live
        ? live.percent
        : s.status === 'success'
          ? 100
          : total > 0
            ? Math.round((done / total) * 1000) / 10
            : 0,
      eta_seconds: live?.etaSeconds ?? null,
      batches: s.batches,
      batches_done: live?.batchesDone ?? s.batchesDone,
      queue_position: live?.position ?? null,
      message: live?.message ?? null,
    },
    error: s.error,
  };
}

function batchJson(b: ScanBatchRecord) {
  return {
    seq: b.seq,
    targets: b.targets,
    status: b.status === 'success' ? ('finished' as const) : b.status,
    started_at: b.startedAt,
    finished_at: b.finishedAt,
    hosts_up: b.hostsUp,
    error: b.error,
  };
}

function hostJson(h: ScanHostRecord, vendor: string | null): ScanHostJson {
  return {
    mac: h.mac,
    ip: h.ip,
    hostname: h.hostname,
    vendor,
    ports: h.ports.map((p) => ({
      protocol: p.protocol,
      port: p.port,
      state: p.state,
      service: p.service?.name ?? null,
      product: p.service?.product ?? null,
      version: p.service?.version ?? null,
    })),
  };
}

export function scanRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const { store } = deps;
  const tag = 'scans';
  const live = (scanId: number) => deps.scanner.progress?.(scanId) ?? null;

  r.add({
    method: 'GET',
    url: '/api/scans',
    tag,
    summary: 'Scan history, newest first',
    query: scanListQuery,
    responses: { 200: scanListSchema, 400: errorSchema },
    handler: ({ query }) => {
      const status =
        query.status === 'finished' ? 'success' : query.status === 'queued' ? 'running' : query.status;
      const page = store.scans.list({
        ...(query.kind ? { kind: query.kind } : {}),
        ...(status ? { status } : {}),
        ...(query.status === 'queued'
          ? { queued: true }
          : query.status === 'running'
            ? { queued: false }
            : {}),
        limit: query.limit,
        offset: query.offset,
      });
      return {
        items: page.items.map((s) => scanJson(s, s.changes, live(s.id))),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/scans',
    tag,
    summary:
      'Queue a sweep (kind "sweep", default) or a port/service scan (kind "ports") of the given targets (default: every subnet / every online device). Answers 202 with the scan id and a Location; progress at api/scans/:id and over SSE',
    body: scanRequestSchema,
    responses: { 202: scanAcceptedSchema, 400: errorSchema, 409: errorSchema, 503: errorSchema },
    handler: ({ body }, request, reply) => {
      const reason = body.reason ?? `api:${request.principal?.actor ?? 'unknown'}`;
      const what = body.kind === 'ports' ? 'port scan' : 'sweep';
      let res: ReturnType<typeof deps.scanner.requestSweep>;
      if (deps.scanner.request) {
        try {
          res = deps.scanner.request({
            kind: body.kind,
            reason,
            ...(body.targets ? { targets: body.targets } : {}),
            ...(body.profile ? { profile: body.profile } : {}),
          });
        } catch (err) {
          if (err instanceof RequestTargetError)
            throw new ApiError(400, 'bad_request', err.message, [{ path: 'targets', message: err.message }]);
          throw err;
        }
      } else if (body.targets || body.profile) {
        throw new ApiError(503, 'unavailable', 'targeted scans are not available');
      } else if (body.kind === 'ports') {
        if (!deps.scanner.requestPortScanAll)
          throw new ApiError(503, 'unavailable', 'port scans are not available');
        res = deps.scanner.requestPortScanAll(reason);
      } else {
        res = deps.scanner.requestSweep(reason);
      }
      const scanId = res.scanId ?? null;
      if (scanId === null) {
        const why = res.message ?? 'the scanner is stopping';
        if (/stopping/.test(why)) throw new ApiError(503, 'unavailable', `${what} not queued: ${why}`);
        throw new ApiError(409, 'nothing_to_scan', `${what} not queued: ${why}`);
      }
      auditChange(deps, request, 'scan.request', body.kind, {
        reason,
        scan_id: scanId,
        ...(body.targets ? { targets: body.targets } : {}),
        ...(body.profile ? { profile: body.profile } : {}),
      });
      const location = `scans/${scanId}`;
      reply.code(202);
      reply.header('location', location);
      return {
        queued: res.queued,
        coalesced: res.coalesced === true,
        scan_id: scanId,
        location,
        queue_position: res.position !== undefined && res.position > 0 ? res.position : null,
        message: res.queued
          ? `${what} ${scanId} queued`
          : `an identical ${what} (${scanId}) is already queued`,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/scans/:id',
    tag,
    summary: 'One scan with the hosts it saw',
    params: idParams,
    responses: { 200: scanDetailSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }) => {
      const s = store.scans.get(params.id);
      if (!s) throw notFound(`scan ${params.id}`);
      const lookup = deviceLookup(deps);
      return {
        ...scanJson(s, s.changes, live(s.id)),
        batches: store.scans.batches(s.id).map(batchJson),
        previous_id: store.scans.previousLike(s.id)?.id ?? null,
        hosts: s.hosts.map((h) => hostJson(h, lookup(h.mac).vendor)),
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/scans/:id/hosts/:ip',
    tag,
    summary: 'What one scan found for one IP: queued, scanning, up (with ports), down, or failed',
    params: scanHostParams,
    responses: { 200: scanHostResultSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }) => {
      if (!store.scans.record(params.id)) throw notFound(`scan ${params.id}`);
      const r = store.scans.hostResult(params.id, params.ip);
      if (!r) throw notFound(`${params.ip} in scan ${params.id} (not among its targets)`);
      const lookup = deviceLookup(deps);
      return {
        scan_id: params.id,
        ip: r.ip,
        state: r.state,
        batch: batchJson(r.batch),
        host: r.host ? hostJson(r.host, lookup(r.host.mac).vendor) : null,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/scans/:a/compare/:b',
    tag,
    summary: 'Compare scan a (older) with scan b (newer): new/removed hosts and ports, service changes',
    params: compareParams,
    responses: { 200: compareSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }): CompareJson => {
      const a = store.scans.get(params.a);
      if (!a) throw notFound(`scan ${params.a}`);
      const b = store.scans.get(params.b);
      if (!b) throw notFound(`scan ${params.b}`);
      if (a.kind !== b.kind)
        throw new ApiError(
          400,
          'bad_request',
          `scan ${a.id} is a ${kindName(a.kind)} and scan ${b.id} a ${kindName(b.kind)}: compare two sweeps or two port scans`,
        );
      const sa = store.scans.snapshot(params.a);
      const sb = store.scans.snapshot(params.b);
      if (!sa || !sb) throw notFound(`scan ${sa ? params.b : params.a}`);
      const cmp = compareScans(sa, sb);
      const lookup = deviceLookup(deps);
      const host = (h: { mac: string | null; ip: string; hostname?: string | null }) => ({
        mac: h.mac,
        ip: h.ip,
        hostname: h.hostname ?? lookup(h.mac).hostname,
        vendor: lookup(h.mac).vendor,
      });
      const port = (p: (typeof cmp.newPorts)[number]) => ({
        ...host(p),
        protocol: p.protocol,
        port: p.port,
        service: p.service ?? null,
        product: p.product ?? null,
        version: p.version ?? null,
      });
      const sv = (s: { service?: string; product?: string; version?: string }) => ({
        service: s.service ?? null,
        product: s.product ?? null,
        version: s.version ?? null,
      });
      return {
        a: scanJson(a, a.changes, live(a.id)),
        b: scanJson(b, b.changes, live(b.id)),
        new_hosts: cmp.newHosts.map(host),
        removed_hosts: cmp.removedHosts.map(host),
        new_ports: cmp.newPorts.map(port),
        removed_ports: cmp.removedPorts.map(port),
        service_changes: cmp.serviceChanges.map((c) => ({
          ...host(c),
          protocol: c.protocol,
          port: c.port,
          before: sv(c.before),
          after: sv(c.after),
        })),
      };
    },
  });
}

function kindName(k: ScanKind): string {
  return k === 'ports' ? 'port scan' : 'sweep';
}

/** Vendor and hostname of a MAC from the inventory (scan rows do not carry vendors), cached per request. */
function deviceLookup(
  deps: ApiDeps,
): (mac: string | null) => { vendor: string | null; hostname: string | null } {
  const cache = new Map<string, { vendor: string | null; hostname: string | null }>();
  return (mac) => {
    if (!mac) return { vendor: null, hostname: null };
    let v = cache.get(mac);
    if (!v) {
      const d = deps.store.devices.get(mac);
      v = { vendor: d?.vendor ?? null, hostname: d?.hostname ?? null };
      cache.set(mac, v);
    }
    return v;
  };
}
