#!/usr/bin/env node
/**
 * lan-sentinel run | scan | devices | compare | export | keys | cve  (DESIGN §12)
 * `npm start` = `lan-sentinel run`; `npm start -- <command> [flags]` runs a command.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AGENT_USAGE, runAgentCommand } from './agent/command.js';
import { AgentConfigError } from './agent/config.js';
import { CLI_TOKEN_FILE, readCliToken } from './api/session.js';
import { parseArgs, UsageError } from './cli/args.js';
import { remoteGet, remoteRequest } from './cli/remote.js';
import { renderTable, toCsv } from './cli/table.js';
import { ConfigError, type LoadedConfig, loadConfig } from './config/load.js';
import { envName, flagName, LOG_LEVELS, OPTION_META, OPTION_NAMES } from './config/options.js';
import { compareScans } from './inventory/compare.js';
import { type Device, displayName } from './inventory/types.js';
import { type LocalData, openLocal, StartupError, scanOnce, startService } from './main.js';
import { runCveImport } from './threats/feedImport.js';
import { createLogger, type Logger, type LogLevel } from './util/logger.js';
import { VERSION } from './version.js';

const HELP = `LAN Sentinel ${VERSION}: a LAN watcher for Home Assistant

Usage: lan-sentinel [command] [flags] [options]
  run                              run the service (default)
  scan --once [--json] [--ports]   one sweep (and a port/service scan with --ports), printed
  devices [--json]                 the device inventory
  compare <scanA> <scanB> [--json] what changed between two scans
  export --format csv|json [--output FILE]
  agent --agent-id ID --mqtt-url URL --subnets CIDR   run a satellite scanner for another VLAN
  login                            print a new one-time login link for the running service's web UI
  keys create <name> [--scope read|admin] | keys list | keys revoke <id>
  cve import <file>                merge an NVD CVE 2.0 or CISA KEV JSON file into the rules
Remote: devices, compare and export accept --api-url URL --api-key KEY to read a running instance.
Options (flag / environment variable; see DESIGN §11):
${OPTION_NAMES.map((n) => `  ${flagName(n).padEnd(22)} ${envName(n).padEnd(36)} ${OPTION_META[n].help}`).join('\n')}
  --options-file FILE              JSON options file (add-on: /data/options.json)
`;

function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}

function deviceRow(d: Device) {
  return [
    d.ip,
    d.mac,
    displayName(d),
    d.vendor,
    d.randomized ? 'yes' : 'no',
    d.presence,
    d.ports.length,
    d.risk,
    d.lastSeen,
  ];
}
const DEVICE_HEADERS = ['ip', 'mac', 'name', 'vendor', 'random', 'presence', 'ports', 'risk', 'last_seen'];

function deviceJson(d: Device) {
  return {
    mac: d.mac,
    ip: d.ip,
    hostname: d.hostname,
    name: d.name,
    display_name: displayName(d),
    vendor: d.vendor,
    randomized: d.randomized,
    online: d.online,
    presence: d.presence,
    first_seen: d.firstSeen,
    last_seen: d.lastSeen,
    known: d.known,
    watched: d.watched,
    ignored: d.ignored,
    risk: d.risk,
    risk_score: d.riskScore,
    ports: d.ports.map((p) => ({
      protocol: p.protocol,
      port: p.port,
      service: p.service ?? null,
      product: p.product ?? null,
      version: p.version ?? null,
    })),
  };
}

function sortByIp(devices: Device[]): Device[] {
  const key = (ip: string | null) =>
    ip ? ip.split('.').reduce((a, b) => a * 256 + Number(b), 0) : Number.MAX_SAFE_INTEGER;
  return [...devices].sort((a, b) => key(a.ip) - key(b.ip));
}

async function withLocal<T>(
  cfg: LoadedConfig,
  logger: Logger,
  fn: (l: LocalData) => Promise<T> | T,
): Promise<T> {
  const local = openLocal(cfg, logger);
  try {
    return await fn(local);
  } finally {
    local.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'help') {
    out(HELP);
    return 0;
  }
  if (args.command === 'version') {
    out(VERSION);
    return 0;
  }
  if (args.command === 'agent') {
    // the agent has its own options (no database, no HTTP): see src/agent/config.ts
    if (args.positionals[0] === 'help') {
      out(AGENT_USAGE);
      return 0;
    }
    return runAgentCommand(args.optionFlags, process.env);
  }
  const optionsFile = typeof args.flags['options-file'] === 'string' ? args.flags['options-file'] : undefined;
  const cfg = loadConfig({
    flags: args.optionFlags,
    env: process.env,
    ...(optionsFile ? { optionsFile } : {}),
  });
  const level = (LOG_LEVELS as readonly string[]).includes(cfg.options.log_level)
    ? (cfg.options.log_level as LogLevel)
    : 'info';
  const json = args.flags.json === true;
  // CLI commands keep stdout for their output; logs go to stderr, quieter unless asked
  const logger = createLogger(args.command === 'run' ? level : cfg.sources.log_level ? level : 'warning');
  const apiUrl = typeof args.flags['api-url'] === 'string' ? args.flags['api-url'] : undefined;
  const apiKey = typeof args.flags['api-key'] === 'string' ? args.flags['api-key'] : undefined;

  switch (args.command) {
    case 'run': {
      const service = await startService(cfg, process.env, logger);
      await new Promise<void>((resolveStop) => {
        const onSignal = (sig: NodeJS.Signals) => {
          // HA gives an add-on 10 s: finish within that, or exit anyway
          const force = setTimeout(() => {
            logger.error('shutdown took longer than 9 s; exiting');
            process.exit(1);
          }, 9_000);
          force.unref();
          service.stop(sig).then(resolveStop, resolveStop);
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
      return 0;
    }
    case 'scan': {
      if (args.flags.once !== true)
        throw new UsageError('scan needs --once (the service itself runs sweeps on a schedule: use "run")');
      return withLocal(cfg, logger, async (local) => {
        const r = await scanOnce(cfg, local, logger, { ports: args.flags.ports === true });
        if (r.failed) {
          process.stderr.write(`scan failed: ${r.failed}\n`);
          return 2;
        }
        const scan = r.sweepId !== null ? local.store.scans.get(r.sweepId) : null;
        const seen = new Set((scan?.hosts ?? []).map((h: { mac: string | null }) => h.mac).filter(Boolean));
        const devices = sortByIp(local.store.devices.all().filter((d) => seen.has(d.mac)));
        if (json) {
          out(
            JSON.stringify(
              {
                scan: scan
                  ? {
                      id: scan.id,
                      kind: scan.kind,
                      status: scan.status,
                      started_at: scan.startedAt,
                      finished_at: scan.finishedAt,
                      targets: scan.targets,
                    }
                  : null,
                port_scans: r.portScanIds,
                hosts: devices.map(deviceJson),
                unidentified: (scan?.hosts ?? [])
                  .filter((h: { mac: string | null }) => !h.mac)
                  .map((h: { ip: string }) => h.ip),
              },
              null,
              2,
            ),
          );
        } else {
          out(renderTable(DEVICE_HEADERS, devices.map(deviceRow)));
          out(`\n${devices.length} devices up`);
        }
        return 0;
      });
    }
    case 'devices': {
      const devices: unknown[] = apiUrl
        ? ((await remoteGet(apiUrl, apiKey, 'api/devices?limit=1000&sort=ip')) as { items: unknown[] }).items
        : await withLocal(cfg, logger, (l) => sortByIp(l.store.devices.all()).map(deviceJson));
      if (json) out(JSON.stringify(devices, null, 2));
      else {
        const rows = (devices as Array<Record<string, unknown>>).map((d) => [
          d.ip as string,
          d.mac as string,
          d.display_name as string,
          d.vendor as string,
          d.randomized ? 'yes' : 'no',
          d.presence as string,
          Array.isArray(d.ports) ? d.ports.length : 0,
          d.risk as string,
          d.last_seen as string,
        ]);
        out(renderTable(DEVICE_HEADERS, rows));
      }
      return 0;
    }
    case 'compare': {
      const [a, b] = args.positionals;
      if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b))
        throw new UsageError('compare needs two scan ids: compare <scanA> <scanB>');
      const result = apiUrl
        ? await remoteGet(apiUrl, apiKey, `api/scans/${a}/compare/${b}`)
        : await withLocal(cfg, logger, (l) => {
            const sa = l.store.scans.snapshot(Number(a));
            const sb = l.store.scans.snapshot(Number(b));
            if (!sa || !sb) throw new UsageError(`scan ${!sa ? a : b} does not exist`);
            return compareScans(sa, sb);
          });
      if (json) out(JSON.stringify(result, null, 2));
      else out(formatComparison(result as ReturnType<typeof compareScans>));
      return 0;
    }
    case 'export': {
      const format = args.flags.format ?? 'json';
      if (format !== 'csv' && format !== 'json') throw new UsageError('export --format must be csv or json');
      const devices = apiUrl
        ? (
            (await remoteGet(apiUrl, apiKey, 'api/devices?limit=1000&sort=ip')) as {
              items: Array<Record<string, unknown>>;
            }
          ).items
        : await withLocal(cfg, logger, (l) => sortByIp(l.store.devices.all()).map(deviceJson));
      const text =
        format === 'json'
          ? `${JSON.stringify(devices, null, 2)}\n`
          : toCsv(
              [
                'mac',
                'ip',
                'name',
                'hostname',
                'vendor',
                'randomized',
                'presence',
                'first_seen',
                'last_seen',
                'known',
                'risk',
                'open_ports',
              ],
              (devices as Array<Record<string, unknown>>).map((d) => [
                d.mac as string,
                d.ip as string,
                d.display_name as string,
                d.hostname as string,
                d.vendor as string,
                d.randomized as boolean,
                d.presence as string,
                d.first_seen as string,
                d.last_seen as string,
                d.known as boolean,
                d.risk as string,
                Array.isArray(d.ports) ? d.ports.map((p: { port: number }) => p.port).join(' ') : '',
              ]),
            );
      if (typeof args.flags.output === 'string') writeFileSync(args.flags.output, text);
      else process.stdout.write(text);
      return 0;
    }
    case 'login': {
      // the running service wrote its CLI token (mode 0600) into the data dir; only its owner can read it
      const dataDir = resolve(cfg.options.data_dir);
      const token = readCliToken(dataDir);
      if (!token)
        throw new UsageError(
          `no running LAN Sentinel found for data_dir ${dataDir} (${CLI_TOKEN_FILE} is missing or unreadable): start it with "npm start", or pass the same --data-dir`,
        );
      const host = cfg.options.http_host === '0.0.0.0' ? '127.0.0.1' : cfg.options.http_host;
      const base = apiUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${cfg.options.http_port}/`;
      const r = (await remoteRequest(base, token, 'POST', 'api/login-links')) as { path: string };
      out(new URL(r.path, base.endsWith('/') ? base : `${base}/`).toString());
      return 0;
    }
    case 'keys': {
      const [sub, arg] = args.positionals;
      return withLocal(cfg, logger, (l) => {
        if (sub === 'create') {
          if (!arg) throw new UsageError('keys create needs a name: keys create <name> [--scope read|admin]');
          const scope = args.flags.scope ?? 'read';
          if (scope !== 'read' && scope !== 'admin') throw new UsageError('--scope must be read or admin');
          const { key, secret } = l.keys.create(arg, scope);
          l.audit.append({ actorKind: 'system', actor: 'cli', action: 'key.create', target: String(key.id) });
          out(
            json
              ? JSON.stringify({ id: key.id, name: key.name, scope: key.scope, secret })
              : `created key ${key.id} "${key.name}" (${key.scope}); the secret is shown once:\n${secret}`,
          );
          return 0;
        }
        if (sub === 'list') {
          const list = l.keys.list().items;
          if (json) out(JSON.stringify(list, null, 2));
          else
            out(
              renderTable(
                ['id', 'name', 'scope', 'created', 'last_used', 'revoked'],
                list.map((k) => [k.id, k.name, k.scope, k.createdAt, k.lastUsedAt, k.revokedAt]),
              ),
            );
          return 0;
        }
        if (sub === 'revoke') {
          if (!arg || !/^\d+$/.test(arg))
            throw new UsageError('keys revoke needs a key id: keys revoke <id>');
          const ok = l.keys.revoke(Number(arg));
          l.audit.append({ actorKind: 'system', actor: 'cli', action: 'key.revoke', target: arg });
          out(ok ? `revoked key ${arg}` : `no active key ${arg}`);
          return ok ? 0 : 1;
        }
        throw new UsageError('keys: use "keys create <name>", "keys list" or "keys revoke <id>"');
      });
    }
    case 'cve': {
      const [sub, file] = args.positionals;
      if (sub !== 'import' || !file)
        throw new UsageError('usage: cve import <file> (an NVD CVE 2.0 JSON feed or the CISA KEV JSON)');
      return withLocal(cfg, logger, async (l) => {
        out(await runCveImport(l.db, file));
        return 0;
      });
    }
  }
  return 0;
}

function formatComparison(c: ReturnType<typeof compareScans>): string {
  const lines: string[] = [];
  const host = (h: { mac: string | null; ip: string }) => `${h.ip} (${h.mac ?? 'no MAC'})`;
  for (const h of c.newHosts) lines.push(`+ host ${host(h)}`);
  for (const h of c.removedHosts) lines.push(`- host ${host(h)}`);
  for (const p of c.newPorts) lines.push(`+ port ${p.protocol}/${p.port} on ${host(p)}`);
  for (const p of c.removedPorts) lines.push(`- port ${p.protocol}/${p.port} on ${host(p)}`);
  for (const s of c.serviceChanges)
    lines.push(
      `~ ${s.protocol}/${s.port} on ${host(s)}: ${JSON.stringify(s.before)} → ${JSON.stringify(s.after)}`,
    );
  return lines.length ? lines.join('\n') : 'no differences';
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof ConfigError ||
      err instanceof UsageError ||
      err instanceof StartupError ||
      err instanceof AgentConfigError
    ) {
      process.stderr.write(`lan-sentinel: ${err.message}\n`);
      process.exitCode = err instanceof UsageError ? 64 : 78;
    } else {
      process.stderr.write(`lan-sentinel: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
    // a failed start must not linger half-running (timers, sockets): leave once stderr is written
    process.stderr.write('', () => process.exit());
  },
);
