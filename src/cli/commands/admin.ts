/** `findings`, `alerts`, `rules`, `webhooks`, `keys` and `cve import`. */
import type {
  AlertJson,
  AlertRuleJson,
  ApiKeyCreatedJson,
  ApiKeyJson,
  CveImportJson,
  DeliveryJson,
  FindingJson,
  WebhookJson,
} from '../../api/schemas.js';
import { KEY_SCOPES } from '../../api/schemas.js';
import { FeedError, feedKind, readFeedFile } from '../../threats/feedImport.js';
import { FINDING_KINDS, SEVERITIES } from '../../vocabulary.js';
import { UsageError } from '../args.js';
import { levelStyle } from '../colour.js';
import { type Ctx, flag, oneOf, positiveInt, printJson } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { FINDINGS_SHOWN, findingsFooter, sortFindings } from '../findingList.js';
import { shortTime, wrapText, yesNo } from '../format.js';
import { renderTable } from '../table.js';
import { findingTable } from './devices.js';

const MAC_RE = /^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;

export async function findingsCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', id] = ctx.args.positionals;
  if (sub === 'list') {
    const sev = oneOf('min-severity', flag(ctx, 'min-severity'), SEVERITIES);
    const kind = oneOf('kind', flag(ctx, 'kind'), FINDING_KINDS);
    const status = oneOf('status', flag(ctx, 'status'), ['active', 'resolved', 'all'] as const);
    const mac = flag(ctx, 'mac');
    if (mac && !MAC_RE.test(mac))
      throw new UsageError(
        `--mac must be a MAC address such as aa:bb:cc:dd:ee:ff; got ${JSON.stringify(mac)}`,
      );
    const q = [
      sev && `min_severity=${sev}`,
      kind && `kind=${kind}`,
      status && `status=${status}`,
      mac && `mac=${encodeURIComponent(mac)}`,
    ].filter(Boolean);
    const limitFlag = flag(ctx, 'limit');
    const limit = limitFlag ? positiveInt('--limit', limitFlag, 'findings --limit N') : undefined;
    // every page, then one order (the API pages in its own order; a device's findings should stand together)
    const { items } = await ctx.client.list<FindingJson>(`api/findings${q.length ? `?${q.join('&')}` : ''}`);
    const sorted = sortFindings(items);
    if (ctx.json) printJson(ctx, limit ? sorted.slice(0, limit) : sorted);
    else {
      const shown = sorted.slice(0, ctx.args.flags.all === true ? undefined : (limit ?? FINDINGS_SHOWN));
      ctx.out(shown.length ? findingTable(shown, ctx) : 'no findings');
      if (shown.length) ctx.out(`\n${findingsFooter(sorted.length, shown.length)}`);
    }
    return 0;
  }
  if (sub === 'accept') {
    const n = positiveInt('finding id', id, 'findings accept <id> [--reason TEXT]');
    const reason = flag(ctx, 'reason');
    const r = await ctx.client.request<FindingJson>(
      'POST',
      `api/findings/${n}/accept`,
      reason ? { reason } : {},
    );
    if (ctx.json) printJson(ctx, r);
    else ctx.out(`finding ${n} accepted: it no longer counts towards the device's risk`);
    return 0;
  }
  throw new UsageError(
    `findings: unknown subcommand "${sub}"; use "findings list" or "findings accept <id>"`,
  );
}

