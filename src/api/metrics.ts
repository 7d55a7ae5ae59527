/** Prometheus text exposition (version 0.0.4) of inventory, scan, finding and HTTP counters. */
import type { FastifyInstance } from 'fastify';
import { SEVERITIES } from '../vocabulary.js';
import type { ApiDeps } from './deps.js';
import { SCAN_KINDS } from './schemas.js';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Label values are escaped per the exposition format (backslash, quote, newline). */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class HttpMetrics {
  private readonly requests = new Map<string, number>();
  private readonly buckets = DURATION_BUCKETS.map(() => 0);
  private count = 0;
  private sum = 0;

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method}\u0000${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    this.count++;
    this.sum += seconds;
    DURATION_BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.buckets[i]!++;
    });
  }

  render(out: string[]): void {
    out.push('# HELP lan_sentinel_http_requests_total HTTP requests by method, route and status.');
    out.push('# TYPE lan_sentinel_http_requests_total counter');
    for (const [key, n] of this.requests) {
      const [method, route, status] = key.split('\u0000') as [string, string, string];
      out.push(
        `lan_sentinel_http_requests_total{method="${labelValue(method)}",route="${labelValue(route)}",status="${status}"} ${n}`,
      );
    }
    out.push('# HELP lan_sentinel_http_request_duration_seconds HTTP request duration.');
    out.push('# TYPE lan_sentinel_http_request_duration_seconds histogram');
    DURATION_BUCKETS.forEach((b, i) => {
      out.push(`lan_sentinel_http_request_duration_seconds_bucket{le="${b}"} ${this.buckets[i]}`);
    });
    out.push(`lan_sentinel_http_request_duration_seconds_bucket{le="+Inf"} ${this.count}`);
    out.push(`lan_sentinel_http_request_duration_seconds_sum ${this.sum}`);
    out.push(`lan_sentinel_http_request_duration_seconds_count ${this.count}`);
  }
}

export function renderMetrics(deps: ApiDeps, http: HttpMetrics): string {
  const out: string[] = [];
  const c = deps.store.devices.counts();
  out.push('# HELP lan_sentinel_devices Devices in the inventory by state.');
  out.push('# TYPE lan_sentinel_devices gauge');
  for (const [state, n] of [
    ['total', c.total],
    ['online', c.online],
    ['offline', c.total - c.online],
    ['new', c.new],
    ['known', c.trusted],
    ['ignored', c.ignored],
  ] as const) {
    out.push(`lan_sentinel_devices{state="${state}"} ${n}`);
  }
  out.push('# HELP lan_sentinel_scans_total Scans recorded by kind and status.');
  out.push('# TYPE lan_sentinel_scans_total counter');
  for (const kind of SCAN_KINDS) {
    for (const status of ['success', 'failed'] as const) {
      const n = deps.store.scans.list({ kind, status, limit: 1 }).total;
      out.push(
        `lan_sentinel_scans_total{kind="${kind}",status="${status === 'success' ? 'finished' : status}"} ${n}`,
      );
    }
  }
  out.push('# HELP lan_sentinel_last_scan_duration_seconds Duration of the last successful scan by kind.');
  out.push('# TYPE lan_sentinel_last_scan_duration_seconds gauge');
  out.push('# HELP lan_sentinel_last_scan_timestamp_seconds End of the last successful scan by kind.');
  out.push('# TYPE lan_sentinel_last_scan_timestamp_seconds gauge');
  for (const kind of SCAN_KINDS) {
    const s = deps.store.scans.lastFinished(kind);
    if (!s?.finishedAt) continue;
    const end = Date.parse(s.finishedAt);
    out.push(
      `lan_sentinel_last_scan_duration_seconds{kind="${kind}"} ${(end - Date.parse(s.startedAt)) / 1000}`,
    );
    out.push(`lan_sentinel_last_scan_timestamp_seconds{kind="${kind}"} ${end / 1000}`);
  }
  const st = deps.scanner.status();
  out.push('# HELP lan_sentinel_scanning 1 while a scan runs.');
  out.push('# TYPE lan_sentinel_scanning gauge');
  out.push(`lan_sentinel_scanning ${st.running ? 1 : 0}`);
  out.push('# HELP lan_sentinel_scan_queue Scan jobs waiting.');
  out.push('# TYPE lan_sentinel_scan_queue gauge');
  out.push(`lan_sentinel_scan_queue ${st.queue}`);
  out.push('# HELP lan_sentinel_findings Active findings by severity.');
  out.push('# TYPE lan_sentinel_findings gauge');
  const sev = deps.findings?.activeCountBySeverity() ?? {};
  for (const s of SEVERITIES) out.push(`lan_sentinel_findings{severity="${s}"} ${sev[s] ?? 0}`);
  http.render(out);
  renderProcessMetrics(out);
  return `${out.join('\n')}\n`;
}

/** The usual process_* / nodejs_* gauges, so a Raspberry Pi owner can watch the add-on's memory and CPU. */
function renderProcessMetrics(out: string[]): void {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const gauge = (name: string, help: string, value: number, type = 'gauge') => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', mem.rss);
  gauge('nodejs_heap_size_used_bytes', 'V8 heap in use in bytes.', mem.heapUsed);
  gauge('nodejs_heap_size_total_bytes', 'V8 heap allocated in bytes.', mem.heapTotal);
  gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript in bytes.', mem.external);
  gauge(
    'process_cpu_seconds_total',
    'User and system CPU time in seconds.',
    (cpu.user + cpu.system) / 1e6,
    'counter',
  );
  gauge(
    'process_start_time_seconds',
    'Start time of the process in seconds since the epoch.',
    Math.round(Date.now() / 1000 - process.uptime()),
  );
}

export function installHttpMetrics(app: FastifyInstance, http: HttpMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    http.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
