/**
 * Hash routing: `#/devices/aa:bb:cc:dd:ee:ff`. The server never sees the route, so nothing breaks under the
 * ingress prefix and a reload lands on the same page.
 */

export type Route =
  | { page: 'dashboard' }
  | { page: 'devices'; params: URLSearchParams }
  | { page: 'map' }
  | { page: 'device'; mac: string }
  | { page: 'scans' }
  | { page: 'schedules' }
  | { page: 'scan'; id: number }
  | { page: 'compare'; a: number | null; b: number | null }
  | { page: 'changes' }
  | { page: 'findings' }
  | { page: 'rules' }
  | { page: 'alerts' }
  | { page: 'webhooks' }
  | { page: 'keys' }
  | { page: 'audit' }
  | { page: 'settings' }
  | { page: 'not-found'; path: string };

export type PageName = Route['page'];

function positiveInt(s: string | undefined | null): number | null {
  if (!s || !/^\d{1,12}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
}

/** Parses `#/a/b?x=1` (the leading `#` optional). Pure. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const params = new URLSearchParams(queryPart);
  const parts = pathPart
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [first, second, third, fourth] = parts;
  switch (first) {
    case undefined:
    case 'dashboard':
      return { page: 'dashboard' };
    case 'map':
      return { page: 'map' };
    case 'devices':
      if (second) return { page: 'device', mac: second.toLowerCase() };
      return { page: 'devices', params };
    case 'scans':
      if (second === 'compare') {
        return {
          page: 'compare',
          a: positiveInt(third ?? params.get('a')),
          b: positiveInt(fourth ?? params.get('b')),
        };
      }
      if (second) {
        const id = positiveInt(second);
        return id ? { page: 'scan', id } : { page: 'not-found', path: pathPart };
      }
      return { page: 'scans' };
    case 'schedules':
      return { page: 'schedules' };
    case 'changes':
      return { page: 'changes' };
    case 'findings':
      return { page: 'findings' };
    case 'rules':
      return { page: 'rules' };
    case 'alerts':
      return { page: 'alerts' };
    case 'webhooks':
      return { page: 'webhooks' };
    case 'keys':
      return { page: 'keys' };
    case 'audit':
      return { page: 'audit' };
    case 'settings':
      return { page: 'settings' };
    default:
      return { page: 'not-found', path: pathPart };
  }
}

/** Hash href for a device page. */
export function deviceHref(mac: string): string {
  return `#/devices/${encodeURIComponent(mac)}`;
}

export function scanHref(id: number): string {
  return `#/scans/${id}`;
}

export function compareHref(a: number, b: number): string {
  return `#/scans/compare/${a}/${b}`;
}
