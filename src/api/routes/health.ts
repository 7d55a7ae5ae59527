import type { ApiDeps } from '../deps.js';
import type { RouteRegistry } from '../route.js';
import { healthSchema, settingsSchema } from '../schemas.js';
import { scanJson } from './scans.js';

function portScansJson(deps: ApiDeps) {
  const p = deps.scanner.portScanStatus?.();
  if (!p) return {};
  return {
    port_scans: {
      last_at: p.lastAt,
      pending_devices: p.pendingDevices,
      queued_batches: p.queuedBatches,
      initial: p.initial,
      next_retry_at: p.nextRetryAt,
    },
  };
}

function installJson(deps: ApiDeps) {
  const install = deps.store.install;
  if (!install) return {};
  const i = install.info();
  return {
    install: {
      state: i.state,
      baseline_at: i.baselineAt,
      baseline_devices: i.baselineMacs.length,
      untrusted: install.untrustedBaseline().length,
    },
  };
}

export function healthRoutes(r: RouteRegistry, deps: ApiDeps, startedAt: number): void {
  r.add({
    method: 'GET',
    url: '/api/health',
    tag: 'meta',
    summary: 'Service status, scanner state, device counts, last scan and who you are',
    responses: { 200: healthSchema },
    handler: (_input, request) => {
      const counts = deps.store.devices.counts();
      const s = deps.scanner.status();
      const last = deps.store.scans.list({ limit: 1 }).items[0];
      const p = request.principal;
      return {
        status: deps.health?.status() ?? ('ok' as const),
        problems: deps.health?.problems() ?? [],
        version: deps.version,
        mode: deps.config.mode,
        uptime_s: Math.round((deps.clock.now().getTime() - startedAt) / 1000),
        time: deps.clock.now().toISOString(),
        scanner: { running: s.running, kind: s.kind ?? null, queue: s.queue },
        devices: { total: counts.total, online: counts.online, new: counts.new },
        last_scan: last ? scanJson(last) : null,
        ...portScansJson(deps),
        ...installJson(deps),
        auth: { actor: p?.actor ?? 'anonymous', kind: p?.kind ?? 'anonymous', scope: p?.scope ?? 'read' },
      };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/settings',
    tag: 'meta',
    summary: 'Settings summary (no secrets)',
    responses: { 200: settingsSchema },
    handler: () => ({
      version: deps.version,
      mode: deps.config.mode,
      require_api_key: deps.config.requireApiKey,
      sign_in: deps.config.ingressOnly
        ? ('ingress' as const)
        : deps.sessions && !deps.config.requireApiKey
          ? ('login_link' as const)
          : ('api_key' as const),
      settings: deps.config.settingsSummary,
    }),
  });
}