export async function alertsCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', id] = ctx.args.positionals;
  if (sub === 'list') {
    const status = oneOf('status', flag(ctx, 'status'), ['open', 'acked', 'all'] as const);
    const limitFlag = flag(ctx, 'limit');
    const max =
      ctx.args.flags.all === true
        ? Number.POSITIVE_INFINITY
        : limitFlag
          ? positiveInt('--limit', limitFlag, 'alerts --limit N')
          : 50;
    const { items, total } = await ctx.client.list<AlertJson>(
      `api/alerts${status ? `?status=${status}` : ''}`,
      max,
    );
    if (ctx.json) printJson(ctx, items);
    else {
      ctx.out(
        items.length
          ? renderTable(
              ['id', 'time', 'severity', 'kind', 'message', 'acked'],
              items.map((a) => [a.id, shortTime(a.time), a.severity, a.kind, a.message, yesNo(a.acked)]),
              {
                width: ctx.width,
                colour: ctx.colour,
                shrink: ['message', 'kind'],
                right: ['id'],
                style: { severity: levelStyle },
              },
            )
          : 'no alerts',
      );
      if (items.length) ctx.out(`\n${items.length} of ${total} alerts`);
    }
    return 0;
  }
  if (sub === 'ack') {
    const n = positiveInt('alert id', id, 'alerts ack <id>');
    const a = await ctx.client.request<AlertJson>('POST', `api/alerts/${n}/ack`);
    if (ctx.json) printJson(ctx, a);
    else ctx.out(`alert ${n} acknowledged`);
    return 0;
  }
  throw new UsageError(`alerts: unknown subcommand "${sub}"; use "alerts list" or "alerts ack <id>"`);
}

export async function rulesCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', id] = ctx.args.positionals;
  if (sub === 'list') {
    const { items } = await ctx.client.list<AlertRuleJson>('api/alert-rules');
    if (ctx.json) printJson(ctx, items);
    else
      ctx.out(
        renderTable(
          ['id', 'name', 'on', 'min', 'channels', 'events'],
          items.map((r) => [
            r.id,
            r.name,
            yesNo(r.enabled),
            r.min_severity,
            r.channels.join(','),
            r.events.join(','),
          ]),
          { width: ctx.width, colour: ctx.colour, shrink: ['name', 'events', 'channels'], right: ['id'] },
        ),
      );
    return 0;
  }
  if (sub === 'enable' || sub === 'disable') {
    const n = positiveInt('rule id', id, `rules ${sub} <id>`);
    const r = await ctx.client.request<AlertRuleJson>('PATCH', `api/alert-rules/${n}`, {
      enabled: sub === 'enable',
    });
    if (ctx.json) printJson(ctx, r);
    else ctx.out(`rule ${n} "${r.name}" ${sub}d`);
    return 0;
  }
  throw new UsageError(
    `rules: unknown subcommand "${sub}"; use "rules list", "rules enable <id>" or "rules disable <id>"`,
  );
}

export async function webhooksCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', id] = ctx.args.positionals;
  if (sub === 'list') {
    const { items } = await ctx.client.list<WebhookJson>('api/webhooks');
    if (ctx.json) printJson(ctx, items);
    else
      ctx.out(
        items.length
          ? renderTable(
              ['id', 'name', 'on', 'url', 'signed', 'last'],
              items.map((w) => [w.id, w.name, yesNo(w.enabled), w.url, yesNo(w.has_secret), w.last_status]),
              { width: ctx.width, colour: ctx.colour, shrink: ['name', 'url'], right: ['id'] },
            )
          : 'no webhooks (add them in the web UI: Alerts → Webhooks)',
      );
    return 0;
  }
  if (sub === 'test') {
    const n = positiveInt('webhook id', id, 'webhooks test <id>');
    const d = await ctx.client.request<DeliveryJson>('POST', `api/webhooks/${n}/test`);
    if (ctx.json) printJson(ctx, d);
    else
      ctx.out(
        d.status === 'ok'
          ? `webhook ${n}: delivered (HTTP ${d.http_status ?? '?'})`
          : `webhook ${n}: ${d.status}${d.http_status ? ` (HTTP ${d.http_status})` : ''}${d.error ? `: ${d.error}` : ''}`,
      );
    return d.status === 'ok' ? 0 : EXIT.failed;
  }
  throw new UsageError(`webhooks: unknown subcommand "${sub}"; use "webhooks list" or "webhooks test <id>"`);
}

