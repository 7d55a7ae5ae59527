/** `devices` (list, show, rename, trust, untrust, watch, unwatch, ignore, unignore, forget, merge, split) and `export`. */
import { writeFileSync } from 'node:fs';
import type { DeviceHistoryJson, DeviceJson, FindingJson, WakeResultJson } from '../../api/schemas.js';
import { isIpKey } from '../../inventory/deviceKey.js';
import { shortVendor } from '../../inventory/kinds.js';
import { DEVICE_FILTERS, DEVICE_SORTS } from '../../vocabulary.js';
import { UsageError } from '../args.js';
import { levelStyle, presenceStyle } from '../colour.js';
import { type Ctx, flag, oneOf, printJson, type TableCtx } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { AGE_WIDTH, age, clipLine, keyValues, shortTime, yesNo } from '../format.js';
import { renderTable, toCsv } from '../table.js';
import { EXPECTED_USAGE, expectedPortsCommand } from './expectedPorts.js';

const MAC_RE = /^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;

/** The MAC column: a device identified by IP (a routed host whose MAC cannot be learned) has none. */
const macCell = (d: DeviceJson) => (d.identified_by === 'ip' ? '(by IP)' : d.mac);

export function deviceTable(devices: DeviceJson[], ctx: TableCtx & Pick<Ctx, 'now'>): string {
  return renderTable(
    ['ip', 'mac', 'name', 'vendor', 'state', 'risk', 'ports', 'seen'],
    devices.map((d) => [
      d.ip,
      macCell(d),
      d.display_name,
      // the registry's full name when it fits, else the brand ("Hangzhou Hikvision … Co.,Ltd." → "Hikvision")
      d.randomized && !d.vendor ? '(random MAC)' : { text: d.vendor, short: shortVendor(d.vendor) },
      d.presence,
      d.risk,
      d.open_ports,
      age(d.last_seen, ctx.now),
    ]),
    {
      width: ctx.width,
      colour: ctx.colour,
      shrink: ['name', 'vendor'],
      keep: { name: 22 },
      right: ['ports'],
      minWidth: { seen: AGE_WIDTH },
      style: { state: presenceStyle, risk: levelStyle },
    },
  );
}

/** Devices in IP order, every page. */
export async function allDevices(ctx: Ctx, query = ''): Promise<DeviceJson[]> {
  const { items } = await ctx.client.list<DeviceJson>(`api/devices?sort=ip${query}`);
  return items;
}

/** A device by MAC, IP or exact name. */
async function resolveDevice(ctx: Ctx, ref: string | undefined, usage: string): Promise<DeviceJson> {
  if (!ref) throw new UsageError(`give a device (MAC, IP or name): ${usage}`);
  if (MAC_RE.test(ref) || isIpKey(ref))
    return ctx.client.get<DeviceJson>(`api/devices/${encodeURIComponent(ref)}`);
  const { items } = await ctx.client.list<DeviceJson>(`api/devices?sort=ip&q=${encodeURIComponent(ref)}`);
  const exact = items.filter(
    (d) => d.ip === ref || d.display_name.toLowerCase() === ref.toLowerCase() || d.hostname === ref,
  );
  if (exact.length === 1) return exact[0]!;
  if (exact.length > 1)
    throw new CliError(
      `"${ref}" matches ${exact.length} devices (${exact.map((d) => d.mac).join(', ')})`,
      EXIT.usage,
      'give the MAC address instead',
    );
  throw new CliError(`no device "${ref}"`, EXIT.failed, 'list them with: lan-sentinel devices');
}

