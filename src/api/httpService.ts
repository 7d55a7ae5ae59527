/**
 * The HTTP feature of the service: the pre-flight check of the listen address (before anything is published),
 * the ApiDeps the routes get, and the listeners (ingress or the standalone UI/API, plus the optional API port).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Alerts } from '../alerts/alerts.js';
import type { LoadedConfig } from '../config/load.js';
import type { SelfInfo } from '../config/supervisor.js';
import type { AgentHub } from '../hub/agents.js';
import type { DeviceCommands } from '../inventory/commands.js';
import type { CveFeeds } from '../service/cveFeeds.js';
import { orStartupError, StartupError, type Stop, startParts } from '../service/lifecycle.js';
import type { ScanCoordinator } from '../service/scanCoordinator.js';
import type { AlertsRepo } from '../store/alertsRepo.js';
import type { AuditRepo } from '../store/auditRepo.js';
import type { Db } from '../store/db.js';
import type { FindingsRepo } from '../store/findingsRepo.js';
import type { KeysRepo } from '../store/keysRepo.js';
import type { SchedulesRepo } from '../store/schedulesRepo.js';
import type { Store } from '../store/store.js';
import type { WebhooksRepo } from '../store/webhooksRepo.js';
import type { Clock } from '../util/clock.js';
import type { EventBus } from '../util/events.js';
import type { Logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import { INGRESS_PEER } from './auth.js';
import type { ApiConfig, ApiDeps, HealthPort } from './deps.js';
import { type AppBuilder, type LazyListener, listenLazily } from './lazyListener.js';
import { assertBindAllowed, checkListen } from './server.js';
import { SessionAuth } from './session.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ui (the built ingress UI) relative to dist/api/httpService.js (from src/api/: the built dist/ui) */
const UI_DIR =
  [resolve(here, '..', 'ui'), resolve(here, '..', '..', 'dist', 'ui')].find((d) =>
    existsSync(join(d, 'index.html')),
  ) ?? resolve(here, '..', 'ui');

export interface HttpPlan {
  /** every port this process listens on: a webhook may never call one of them (DESIGN §8) */
  readonly ownPorts: Set<number>;
  readonly sessions: SessionAuth | undefined;
}

/** HTTP pre-flight: a refused bind stops start-up before anything is announced. */
export async function prepareHttp(o: {
  cfg: LoadedConfig;
  selfInfo: SelfInfo | null;
  keys: KeysRepo;
  clock: Clock;
}): Promise<HttpPlan> {
  const { cfg, selfInfo } = o;
  const opts = cfg.options;
  const listenHost = cfg.addon ? '0.0.0.0' : opts.http_host;
  const listenPort = cfg.addon && selfInfo ? selfInfo.ingress_port : opts.http_port;
  await orStartupError(async () => {
    if (!cfg.addon) assertBindAllowed({ host: opts.http_host, apiKeysConfigured: o.keys.countActive() > 0 });
    await checkListen(listenHost, listenPort);
  });
  return {
    ownPorts: new Set<number>(
      [listenPort, ...(opts.api_port > 0 ? [opts.api_port] : [])].filter((p) => p > 0),
    ),
    sessions: cfg.addon ? undefined : new SessionAuth(() => o.clock.now().getTime()),
  };
}

/** What the routes are built from (besides the plan). */
export interface HttpParts {
  db: Db;
  store: Store;
  findings: FindingsRepo;
  alertsRepo: AlertsRepo;
  webhooks: WebhooksRepo;
  keys: KeysRepo;
  audit: AuditRepo;
  schedules: SchedulesRepo;
  alerts: Alerts;
  cve: CveFeeds;
  threats: { reassess(mac: string, now: Date): unknown };
  cliToken: string;
  bus: EventBus;
  health: HealthPort;
  commands: DeviceCommands;
  coordinator: ScanCoordinator;
  agentHub: AgentHub | null;
  network: ApiDeps['network'];
  settingsSummary: ApiConfig['settingsSummary'];
  logger: Logger;
  clock: Clock;
}

type Adapters = typeof import('./adapters.js');

function apiDeps(
  cfg: LoadedConfig,
  plan: HttpPlan,
  p: HttpParts,
  { alertsPort, findingsPort, webhooksPort }: Adapters,
  startedAt: number,
): ApiDeps {
  const { store, clock } = p;
  return {
    startedAt,
    store,
    findings: findingsPort(p.findings, { db: p.db, reassess: (mac) => p.threats.reassess(mac, clock.now()) }),
    alerts: alertsPort(p.alertsRepo, p.alerts, {
      changes: store.changes,
      device: (mac) => store.devices.get(mac),
    }),
    webhooks: webhooksPort(p.webhooks, p.alerts),
    cve: p.cve,
    keys: p.keys,
    audit: p.audit,
    ...(plan.sessions ? { sessions: plan.sessions } : {}),
    cliToken: p.cliToken,
    bus: p.bus,
    health: p.health,
    commands: p.commands,
    scanner: p.coordinator,
    schedules: {
      repo: p.schedules,
      defaultCron: () => cfg.options.port_scan_schedule,
      changed: () => p.bus.emit('schedules:changed', {}),
    },
    ...(p.agentHub ? { agents: p.agentHub } : {}),
    network: p.network,
    config: {
      mode: cfg.addon ? 'addon' : 'standalone',
      requireApiKey: false,
      ingressOnly: cfg.addon,
      settingsSummary: p.settingsSummary,
    },
    logger: p.logger,
    clock,
    ...(existsSync(join(UI_DIR, 'index.html')) ? { uiDir: UI_DIR } : {}),
    version: VERSION,
  };
}

