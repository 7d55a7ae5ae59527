/**
 * Standalone sign-in without trusting any peer address (DESIGN §9): at start the service prints a login URL
 * carrying a one-time token (as Jupyter does); opening it exchanges the token for a browser session held in
 * an HttpOnly SameSite=Strict cookie. The local CLI authenticates with a token file in the data dir (mode
 * 0600) instead. Secrets are kept as SHA-256 digests and compared in constant time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestsEqual } from '../store/keysRepo.js';

export const SESSION_COOKIE = 'lsn_session';
export const CLI_TOKEN_FILE = 'cli-token';
export const CLI_TOKEN_PREFIX = 'lst_';
const LOGIN_TOKEN_TTL_MS = 24 * 3600_000;
const SESSION_TTL_MS = 30 * 24 * 3600_000;
const MAX_SESSIONS = 200;
const MAX_LOGIN_TOKENS = 20;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const secret = (): string => randomBytes(32).toString('base64url');
/** What `secret()` produces: 32 random bytes in base64url. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Stores `secret`'s digest with its expiry, first dropping the oldest entry when the map is at `max`. */
function putBounded(map: Map<string, number>, secretValue: string, expiresAt: number, max: number): void {
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(digest(secretValue).toString('hex'), expiresAt);
}

/** One-time login tokens and the browser sessions they open. In memory: a restart prints a new login URL. */
export class SessionAuth {
  private readonly logins = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new one-time login token (valid 24 h, usable once). */
  issueLoginToken(): string {
    this.expire();
    const token = secret();
    putBounded(this.logins, token, this.now() + LOGIN_TOKEN_TTL_MS, MAX_LOGIN_TOKENS);
    return token;
  }

  /** Exchanges a login token for a new session id; null when the token is unknown, used or expired. */
  redeem(token: string): string | null {
    this.expire();
    if (!SECRET_SHAPE.test(token)) return null;
    const d = digest(token);
    let hit: string | null = null;
    for (const k of this.logins.keys()) if (digestsEqual(d, Buffer.from(k, 'hex')) && !hit) hit = k;
    if (!hit) return null;
    this.logins.delete(hit);
    const session = secret();
    putBounded(this.sessions, session, this.now() + SESSION_TTL_MS, MAX_SESSIONS);
    return session;
  }

  /** True when `session` is a live session id. */
  valid(session: string | undefined): boolean {
    if (!session || !SECRET_SHAPE.test(session)) return false;
    const exp = this.sessions.get(digest(session).toString('hex'));
    return exp !== undefined && exp > this.now();
  }

  end(session: string | undefined): void {
    if (session) this.sessions.delete(digest(session).toString('hex'));
  }

  private expire(): void {
    const t = this.now();
    for (const [k, exp] of this.logins) if (exp <= t) this.logins.delete(k);
    for (const [k, exp] of this.sessions) if (exp <= t) this.sessions.delete(k);
  }
}

/** The `lsn_session` cookie's value from a Cookie header. */
export function sessionFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes the session cookie (same attributes, Max-Age 0). */
export const CLEAR_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * Writes a fresh CLI token to `<dataDir>/cli-token` with mode 0600 (atomically: temp file + rename) and
 * returns it. Called at every service start, so a token never outlives the instance that issued it.
 */
export function writeCliToken(dataDir: string): string {
  const token = CLI_TOKEN_PREFIX + secret();
  const file = join(dataDir, CLI_TOKEN_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return token;
}

/** The running service's CLI token, or null when there is none (service not running, or unreadable). */
export function readCliToken(dataDir: string): string | null {
  try {
    const t = readFileSync(join(dataDir, CLI_TOKEN_FILE), 'utf8').trim();
    return t.startsWith(CLI_TOKEN_PREFIX) ? t : null;
  } catch {
    return null;
  }
}

/** Constant-time comparison of a presented secret with the CLI token. */
export function cliTokenMatches(presented: string, token: string | undefined): boolean {
  if (!token || !presented.startsWith(CLI_TOKEN_PREFIX)) return false;
  return digestsEqual(digest(presented), digest(token));
}
