import { compareScans } from '../../inventory/compare.js';
import type { ScanRecord } from '../../store/scansRepo.js';
import { auditChange } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import type { RouteRegistry } from '../route.js';
import {
  type CompareJson,
  compareParams,
  compareSchema,
  errorSchema,
  idParams,
  type ScanJson,
  scanAcceptedSchema,
  scanDetailSchema,
  scanListQuery,
  scanListSchema,
  scanRequestSchema,
} from '../schemas.js';

export function scanJson(s: ScanRecord, changes: number | null = null): ScanJson {
  const duration = s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : null;
  return {
    id: s.id,
    kind: s.kind,
    status: s.status === 'success' ? 'finished' : s.status,
    reason: s.reason || null,
    targets: s.targets,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
    duration_ms: duration !== null && Number.isFinite(duration) ? duration : null,
    hosts_up: s.hostsUp,
    hosts_total: s.hostsTotal,
    changes,
    error: s.error,
  };
}

export function scanRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const { store } = deps;
  const tag = 'scans';
  const changeCount = (scanId: number) => countChanges(deps, scanId);

  r.add({
    method: 'GET',
    url: '/api/scans',
    tag,
    summary: 'Scan history, newest first',
    query: scanListQuery,
    responses: { 200: scanListSchema, 400: errorSchema },
    handler: ({ query }) => {
      const page = store.scans.list({
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.status ? { status: query.status === 'finished' ? 'success' : query.status } : {}),
        limit: query.limit,
        offset: query.offset,
      });
      return {
        items: page.items.map((s) => scanJson(s, changeCount(s.id))),
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
    summary: 'Start a sweep (kind "sweep", default) or a port scan of every online device (kind "ports")',
    body: scanRequestSchema,
    responses: { 202: scanAcceptedSchema, 400: errorSchema, 503: errorSchema },
    handler: ({ body }, request, reply) => {
      const reason = body.reason ?? `api:${request.principal?.actor ?? 'unknown'}`;
      let res: ReturnType<typeof deps.scanner.requestSweep>;
      if (body.kind === 'ports') {
        if (!deps.scanner.requestPortScanAll)
          throw new ApiError(503, 'unavailable', 'port scans are not available');
        res = deps.scanner.requestPortScanAll(reason);
      } else {
        res = deps.scanner.requestSweep(reason);
      }
      auditChange(deps, request, 'scan.request', body.kind, { reason });
      reply.code(202);
      return {
        queued: res.queued,
        scan_id: res.scanId ?? null,
        message: res.queued
          ? `${body.kind === 'ports' ? 'port scan' : 'sweep'} queued`
          : `an identical ${body.kind === 'ports' ? 'port scan' : 'sweep'} is already queued or the scanner is stopping`,
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
        ...scanJson(s, changeCount(s.id)),
        hosts: s.hosts.map((h) => ({
          mac: h.mac,
          ip: h.ip,
          hostname: h.hostname,
          vendor: lookup(h.mac).vendor,
          ports: h.ports.map((p) => ({
            protocol: p.protocol,
            port: p.port,
            state: p.state,
            service: p.service?.name ?? null,
            product: p.service?.product ?? null,
            version: p.service?.version ?? null,
          })),
        })),
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
        a: scanJson(a, changeCount(a.id)),
        b: scanJson(b, changeCount(b.id)),
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

/** Changes recorded by one scan (prepared once per database). */
const countStmts = new WeakMap<object, { get(id: number): unknown }>();
function countChanges(deps: ApiDeps, scanId: number): number | null {
  const db = (deps.store as { db?: { prepare(sql: string): { get(id: number): unknown } } }).db;
  if (!db) return null;
  let stmt = countStmts.get(db);
  if (!stmt) {
    stmt = db.prepare('SELECT count(*) AS n FROM changes WHERE scan_id = ?');
    countStmts.set(db, stmt);
  }
  return (stmt.get(scanId) as { n: number } | undefined)?.n ?? null;
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