/**
 * Opens the listeners; the ApiDeps and the app behind each (fastify, routes, schemas, adapters) are built at
 * its first request (lazyListener.ts). Returns the UI/API url (null: none) and one stop.
 */
export async function startHttp(o: {
  cfg: LoadedConfig;
  selfInfo: SelfInfo | null;
  plan: HttpPlan;
  parts: HttpParts;
  log: Logger;
  /** an app was built (its first request): the memory that took can be released */
  afterBuild?: () => void;
}): Promise<{ httpUrl: string | null; stop: Stop }> {
  const { cfg, selfInfo, plan, log } = o;
  const opts = cfg.options;
  const startedAt = o.parts.clock.now().getTime();
  const uiBuilt = existsSync(join(UI_DIR, 'index.html'));
  if (!uiBuilt) log.warn(`the web UI is not built (${UI_DIR} missing): run "npm run build"`);
  const builder =
    (config?: Partial<ApiConfig>): AppBuilder =>
    async (serverFactory) => {
      const t0 = Date.now();
      const [{ buildApp }, adapters] = await Promise.all([import('./app.js'), import('./adapters.js')]);
      const deps = apiDeps(cfg, plan, o.parts, adapters, startedAt);
      const app = await buildApp(config ? { ...deps, config: { ...deps.config, ...config } } : deps, {
        serverFactory,
      });
      log.debug(`HTTP app built at its first request in ${Date.now() - t0} ms`);
      o.afterBuild?.();
      return app;
    };
  const onBuildError = (err: Error) => log.error(`the HTTP API could not be built: ${err.message}`);
  const { value: httpUrl, stop } = await startParts(log, async (stops) => {
    let http: LazyListener;
    if (cfg.addon && selfInfo) {
      http = await listenLazily(builder(), { host: '0.0.0.0', port: selfInfo.ingress_port, onBuildError });
      log.info(`ingress listening on port ${selfInfo.ingress_port} (only ${INGRESS_PEER} is served)`);
      stops.push(['http', () => http.close()]);
      if (opts.api_port > 0) await startApiPort(cfg, builder, onBuildError, o.parts.keys, log, stops);
      return `http://127.0.0.1:${selfInfo.ingress_port}`;
    }
    http = await orStartupError(
      () => listenLazily(builder(), { host: opts.http_host, port: opts.http_port, onBuildError }),
      `http_port: cannot listen on ${opts.http_host}:${opts.http_port}: `,
    );
    const port = Number(new URL(http.url).port);
    if (port > 0) plan.ownPorts.add(port);
    // nothing is trusted for its peer address: the browser signs in with this one-time link (DESIGN §9)
    log.info(
      `web UI on ${http.url}/login?token=${plan.sessions?.issueLoginToken() ?? ''} (open it to sign in; the link works once)`,
    );
    stops.push(['http', () => http.close()]);
    if (opts.api_port > 0) await startApiPort(cfg, builder, onBuildError, o.parts.keys, log, stops);
    return http.url;
  });
  return { httpUrl, stop };
}

/**
 * The add-on's LAN port, or standalone a second listener on every interface: API keys only, loopback not
 * trusted (http_host/http_port stay as they are for the UI).
 */
async function startApiPort(
  cfg: LoadedConfig,
  builder: (config?: Partial<ApiConfig>) => AppBuilder,
  onBuildError: (err: Error) => void,
  keys: KeysRepo,
  log: Logger,
  stops: Array<[string, Stop]>,
): Promise<void> {
  const port = cfg.options.api_port;
  if (!cfg.addon && port === cfg.options.http_port)
    throw new StartupError(
      `api_port ${port} is the same as http_port; give api_port another port (or 0 = off)`,
    );
  const api = await orStartupError(
    () =>
      listenLazily(builder({ ingressOnly: false, requireApiKey: true }), {
        host: '0.0.0.0',
        port,
        onBuildError,
      }),
    `api_port: cannot listen on 0.0.0.0:${port}: `,
  );
  stops.push(['api port', () => api.close()]);
  log.info(`API port ${port} open (API keys required)`);
  if (keys.countActive() === 0)
    log.warn(
      'api_port is open but no API key exists yet: create one with "lan-sentinel keys create <name> --scope read"',
    );
}
