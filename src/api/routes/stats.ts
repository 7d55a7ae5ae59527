import { defaultGranularity, trendSeries } from '../../stats/trends.js';
import { DAY_S, HOURLY_KEEP_S } from '../../store/statsRepo.js';
import type { ApiDeps } from '../deps.js';
import type { RouteRegistry } from '../route.js';
import { errorSchema, statsSummarySchema, trendsQuery, trendsSchema } from '../schemas.js';

const iso = (s: number) => new Date(s * 1000).toISOString();

export function statsRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const { store } = deps;
  const tag = 'stats';

  r.add({
    method: 'GET',
    url: '/api/stats/summary',
    tag,
    summary: 'The network now: devices, new devices in 24 h / 7 days, open ports, findings, risk, kinds',
    responses: { 200: statsSummarySchema },
    handler: () => {
      const now = deps.clock.now();
      const nowS = Math.floor(now.getTime() / 1000);
      const snap = store.stats.snapshot();
      const counts = store.devices.counts();
      const hours = store.stats.rows('hour', nowS - 7 * DAY_S);
      const day = hours.filter((h) => h.start > nowS - DAY_S);
      const samples = day.reduce((a, h) => a + h.samples, 0);
      const last = store.scans.lastFinished();
      return {
        generated_at: now.toISOString(),
        devices_known: snap.known,
        devices_online: snap.online,
        devices_new: counts.new,
        new_devices_24h: day.reduce((a, h) => a + h.newDevices, 0),
        new_devices_7d: hours.reduce((a, h) => a + h.newDevices, 0),
        online_24h:
          day.length === 0
            ? null
            : {
                min: Math.min(...day.map((h) => h.onlineMin)),
                max: Math.max(...day.map((h) => h.onlineMax)),
                avg: samples ? Math.round((day.reduce((a, h) => a + h.onlineSum, 0) / samples) * 10) / 10 : 0,
              },
        open_ports: snap.openPorts,
        findings: snap.findings,
        risk: snap.risk,
        kinds: store.devices.kinds(),
        last_scan_at: last?.finishedAt ?? null,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/stats/trends',
    tag,
    summary:
      'One metric over the last `days` (1-400) from the rollups: devices_online (avg/min/max), devices_known, new_devices, open_ports, findings (by severity), risk (devices by level); hour points up to 7 days, day points beyond',
    query: trendsQuery,
    responses: { 200: trendsSchema, 400: errorSchema },
    handler: ({ query }) => {
      const nowS = Math.floor(deps.clock.now().getTime() / 1000);
      const granularity = query.granularity ?? defaultGranularity(query.days);
      const since = nowS - query.days * DAY_S;
      const rows = {
        hours: store.stats.rows('hour', Math.max(since, nowS - HOURLY_KEEP_S - DAY_S)),
        days: granularity === 'day' ? store.stats.rows('day', since - DAY_S) : [],
      };
      const s = trendSeries(query.metric, query.days, granularity, rows, nowS);
      return { ...s, keys: [...s.keys], points: s.points.map((p) => ({ t: iso(p.t), values: p.values })) };
    },
  });
}
