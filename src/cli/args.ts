/** Splits `lan-sentinel <command> [sub] [positionals] [command flags] [option flags]`. Pure. */

export const COMMANDS = [
  'run',
  'scan',
  'scans',
  'compare',
  'devices',
  'wake',
  'findings',
  'alerts',
  'rules',
  'webhooks',
  'keys',
  'schedules',
  'export',
  'cve',
  'login',
  'agent',
  'help',
  'version',
] as const;
export type Command = (typeof COMMANDS)[number];

/** Flags that belong to commands, not to options. value = takes a value. */
export const COMMAND_FLAGS: Record<string, boolean> = {
  '--once': false,
  '--json': false,
  '--debug': false,
  '--local': false,
  '--all': false,
  '--no-progress': false,
  '--no-color': false,
  '--format': true,
  '--output': true,
  '--scope': true,
  '--api-url': true,
  '--api-key': true,
  '--config': true,
  '--options-file': true,
  '--kind': true,
  '--filter': true,
  '--sort': true,
  '--search': true,
  '--limit': true,
  '--status': true,
  '--min-severity': true,
  '--mac': true,
  '--cron': true,
  '--profile': true,
  '--targets': true,
  '--enabled': true,
  '--name': true,
  '--reason': true,
  '--timeout': true,
  '--help': false,
  '-h': false,
  '--version': false,
};

export interface ParsedArgs {
  command: Command;
  positionals: string[];
  flags: Record<string, string | boolean>;
  /** remaining option flags for loadConfig */
  optionFlags: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[]): ParsedArgs {
  const args = [...argv];
  let command: Command = 'run';
  if (args[0] !== undefined && !args[0].startsWith('-')) {
    const c = args.shift()!;
    if (!(COMMANDS as readonly string[]).includes(c)) {
      throw new UsageError(`unknown command "${c}"; commands: ${COMMANDS.join(', ')}`);
    }
    command = c as Command;
  }
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  const optionFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (name === '--ports' && command === 'scan') {
      // `scan --ports` (bare) = also run a port/service scan; `--ports LIST` also sets the ports option
      flags.ports = true;
      const v =
        eq > 0
          ? a.slice(eq + 1)
          : args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')
            ? args[++i]
            : undefined;
      if (v !== undefined) optionFlags.push('--ports', v);
    } else if (name in COMMAND_FLAGS) {
      if (COMMAND_FLAGS[name]) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        flags[name.replace(/^-+/, '')] = v;
      } else {
        flags[name.replace(/^-+/, '')] = true;
      }
    } else if (a.startsWith('-') && a !== '-') {
      optionFlags.push(a);
      // option values: pass the next token along when it is not a flag (loadConfig validates)
      if (eq < 0 && args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) optionFlags.push(args[++i]!);
    } else {
      positionals.push(a);
    }
  }
  if (flags.help || flags.h) {
    if (command !== 'run' && command !== 'help') positionals.unshift(command);
    command = 'help';
  }
  if (flags.version) command = 'version';
  return { command, positionals, flags, optionFlags };
}
