/** Reads a running instance's API for the CLI's --api-url/--api-key mode. */
export async function remoteGet(apiUrl: string, apiKey: string | undefined, path: string): Promise<unknown> {
  if (!/^https?:\/\//.test(apiUrl))
    throw new Error(`--api-url must be an http:// or https:// URL; got ${JSON.stringify(apiUrl)}`);
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const res = await fetch(new URL(path, base), {
    headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

/** One request with a bearer credential (API key or the local CLI token); returns the parsed JSON body. */
export async function remoteRequest(
  apiUrl: string,
  bearer: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  if (!/^https?:\/\//.test(apiUrl))
    throw new Error(`--api-url must be an http:// or https:// URL; got ${JSON.stringify(apiUrl)}`);
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const headers: Record<string, string> = bearer ? { Authorization: `Bearer ${bearer}` } : {};
  const init: RequestInit = { method, headers, signal: AbortSignal.timeout(15_000) };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(new URL(path, base), init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}