export async function keysCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', arg] = ctx.args.positionals;
  if (sub === 'create') {
    if (!arg) throw new UsageError('keys create needs a name: keys create <name> [--scope read|admin]');
    const scope = oneOf('scope', flag(ctx, 'scope'), KEY_SCOPES) ?? 'read';
    const k = await ctx.client.request<ApiKeyCreatedJson>('POST', 'api/keys', { name: arg, scope });
    if (ctx.json)
      ctx.out(JSON.stringify({ id: k.id, name: k.name, scope: k.scope, prefix: k.prefix, secret: k.secret }));
    else ctx.out(`created key ${k.id} "${k.name}" (${k.scope}); the secret is shown once:\n${k.secret}`);
    return 0;
  }
  if (sub === 'list') {
    const all = ctx.args.flags.all === true;
    const { items } = await ctx.client.list<ApiKeyJson>(`api/keys${all ? '?include_revoked=true' : ''}`);
    if (ctx.json) printJson(ctx, items);
    else
      ctx.out(
        items.length
          ? renderTable(
              ['id', 'name', 'scope', 'prefix', 'created', 'last used', 'revoked'],
              items.map((k) => [
                k.id,
                k.name,
                k.scope,
                k.prefix,
                shortTime(k.created_at),
                shortTime(k.last_used_at),
                shortTime(k.revoked_at),
              ]),
              { width: ctx.width, colour: ctx.colour, shrink: ['name'], right: ['id'] },
            )
          : 'no API keys (create one: lan-sentinel keys create <name> --scope read)',
      );
    return 0;
  }
  if (sub === 'revoke') {
    const n = positiveInt('key id', arg, 'keys revoke <id>');
    const k = await ctx.client.request<ApiKeyJson>('DELETE', `api/keys/${n}`);
    if (ctx.json) printJson(ctx, k);
    else ctx.out(`revoked key ${k.id} "${k.name}"`);
    return 0;
  }
  throw new UsageError(
    'keys: use "keys create <name> [--scope read|admin]", "keys list [--all]" or "keys revoke <id>"',
  );
}

/** `cve import <file>`: the file is read here and sent to the service (local or remote), which applies it. */
export async function cveCommand(ctx: Ctx): Promise<number> {
  const [sub, file] = ctx.args.positionals;
  if (sub !== 'import' || !file)
    throw new UsageError(
      'usage: cve import <file> (an NVD CVE 2.0 JSON feed, the CISA KEV JSON or a rules file; plain or .gz)',
    );
  let bytes: Buffer;
  try {
    bytes = await readFeedFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof FeedError) throw new CliError(e.message, EXIT.usage);
    throw new CliError(`cannot read ${file}: ${e.code ?? e.message}`, EXIT.usage);
  }
  const r = await ctx.client.request<CveImportJson>('POST', 'api/cve/import', bytes);
  if (ctx.json) {
    printJson(ctx, r);
    return 0;
  }
  const head = `Imported ${feedKind(r.format)} from ${file}: ${r.added} added, ${r.updated} updated, ${r.skipped} skipped.`;
  const where = ctx.client.remote ? ` in ${ctx.client.transport.where}` : '';
  const tail =
    r.applied === 'now'
      ? `${r.rules_active} CVE rules are now active${where}${r.reassessed ? ` (${r.reassessed} devices re-assessed)` : ''}.`
      : r.applied === 'at_start'
        ? `${r.rules_active} CVE rules are stored; no service runs on this data dir, it applies them when it starts.`
        : `Stored, but the running service (pid ${r.service_pid}) has not confirmed it yet: it checks every 2 s; see its log.`;
  ctx.out(wrapText(`${head} ${tail}`, ctx.width));
  if (r.notes.length) ctx.out(wrapText(`Notes: ${r.notes.join('; ')}`, ctx.width));
  return r.applied === 'pending' ? EXIT.unavailable : 0;
}
