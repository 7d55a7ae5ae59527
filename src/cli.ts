#!/usr/bin/env node
/**
 * lan-sentinel: the service (`run`) and a full API client (DESIGN §12). Every other command speaks to the
 * HTTP API: of a remote instance (--api-url, LAN_SENTINEL_API_URL, or the CLI config file), or of the local
 * data dir through the same app in-process. `npm start` = `lan-sentinel run`.
 */
import { parseArgs, UsageError } from './cli/args.js';
import { ApiClient, httpTransport, remoteScanEvents } from './cli/client.js';
import { colourEnabled } from './cli/colour.js';
import {
  alertsCommand,
  cveCommand,
  findingsCommand,
  keysCommand,
  rulesCommand,
  webhooksCommand,
} from './cli/commands/admin.js';
import { devicesCommand, exportCommand, wakeCommand } from './cli/commands/devices.js';
import { loginCommand, runningService } from './cli/commands/login.js';
import { compareCommand, scanCommand, scansCommand } from './cli/commands/scans.js';
import { schedulesCommand } from './cli/commands/schedules.js';
import type { Ctx } from './cli/context.js';
import { CliError, EXIT } from './cli/errors.js';
import { commandHelp, HELP } from './cli/help.js';
import { resolveRemote } from './cli/settings.js';
import { outputWidth } from './cli/table.js';
import { ConfigError, loadConfig } from './config/load.js';
import { LOG_LEVELS } from './config/options.js';
import { createLogger, type LogLevel } from './util/logger.js';
import { VERSION } from './version.js';

function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'help') {
    out(args.positionals[0] ? commandHelp(args.positionals[0]) : HELP);
    return 0;
  }
  if (args.command === 'version') {
    out(VERSION);
    return 0;
  }
  if (args.command === 'agent') {
    // the agent has its own options (no database, no HTTP): see src/agent/config.ts
    const { AGENT_USAGE, runAgentCommand } = await import('./agent/command.js');
    if (args.positionals[0] === 'help') {
      out(AGENT_USAGE);
      return 0;
    }
    return runAgentCommand(args.optionFlags, process.env);
  }
  const remote = args.command === 'run' ? null : resolveRemote(args.flags, process.env);
  const optionsFile = typeof args.flags['options-file'] === 'string' ? args.flags['options-file'] : undefined;
  if (remote && args.optionFlags.length > 0)
    throw new UsageError(
      `${args.optionFlags[0]} is an option of the local service; it has no effect on the remote instance ${remote.url} (drop it, or use --local)`,
    );
  const cfg = loadConfig({
    flags: args.optionFlags,
    env: process.env,
    ...(optionsFile ? { optionsFile } : {}),
  });
  const level = (LOG_LEVELS as readonly string[]).includes(cfg.options.log_level)
    ? (cfg.options.log_level as LogLevel)
    : 'info';
  // CLI commands keep stdout for their output; logs go to stderr, quieter unless asked
  const logger = createLogger(args.command === 'run' ? level : cfg.sources.log_level ? level : 'warning');

  if (args.command === 'run') {
    // loaded only here: a client command need not load the whole service (start-up time)
    const { startService } = await import('./main.js');
    const service = await startService(cfg, process.env, logger);
    await new Promise<void>((resolveStop) => {
      const onSignal = () => {
        // HA gives an add-on 10 s: finish within that, or exit anyway
        const force = setTimeout(() => {
          logger.error('shutdown took longer than 9 s; exiting');
          process.exit(1);
        }, 9_000);
        force.unref();
        service.stop('signal').then(resolveStop, resolveStop);
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
    return 0;
  }
  if (args.command === 'login') return loginCommand(cfg, remote?.url, out);

  // locally: the service running on this data dir (standalone) is asked through its CLI token, so the
  // scan runs there and its state stays the one truth; without a running service the CLI serves itself
  const running = remote || cfg.addon ? null : await runningService(cfg);
  const target = remote ?? running;
  const local = target ? null : await (await import('./cli/local.js')).localTransport(cfg, logger);
  const transport =
    local ?? httpTransport(target!.url, target!.key, 30_000, 'where' in target! ? target.where : target!.url);
  const client = new ApiClient(transport);
  const ctx: Ctx = {
    client,
    args,
    json: args.flags.json === true,
    now: new Date(),
    width: outputWidth(process.stdout),
    colour: colourEnabled(process.stdout, process.env, args.flags['no-color'] === true),
    out,
    err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
    stderr: process.stderr,
    scanEvents: (cb) => (local ? local.onScan(cb) : remoteScanEvents(target!.url, target!.key, cb)),
  };
  try {
    switch (args.command) {
      case 'scan':
        return await scanCommand(ctx);
      case 'scans':
        return await scansCommand(ctx);
      case 'compare':
        return await compareCommand(ctx);
      case 'devices':
        return await devicesCommand(ctx);
      case 'wake':
        return await wakeCommand(ctx);
      case 'findings':
        return await findingsCommand(ctx);
      case 'alerts':
        return await alertsCommand(ctx);
      case 'rules':
        return await rulesCommand(ctx);
      case 'webhooks':
        return await webhooksCommand(ctx);
      case 'keys':
        return await keysCommand(ctx);
      case 'schedules':
        return await schedulesCommand(ctx);
      case 'export':
        return await exportCommand(ctx);
      case 'cve':
        return await cveCommand(ctx);
    }
  } finally {
    await client.close();
  }
  return 0;
}

const debug = process.argv.includes('--debug');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as Error;
    let code: number = EXIT.internal;
    let hint: string | undefined;
    if (err instanceof CliError) {
      code = err.exitCode;
      hint = err.hint;
    } else if (err instanceof UsageError) {
      code = EXIT.usage;
      hint = 'see: lan-sentinel help';
    } else if (err instanceof ConfigError || ['StartupError', 'AgentConfigError'].includes(e?.name)) {
      code = EXIT.config;
    }
    if (code === EXIT.internal) {
      process.stderr.write(
        `lan-sentinel: unexpected error: ${e?.message ?? String(err)}\n  this is a bug: run again with --debug and report the stack trace\n`,
      );
    } else {
      process.stderr.write(`lan-sentinel: ${e.message}\n${hint ? `  ${hint}\n` : ''}`);
    }
    if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = code;
    // a failed start must not linger half-running (timers, sockets): leave once stderr is written
    process.stderr.write('', () => process.exit());
  },
);
