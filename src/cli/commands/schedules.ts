/** `schedules` (list, add, update, remove, enable, disable): named cron scans through `api/schedules`. */
import type { ScheduleJson } from '../../api/routes/schedules.js';
import { SCAN_KINDS } from '../../api/schemas.js';
import { PORT_PROFILES } from '../../config/options.js';
import { UsageError } from '../args.js';
import { type Ctx, flag, oneOf, positiveInt, printJson, type TableCtx } from '../context.js';
import { shortTime } from '../format.js';
import { renderTable } from '../table.js';

function bodyFromFlags(ctx: Ctx): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const name = flag(ctx, 'name');
  const cron = flag(ctx, 'cron');
  const kind = oneOf('kind', flag(ctx, 'kind'), SCAN_KINDS);
  const profile = flag(ctx, 'profile');
  const targets = flag(ctx, 'targets');
  const enabled = flag(ctx, 'enabled');
  if (name !== undefined) body.name = name;
  if (cron !== undefined) body.cron = cron;
  if (kind !== undefined) body.kind = kind;
  if (profile !== undefined)
    body.profile = profile === 'default' ? null : oneOf('profile', profile, [...PORT_PROFILES]);
  if (targets !== undefined)
    body.targets = targets
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  if (enabled !== undefined) {
    if (enabled !== 'true' && enabled !== 'false')
      throw new UsageError(`--enabled must be true or false; got ${JSON.stringify(enabled)}`);
    body.enabled = enabled === 'true';
  }
  return body;
}

export function scheduleTable(items: ScheduleJson[], ctx: TableCtx): string {
  return renderTable(
    ['id', 'name', 'cron', 'kind', 'profile', 'targets', 'on', 'next run'],
    items.map((s) => [
      s.id,
      s.default ? 'default (port_scan_schedule)' : s.name,
      s.cron,
      s.kind,
      s.profile ?? 'option',
      s.targets.length ? s.targets.join(',') : 'all',
      s.enabled ? 'yes' : 'no',
      shortTime(s.next_run),
    ]),
    { width: ctx.width, colour: ctx.colour, shrink: ['name', 'targets'], right: ['id'] },
  );
}

export async function schedulesCommand(ctx: Ctx): Promise<number> {
  const [sub = 'list', arg] = ctx.args.positionals;
  const say = (s: ScheduleJson, verb: string) => {
    if (ctx.json) printJson(ctx, s);
    else
      ctx.out(
        `${verb} schedule ${s.id} "${s.name}": ${s.kind} "${s.cron}"${s.enabled ? `, next ${shortTime(s.next_run)}` : ' (disabled)'}`,
      );
  };
  switch (sub) {
    case 'list': {
      const { items } = await ctx.client.get<{ items: ScheduleJson[] }>('api/schedules');
      if (ctx.json) printJson(ctx, items);
      else ctx.out(scheduleTable(items, ctx));
      return 0;
    }
    case 'add': {
      if (!arg)
        throw new UsageError(
          'schedules add <name> --cron "0 3 * * *" [--kind ports|sweep] [--profile P] [--targets T]',
        );
      const body: Record<string, unknown> = { ...bodyFromFlags(ctx), name: arg };
      if (body.cron === undefined)
        throw new UsageError('schedules add needs --cron, for example --cron "30 2 * * 0"');
      say(await ctx.client.request<ScheduleJson>('POST', 'api/schedules', body), 'added');
      return 0;
    }
    case 'update': {
      const id = positiveInt('schedule id', arg, 'schedules update <id> --cron …');
      const body = bodyFromFlags(ctx);
      if (Object.keys(body).length === 0)
        throw new UsageError(
          'schedules update needs at least one of --name, --cron, --kind, --profile, --targets, --enabled',
        );
      say(await ctx.client.request<ScheduleJson>('PATCH', `api/schedules/${id}`, body), 'updated');
      return 0;
    }
    case 'enable':
    case 'disable': {
      const id = positiveInt('schedule id', arg, `schedules ${sub} <id>`);
      say(
        await ctx.client.request<ScheduleJson>('PATCH', `api/schedules/${id}`, { enabled: sub === 'enable' }),
        `${sub}d`,
      );
      return 0;
    }
    case 'remove': {
      const id = positiveInt('schedule id', arg, 'schedules remove <id>');
      const r = await ctx.client.request('DELETE', `api/schedules/${id}`);
      if (ctx.json) printJson(ctx, r);
      else ctx.out(`removed schedule ${id}`);
      return 0;
    }
    default:
      throw new UsageError(
        `schedules: unknown subcommand "${sub}"; use list, add, update, enable, disable or remove`,
      );
  }
}
