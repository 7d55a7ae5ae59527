/**
 * Typed fetch helpers for the service API. Every URL is RELATIVE (no leading slash): the page is served
 * under Home Assistant's ingress prefix `/api/hassio_ingress/<token>/`, so `api/devices` resolves inside it.
 */
import { authHeaders, signInNeeded } from './credentials.js';
import type { List } from './types.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** Builds `api/<path>?a=1&b=2` leaving out empty values. Path segments must already be encoded. */
export function apiUrl(path: string, query?: Query): string {
  const clean = path.replace(/^\/+/, '');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return `api/${clean}${qs ? `?${qs}` : ''}`;
}

/** Encodes one path segment (a MAC, an id). */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}

function messageFrom(body: unknown, status: number, statusText: string): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const msg = typeof b.message === 'string' ? b.message : typeof b.error === 'string' ? b.error : null;
    const issues = Array.isArray(b.issues) ? b.issues : null;
    if (issues && issues.length > 0) {
      const parts = issues
        .map((i) => {
          if (i && typeof i === 'object') {
            const r = i as Record<string, unknown>;
            const where = Array.isArray(r.path) ? r.path.join('.') : typeof r.path === 'string' ? r.path : '';
            const what = typeof r.message === 'string' ? r.message : '';
            return where ? `${where}: ${what}` : what;
          }
          return String(i);
        })
        .filter(Boolean);
      if (parts.length) return `${msg ?? 'Invalid request'} (${parts.join('; ')})`;
    }
    if (msg) return msg;
  }
  return `${status} ${statusText || 'request failed'}`;
}

export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const url = apiUrl(path, query);
  const init: RequestInit = {
    method,
    headers: { accept: 'application/json', ...authHeaders() },
    credentials: 'same-origin',
  };
  if (body instanceof Blob) {
    // a file as the raw body (a CVE feed, plain or .gz)
    init.body = body;
    (init.headers as Record<string, string>)['content-type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new ApiError(
      `Cannot reach LAN Sentinel (${err instanceof Error ? err.message : String(err)})`,
      0,
      url,
    );
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  // 401, or the failed-authentication lockout of this address (a valid key still gets through it)
  const msg = messageFrom(parsed, res.status, res.statusText);
  if (res.status === 401 || (res.status === 429 && /failed authentications/.test(msg))) signInNeeded(msg);
  if (!res.ok) throw new ApiError(msg, res.status, url, parsed);
  return parsed as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
  /** POSTs a file as the raw request body */
  upload: <T>(path: string, file: Blob) => request<T>('POST', path, file),
};

/** Every growing list comes back as `{ items, total, limit, offset }`. */
export function getList<T>(path: string, query?: Query): Promise<List<T>> {
  return api.get<List<T>>(path, query);
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
