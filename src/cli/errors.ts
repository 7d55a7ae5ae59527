/** CLI failures: each carries the exit code documented in `help` and a hint that says how to fix it. */

export const EXIT = {
  ok: 0,
  /** the action ran and failed (scan failed, webhook test failed, nothing matched) */
  failed: 1,
  /** bad command line: unknown command or flag, missing or malformed argument */
  usage: 64,
  /** the instance cannot be reached, or it answered that the feature is unavailable (503) */
  unavailable: 69,
  /** unexpected internal error (a bug: run again with --debug and report it) */
  internal: 70,
  /** the API refused the credentials (401) or the key's scope (403) */
  noperm: 77,
  /** bad configuration: option, environment variable, config file (including its file mode) */
  config: 78,
} as const;

export const EXIT_HELP = `Exit codes:
  0   success
  1   the command ran and failed (a scan failed, a webhook test failed, no such device/scan/id)
  64  usage error: unknown command or flag, missing or malformed argument
  69  the instance cannot be reached (wrong --api-url, service not running), or feature unavailable
  70  internal error (a bug): run again with --debug and report the stack trace
  77  not authorised: the API key is missing, unknown, revoked or its scope is too small
  78  bad configuration: an option, environment variable or the CLI config file (or its file mode)`;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
