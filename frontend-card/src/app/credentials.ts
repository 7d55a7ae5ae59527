/**
 * The API key the UI sends when neither ingress nor a login session signs it in (e.g. the add-on's `api_port`,
 * which accepts API keys only, or a browser with no way to open the login link). Kept for this tab
 * (sessionStorage) unless the user chose to remember it on this browser (localStorage); sent as
 * `Authorization: Bearer …` on every API call and the live feed. A 401 from the API raises `signin-needed`.
 */

/** `lsk_` + 43 base64url characters, as `lan-sentinel keys create` prints it. */
export const API_KEY_PATTERN = /^lsk_[A-Za-z0-9_-]{43}$/;
const STORAGE_KEY = 'lan-sentinel.api-key';

/** the part of Web Storage used here (typed locally: this module is also compiled without the DOM library) */
interface KeyStore {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

function stores(): KeyStore[] {
  const out: KeyStore[] = [];
  try {
    const w = globalThis as unknown as { sessionStorage?: KeyStore; localStorage?: KeyStore };
    if (w.sessionStorage && w.localStorage) out.push(w.sessionStorage, w.localStorage);
  } catch {
    // storage disabled: the key lives only in memory
  }
  return out;
}

let memory: string | null = null;

export function apiKey(): string | null {
  if (memory) return memory;
  for (const s of stores()) {
    const v = s.getItem(STORAGE_KEY);
    if (v && API_KEY_PATTERN.test(v)) {
      memory = v;
      return v;
    }
  }
  return null;
}

/** `remember` keeps it on this browser; otherwise it is gone when the tab closes. */
export function setApiKey(key: string, remember: boolean): void {
  forgetApiKey();
  memory = key;
  const [session, local] = stores();
  (remember ? local : session)?.setItem(STORAGE_KEY, key);
}

export function forgetApiKey(): void {
  memory = null;
  for (const s of stores()) s.removeItem(STORAGE_KEY);
}

export function authHeaders(): Record<string, string> {
  const k = apiKey();
  return k ? { authorization: `Bearer ${k}` } : {};
}

/** `signin-needed` (detail: the server's message) when a call came back 401. */
export const auth = new EventTarget();

export function signInNeeded(message: string): void {
  auth.dispatchEvent(new CustomEvent<string>('signin-needed', { detail: message }));
}