export async function devicesCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', ref, ...rest] = ctx.args.positionals;
  switch (sub) {
    case 'list': {
      const filter = oneOf('filter', flag(ctx, 'filter'), DEVICE_FILTERS);
      const sort = oneOf('sort', flag(ctx, 'sort'), DEVICE_SORTS) ?? 'ip';
      const q = flag(ctx, 'search');
      const { items, total } = await ctx.client.list<DeviceJson>(
        `api/devices?sort=${sort}${filter ? `&filter=${filter}` : ''}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
      );
      if (ctx.json) printJson(ctx, items);
      else {
        ctx.out(deviceTable(items, ctx));
        const online = items.filter((d) => d.online).length;
        ctx.out(`\n${total} devices, ${online} online`);
      }
      return 0;
    }
    case 'show': {
      const d = await resolveDevice(ctx, ref, 'devices show <mac|ip|name>');
      const mac = encodeURIComponent(d.mac);
      const [findings, history] = await Promise.all([
        ctx.client.list<FindingJson>(`api/findings?mac=${mac}`),
        ctx.client.get<DeviceHistoryJson>(`api/devices/${mac}/history?limit=10`),
      ]);
      if (ctx.json) {
        printJson(ctx, { device: d, findings: findings.items, history });
        return 0;
      }
      ctx.out(
        keyValues([
          ['name', d.display_name],
          [
            'mac',
            d.identified_by === 'ip'
              ? `none: identified by IP (routed subnet, key ${d.mac})`
              : `${d.mac}${d.randomized ? ' (randomized)' : ''}`,
          ],
          ['ip', d.ip],
          ['hostname', d.hostname],
          ['vendor', d.vendor],
          ['state', `${d.presence}, last seen ${age(d.last_seen, ctx.now)} (${shortTime(d.last_seen)})`],
          ['first seen', shortTime(d.first_seen)],
          ['trusted', yesNo(d.known)],
          ['watched', yesNo(d.watched)],
          ['ignored', yesNo(d.ignored)],
          ['risk', `${d.risk} (score ${d.risk_score ?? '-'})`],
          ['ports scanned', shortTime(d.ports_scanned_at)],
          ['notes', d.notes],
        ]),
      );
      if (d.ports.length) {
        ctx.out('');
        ctx.out(
          renderTable(
            ['port', 'service', 'product', 'version'],
            d.ports.map((p) => [`${p.port}/${p.protocol}`, p.service, p.product, p.version]),
            { width: ctx.width, colour: ctx.colour, shrink: ['product', 'version'] },
          ),
        );
      }
      if (findings.items.length) {
        ctx.out('');
        ctx.out(findingTable(findings.items, ctx, false));
      }
      if (history.changes.length) {
        ctx.out('\nrecent changes:');
        for (const c of history.changes.slice(0, 10))
          ctx.out(clipLine(`  ${shortTime(c.time)}  ${c.message}`, ctx.width));
      }
      return 0;
    }
    case 'rename': {
      const name = rest.join(' ').trim();
      if (!ref || !name) throw new UsageError('devices rename <mac|ip|name> <new name>');
      return patch(ctx, ref, { name }, (d) => `renamed ${d.mac} to "${d.display_name}"`);
    }
    case 'trust':
      return patch(ctx, ref, { known: true }, (d) => `${d.display_name} (${d.mac}) is trusted (known)`);
    case 'untrust':
      return patch(ctx, ref, { known: false }, (d) => `${d.display_name} (${d.mac}) is no longer trusted`);
    case 'watch':
      return patch(
        ctx,
        ref,
        { watched: true },
        (d) => `watching ${d.display_name} (${d.mac}): going offline alerts`,
      );
    case 'unwatch':
      return patch(ctx, ref, { watched: false }, (d) => `no longer watching ${d.display_name} (${d.mac})`);
    case 'ignore':
      return patch(
        ctx,
        ref,
        { ignored: true },
        (d) => `ignoring ${d.display_name} (${d.mac}): no entities, no alerts`,
      );
    case 'unignore':
      return patch(ctx, ref, { ignored: false }, (d) => `${d.display_name} (${d.mac}) is no longer ignored`);
    case 'expected':
      return expectedPortsCommand(ctx, await resolveDevice(ctx, ref, EXPECTED_USAGE), rest);
    case 'forget': {
      const d = await resolveDevice(ctx, ref, 'devices forget <mac|ip|name>');
      const r = await ctx.client.request('DELETE', `api/devices/${encodeURIComponent(d.mac)}`);
      if (ctx.json) printJson(ctx, r);
      else ctx.out(`forgot ${d.display_name} (${d.mac}); it comes back as new if it is seen again`);
      return 0;
    }
    case 'merge': {
      // one phone seen under two MACs: the second device's MAC and history become the first's
      const usage = 'devices merge <mac|ip|name> <other mac|ip|name>';
      const into = await resolveDevice(ctx, ref, usage);
      const from = await resolveDevice(ctx, rest[0], usage);
      const r = await ctx.client.request<DeviceJson>(
        'POST',
        `api/devices/${encodeURIComponent(into.mac)}/merge`,
        { mac: from.mac },
      );
      if (ctx.json) printJson(ctx, r);
      else ctx.out(`merged ${from.mac} into ${into.display_name} (${into.mac})`);
      return 0;
    }
    case 'split': {
      const usage = 'devices split <mac|ip|name> <further mac>';
      const d = await resolveDevice(ctx, ref, usage);
      const mac = rest[0];
      if (!mac || !MAC_RE.test(mac)) throw new UsageError(`give the further MAC to split off: ${usage}`);
      const r = await ctx.client.request<DeviceJson>(
        'POST',
        `api/devices/${encodeURIComponent(d.mac)}/split`,
        {
          mac,
        },
      );
      if (ctx.json) printJson(ctx, r);
      else ctx.out(`split ${mac} off ${d.display_name} (${d.mac}); it is a device of its own when next seen`);
      return 0;
    }
    default:
      throw new UsageError(
        `devices: unknown subcommand "${sub}"; use list, show, rename, trust, untrust, watch, unwatch, ignore, unignore, expected, forget, merge or split`,
      );
  }
}

async function patch(
  ctx: Ctx,
  ref: string | undefined,
  body: Record<string, unknown>,
  say: (d: DeviceJson) => string,
): Promise<number> {
  const d = await resolveDevice(ctx, ref, `devices ${ctx.args.positionals[0]} <mac|ip|name>`);
  const after = await ctx.client.request<DeviceJson>(
    'PATCH',
    `api/devices/${encodeURIComponent(d.mac)}`,
    body,
  );
  if (ctx.json) printJson(ctx, after);
  else ctx.out(say(after));
  return 0;
}

/** `wake <mac|ip|name>`: Wake-on-LAN through the instance (it sends the magic packet on its LAN). */
export async function wakeCommand(ctx: Ctx): Promise<number> {
  const usage = 'wake <mac|ip|name>';
  const [ref] = ctx.args.positionals;
  if (!ref) throw new UsageError(`give a device (MAC, IP or name): ${usage}`);
  // a MAC goes as it is: the instance says why a multicast or broadcast MAC cannot be woken
  const mac = MAC_RE.test(ref) ? ref : (await resolveDevice(ctx, ref, usage)).mac;
  const r = await ctx.client.request<WakeResultJson>('POST', `api/devices/${encodeURIComponent(mac)}/wake`);
  if (ctx.json) printJson(ctx, r);
  else {
    ctx.out(r.message);
    for (const s of r.sent.filter((x) => !x.ok))
      ctx.out(`  not sent to ${s.address}:${s.port} (${s.error ?? 'failed'})`);
  }
  return 0;
}

export function findingTable(items: FindingJson[], ctx: TableCtx, withDevice = true): string {
  // CVSS shown: the order (severity, then CVSS, then device) is then visible
  const headers = withDevice
    ? ['id', 'severity', 'cvss', 'device', 'port', 'finding']
    : ['id', 'severity', 'cvss', 'port', 'finding'];
  return renderTable(
    headers,
    items.map((f) => {
      const title = f.cve && !f.title.includes(f.cve) ? `${f.cve} ${f.title}` : f.title;
      // the port has its own column: no "(tcp/80)" again at the end of the title
      const tag = f.port !== null ? ` (${f.protocol ?? 'tcp'}/${f.port})` : null;
      const row = [
        f.id,
        `${f.severity}${f.known_exploited ? ' KEV' : ''}`,
        f.cvss === null ? null : f.cvss.toFixed(1),
        ...(withDevice ? [f.device_name ?? f.mac] : []),
        f.port !== null ? `${f.port}/${f.protocol ?? 'tcp'}` : null,
        tag && title.endsWith(tag) ? title.slice(0, -tag.length) : title,
      ];
      return row;
    }),
    {
      width: ctx.width,
      colour: ctx.colour,
      shrink: ['device', 'finding'],
      right: ['id', 'cvss'],
      keep: { device: 16 },
      style: { severity: levelStyle },
    },
  );
}

const CSV_HEADERS = [
  'mac',
  'ip',
  'name',
  'hostname',
  'vendor',
  'randomized',
  'presence',
  'first_seen',
  'last_seen',
  'known',
  'risk',
  'open_ports',
];

export async function exportCommand(ctx: Ctx): Promise<number> {
  const format = flag(ctx, 'format') ?? 'json';
  if (format !== 'csv' && format !== 'json')
    throw new UsageError(`export --format must be csv or json; got ${JSON.stringify(format)}`);
  const devices = await allDevices(ctx);
  const text =
    format === 'json'
      ? `${JSON.stringify(devices, null, 2)}\n`
      : toCsv(
          CSV_HEADERS,
          devices.map((d) => [
            d.mac,
            d.ip,
            d.display_name,
            d.hostname,
            d.vendor,
            d.randomized,
            d.presence,
            d.first_seen,
            d.last_seen,
            d.known,
            d.risk,
            d.ports.map((p) => `${p.port}/${p.protocol}`).join(' '),
          ]),
        );
  const output = flag(ctx, 'output');
  if (output) {
    try {
      writeFileSync(output, text);
    } catch (err) {
      throw new CliError(
        `cannot write ${output}: ${(err as Error).message}`,
        EXIT.failed,
        'choose another --output path',
      );
    }
    ctx.err(`wrote ${devices.length} devices to ${output} (${format})`);
  } else process.stdout.write(text);
  return 0;
}
