/** Minimal leveled logger (stderr), with secret redaction. Levels follow the add-on's log_level option. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'fatal';
const ORDER: Record<LogLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  notice: 3,
  warning: 4,
  error: 5,
  fatal: 6,
};

export interface Logger {
  trace(msg: string, extra?: Record<string, unknown>): void;
  debug(msg: string, extra?: Record<string, unknown>): void;
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const SECRET_KEYS = /pass(word)?|token|secret|authorization|api[_-]?key/i;

function redact(extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extra)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : v;
  return out;
}

/** Strip control characters so hostile network strings cannot forge log lines. */
export function safeLogText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '?');
}

export function createLogger(
  level: LogLevel = 'info',
  scope = 'lan-sentinel',
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const min = ORDER[level];
  const log = (lvl: LogLevel, msg: string, extra?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const tail = extra && Object.keys(extra).length ? ` ${safeLogText(JSON.stringify(redact(extra)))}` : '';
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(7)} [${scope}] ${safeLogText(msg)}${tail}`);
  };
  return {
    trace: (m, e) => log('trace', m, e),
    debug: (m, e) => log('debug', m, e),
    info: (m, e) => log('info', m, e),
    warn: (m, e) => log('warning', m, e),
    error: (m, e) => log('error', m, e),
    child: (s) => createLogger(level, `${scope}:${s}`, write),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
