/**
 * `devices expected <device> [show | set PORT… | accept-open | clear]`: a device's expected (allowed) open
 * ports (DESIGN §5). Any open port outside them raises an `unexpected_port` finding and change.
 * Speaks to `api/devices/:mac/expected-ports` only, so the local data dir and a remote instance behave alike.
 */
import type { DeviceJson } from '../../api/schemas.js';
import { UsageError } from '../args.js';
import { type Ctx, printJson, type TableCtx } from '../context.js';
import { shortTime, wrapText } from '../format.js';
import { renderTable } from '../table.js';

export const EXPECTED_USAGE =
  'devices expected <device> [show | set PORT… | accept-open | clear]  (PORT: 22, 22/tcp, 53/udp, tcp/443)';

interface ExpectedPortsJson {
  mac: string;
  ports: string[] | null;
  updated_at: string | null;
}

/**
 * "22" | "22/tcp" | "tcp/22" | "53/udp", several per argument with commas → the API's "tcp/22" keys.
 * Pure; throws a UsageError naming the bad token and the allowed forms.
 */
export function parsePortList(args: string[]): string[] {
  const out: string[] = [];
  for (const token of args.flatMap((a) => a.split(',')).map((t) => t.trim())) {
    if (!token) continue;
    const m = /^(?:(tcp|udp)\/)?(\d{1,5})(?:\/(tcp|udp))?$/i.exec(token);
    const n = m ? Number(m[2]) : Number.NaN;
    if (!m || (m[1] && m[3]) || n < 1 || n > 65535)
      throw new UsageError(
        `not a port: ${JSON.stringify(token.slice(0, 40))}; give 1-65535 as 22, 22/tcp, 53/udp or tcp/443 (${EXPECTED_USAGE})`,
      );
    const proto = (m[1] ?? m[3] ?? 'tcp').toLowerCase();
    out.push(`${proto}/${n}`);
  }
  return [...new Set(out)];
}

/** "tcp/22" → "22/tcp", the way `devices show` writes ports. */
const shown = (key: string) => key.split('/').reverse().join('/');

/** Expected ports beside the ports open now: which are open, which are outside (unexpected), which are closed. */
export function expectedTable(d: DeviceJson, e: ExpectedPortsJson, ctx: TableCtx): string {
  const open = new Map(d.ports.map((p) => [`${p.protocol}/${p.port}`, p]));
  const expected = new Set(e.ports ?? []);
  const keys = [...new Set([...expected, ...open.keys()])].sort((a, b) => {
    const [pa = '', na = '0'] = a.split('/');
    const [pb = '', nb = '0'] = b.split('/');
    return pa.localeCompare(pb) || Number(na) - Number(nb);
  });
  const rows = keys.map((k) => {
    const p = open.get(k);
    const state =
      e.ports === null
        ? 'open'
        : p && expected.has(k)
          ? 'open, expected'
          : p
            ? 'open, UNEXPECTED'
            : 'expected, closed';
    return [shown(k), p?.service ?? null, state];
  });
  // the expected ports themselves are rows of the table (open or "expected, closed"); a long name wraps
  const head = wrapText(
    e.ports === null
      ? `${d.display_name} (${d.mac}): no expected ports set; no open port counts as unexpected`
      : `${d.display_name} (${d.mac}): ${e.ports.length} expected port${e.ports.length === 1 ? '' : 's'}, ` +
          `set ${shortTime(e.updated_at)}`,
    ctx.width,
  );
  const table = rows.length
    ? renderTable(['port', 'service', 'state'], rows, {
        width: ctx.width,
        colour: ctx.colour,
        shrink: ['service'],
      })
    : 'no open ports at the last port scan';
  const unexpected = rows.filter((r) => r[2] === 'open, UNEXPECTED').length;
  const tail =
    e.ports === null
      ? '\n\nset them with: lan-sentinel devices expected <device> accept-open (or set PORT…)'
      : unexpected
        ? `\n\n${unexpected} open port${unexpected === 1 ? ' is' : 's are'} outside the expected ones (unexpected_port findings)`
        : '';
  return `${head}\n\n${table}${tail}`;
}

/** `devices expected <device> …`, the device already resolved. */
export async function expectedPortsCommand(ctx: Ctx, d: DeviceJson, rest: string[]): Promise<number> {
  const [sub = 'show', ...args] = rest;
  const path = `api/devices/${encodeURIComponent(d.mac)}/expected-ports`;
  let e: ExpectedPortsJson;
  switch (sub) {
    case 'show':
      if (args.length) throw new UsageError(`devices expected: "show" takes no ports (${EXPECTED_USAGE})`);
      e = await ctx.client.get<ExpectedPortsJson>(path);
      break;
    case 'set': {
      const ports = parsePortList(args);
      if (!ports.length)
        throw new UsageError(
          `devices expected set: give at least one port, or "clear" to remove the list (${EXPECTED_USAGE})`,
        );
      e = await ctx.client.request<ExpectedPortsJson>('PUT', path, { ports });
      break;
    }
    case 'accept-open':
      if (args.length)
        throw new UsageError(`devices expected: "accept-open" takes no ports (${EXPECTED_USAGE})`);
      e = await ctx.client.request<ExpectedPortsJson>('PUT', path, { from_current: true });
      break;
    case 'clear':
      if (args.length) throw new UsageError(`devices expected: "clear" takes no ports (${EXPECTED_USAGE})`);
      e = await ctx.client.request<ExpectedPortsJson>('DELETE', path);
      break;
    default:
      throw new UsageError(
        `devices expected: unknown action "${sub}"; use show, set, accept-open or clear (${EXPECTED_USAGE})`,
      );
  }
  if (ctx.json) {
    printJson(ctx, e);
    return 0;
  }
  // the device as the instance sees it now (its ports are what "open" compares against)
  const now =
    sub === 'show' ? d : await ctx.client.get<DeviceJson>(`api/devices/${encodeURIComponent(d.mac)}`);
  ctx.out(expectedTable(now, e, ctx));
  return 0;
}
