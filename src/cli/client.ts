/**
 * The CLI is a client of the HTTP API (DESIGN §12): every command speaks to `api/…`, either on a remote
 * instance over HTTP or on the local data dir through the same fastify app injected in-process. Local and
 * remote output are therefore the same by construction.
 */
import { CliError, EXIT } from './errors.js';

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface Transport {
  /** `path` is relative to the API root (`api/devices?…`); bytes (Uint8Array) are sent as they are */
  send(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** for messages: "http://host:8099/" or "the local data dir /data" */
  readonly where: string;
  readonly remote: boolean;
  close(): Promise<void>;
}

/** The API's maximum page size (schemas.ts limitSchema). */
export const MAX_PAGE = 500;

export class ApiClient {
  constructor(readonly transport: Transport) {}

  get remote(): boolean {
    return this.transport.remote;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.transport.send(method, path, body);
    if (res.status >= 200 && res.status < 300) return res.body as T;
    throw apiFailure(method, path, res, this.transport.where);
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Every item of a paged list (`{items,total,limit,offset}`), `MAX_PAGE` per request; `max` caps the total. */
  async list<T = unknown>(
    path: string,
    max = Number.POSITIVE_INFINITY,
  ): Promise<{ items: T[]; total: number }> {
    const items: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    let total = 0;
    for (let offset = 0; ; ) {
      const limit = Math.min(MAX_PAGE, max - items.length);
      const page = await this.get<{ items: T[]; total: number }>(
        `${path}${sep}limit=${limit}&offset=${offset}`,
      );
      items.push(...page.items);
      total = page.total;
      offset += page.items.length;
      if (page.items.length === 0 || offset >= total || items.length >= max) break;
    }
    return { items, total };
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

function apiFailure(method: string, path: string, res: ApiResponse, where: string): CliError {
  const b = (res.body ?? {}) as { message?: string; error?: string };
  const msg =
    typeof b.message === 'string' ? b.message : typeof res.body === 'string' ? res.body.slice(0, 300) : '';
  const what = `${method} ${path.split('?')[0]}`;
  switch (res.status) {
    case 401:
      return new CliError(
        `${where} refused the request: ${msg || 'an API key is required'}`,
        EXIT.noperm,
        'give a valid key with --api-key or LAN_SENTINEL_API_KEY (create one on that machine: lan-sentinel keys create NAME --scope admin)',
      );
    case 403:
      return new CliError(`${where} refused ${what}: ${msg}`, EXIT.noperm, 'use a key with scope admin');
    case 404:
      return new CliError(
        msg.startsWith('no route')
          ? `${where} does not offer ${what} (older version?)`
          : msg || `${what}: not found`,
        EXIT.failed,
      );
    case 429: {
      const retry = res.headers['retry-after'];
      return new CliError(
        `${where} is rate-limiting this client: ${msg}`,
        EXIT.unavailable,
        retry ? `retry in ${retry} s` : undefined,
      );
    }
    case 503:
      return new CliError(`${where}: ${msg || 'unavailable'}`, EXIT.unavailable);
    default:
      if (res.status >= 400 && res.status < 500)
        return new CliError(msg || `${what}: HTTP ${res.status}`, EXIT.usage);
      return new CliError(`${where} failed on ${what}: HTTP ${res.status} ${msg}`, EXIT.unavailable);
  }
}

/** HTTP transport to a running instance. */
export function httpTransport(
  baseUrl: string,
  key: string | undefined,
  timeoutMs = 30_000,
  where = baseUrl,
): Transport {
  return {
    where,
    remote: true,
    async send(method, path, body) {
      let res: Response;
      try {
        res = await fetch(new URL(path, baseUrl), {
          method,
          headers: {
            accept: 'application/json',
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(body instanceof Uint8Array
              ? { 'content-type': 'application/octet-stream' }
              : body !== undefined
                ? { 'content-type': 'application/json' }
                : {}),
          },
          ...(body instanceof Uint8Array
            ? { body }
            : body !== undefined
              ? { body: JSON.stringify(body) }
              : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (err as Error).message;
        throw new CliError(
          `cannot reach ${baseUrl}: ${why}`,
          EXIT.unavailable,
          'check --api-url / LAN_SENTINEL_API_URL and that the service runs there (its log prints "web UI on …")',
        );
      }
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      return { status: res.status, body: parsed, headers };
    },
    async close() {},
  };
}

/** Scan events from a remote instance's `api/events` stream; returns a function that closes the stream. */
export function remoteScanEvents(
  baseUrl: string,
  key: string | undefined,
  cb: (e: import('../api/schemas.js').SseScanJson) => void,
): () => void {
  const ctrl = new AbortController();
  void (async () => {
    try {
      const res = await fetch(new URL('api/events', baseUrl), {
        headers: { accept: 'text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        signal: ctrl.signal,
      });
      if (!res.ok || !res.body) return;
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let end = buf.indexOf('\n\n');
        while (end >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          end = buf.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event === 'scan' && data) {
            try {
              cb(JSON.parse(data));
            } catch {
              // a malformed frame is skipped
            }
          }
        }
        if (buf.length > 1_000_000) buf = '';
      }
    } catch {
      // the stream is a convenience (progress); polling decides when the scan is done
    }
  })();
  return () => ctrl.abort();
}
