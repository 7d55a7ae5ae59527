/**
 * `api/schedules`: named scheduled scans (cron, kind, profile, targets). The `port_scan_schedule` option is
 * the default schedule: listed first with id 0 and `default: true`, read-only here (it is an option).
 */
import { z } from 'zod';
import { IP_OR_CIDR, PORT_PROFILES, validCron } from '../../config/options.js';
import { nextCronRun } from '../../service/cron.js';
import { type Schedule, ScheduleNameTaken } from '../../store/schedulesRepo.js';
import { withoutControl } from '../../util/textSchema.js';
import { auditChange } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import type { RouteRegistry } from '../route.js';
import { errorSchema, SCAN_KINDS } from '../schemas.js';

export const scheduleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  cron: z.string(),
  kind: z.enum(SCAN_KINDS),
  /** null = the port_profile option */
  profile: z.enum(PORT_PROFILES).nullable(),
  targets: z.array(z.string()),
  enabled: z.boolean(),
  /** the port_scan_schedule option (read-only through the API) */
  default: z.boolean(),
  next_run: z.string().nullable(),
  last_run_at: z.string().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type ScheduleJson = z.infer<typeof scheduleSchema>;
export const scheduleListSchema = z.object({
  items: z.array(scheduleSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

const cronField = z
  .string()
  .trim()
  .refine((s) => s !== '' && s !== 'off' && validCron(s), {
    message: 'must be a five-field cron expression such as "0 3 * * *" (minute hour day month weekday)',
  });
const targetsField = z
  .array(
    z
      .string()
      .trim()
      .regex(IP_OR_CIDR, { message: 'must be an IPv4 address or CIDR such as 192.168.1.0/24' }),
  )
  .max(64);
const fields = {
  name: withoutControl(
    z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(64, { message: 'must be at most 64 characters' }),
  ),
  cron: cronField,
  kind: z.enum(SCAN_KINDS),
  profile: z.enum(PORT_PROFILES).nullable(),
  targets: targetsField,
  enabled: z.boolean(),
};
export const scheduleCreateSchema = z
  .object({
    name: fields.name,
    cron: fields.cron,
    kind: fields.kind.default('ports'),
    profile: fields.profile.default(null),
    targets: fields.targets.default([]),
    enabled: fields.enabled.default(true),
  })
  .strict();
export type ScheduleCreate = z.infer<typeof scheduleCreateSchema>;
export const schedulePatchSchema = z
  .object({
    name: fields.name.optional(),
    cron: fields.cron.optional(),
    kind: fields.kind.optional(),
    profile: fields.profile.optional(),
    targets: fields.targets.optional(),
    enabled: fields.enabled.optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).length > 0, {
    message: 'give at least one of name, cron, kind, profile, targets, enabled',
  });
/** 0 is the default schedule */
const scheduleIdParams = z
  .object({
    id: z.coerce
      .number({ message: 'must be a schedule id such as 3' })
      .int({ message: 'must be a schedule id such as 3' })
      .min(0, { message: 'must be a schedule id such as 3' }),
  })
  .strict();

export function scheduleJson(s: Schedule, now: Date): ScheduleJson {
  return {
    id: s.id,
    name: s.name,
    cron: s.cron,
    kind: s.kind,
    profile: s.profile,
    targets: s.targets,
    enabled: s.enabled,
    default: false,
    next_run: s.enabled ? (nextCronRun(s.cron, now)?.toISOString() ?? null) : null,
    last_run_at: s.lastRunAt,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/** The `port_scan_schedule` option as schedule 0. */
export function defaultScheduleJson(cron: string, now: Date): ScheduleJson {
  const on = cron !== '' && cron !== 'off';
  return {
    id: 0,
    name: 'default',
    cron: on ? cron : 'off',
    kind: 'ports',
    profile: null,
    targets: [],
    enabled: on,
    default: true,
    next_run: on ? (nextCronRun(cron, now)?.toISOString() ?? null) : null,
    last_run_at: null,
    created_at: null,
    updated_at: null,
  };
}

function checkShape(s: { kind: string; profile: string | null }): void {
  if (s.kind === 'sweep' && s.profile !== null)
    throw new ApiError(
      400,
      'bad_request',
      'invalid body: profile is for port scans; a sweep has no port profile',
    );
}

const readOnlyDefault = () =>
  new ApiError(
    409,
    'conflict',
    'schedule 0 is the port_scan_schedule option: change the option (add-on configuration, --port-scan-schedule or LAN_SENTINEL_PORT_SCAN_SCHEDULE) and restart',
  );

export function scheduleRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const tag = 'schedules';
  const port = () => {
    if (!deps.schedules) throw new ApiError(503, 'unavailable', 'schedules are not available in this build');
    return deps.schedules;
  };
  const now = () => deps.clock.now();
  const taken = (name: string) =>
    new ApiError(409, 'conflict', `a schedule named "${name}" exists already; choose another name`);

  r.add({
    method: 'GET',
    url: '/api/schedules',
    tag,
    summary: 'Scan schedules: the default (port_scan_schedule option, id 0) first, then the named ones',
    responses: { 200: scheduleListSchema },
    handler: () => {
      const p = port();
      const items = [
        defaultScheduleJson(p.defaultCron(), now()),
        ...p.repo.list().map((s) => scheduleJson(s, now())),
      ];
      return { items, total: items.length, limit: items.length, offset: 0 };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/schedules/:id',
    tag,
    summary: 'One schedule',
    params: scheduleIdParams,
    responses: { 200: scheduleSchema, 400: errorSchema, 404: errorSchema },
    handler: ({ params }) => {
      const p = port();
      if (params.id === 0) return defaultScheduleJson(p.defaultCron(), now());
      const s = p.repo.get(params.id);
      if (!s) throw notFound(`schedule ${params.id}`);
      return scheduleJson(s, now());
    },
  });
  r.add({
    method: 'POST',
    url: '/api/schedules',
    tag,
    summary: 'Add a named schedule',
    body: scheduleCreateSchema,
    responses: { 201: scheduleSchema, 400: errorSchema, 409: errorSchema },
    handler: ({ body }, request, reply) => {
      const p = port();
      checkShape(body);
      if (body.name.toLowerCase() === 'default') throw taken('default');
      let s: Schedule;
      try {
        s = p.repo.create(body);
      } catch (err) {
        if (err instanceof ScheduleNameTaken) throw taken(body.name);
        throw err;
      }
      auditChange(deps, request, 'schedule.create', `schedule:${s.id}`, { name: s.name, cron: s.cron });
      p.changed();
      reply.code(201);
      return scheduleJson(s, now());
    },
  });
  r.add({
    method: 'PATCH',
    url: '/api/schedules/:id',
    tag,
    summary: 'Change a named schedule',
    params: scheduleIdParams,
    body: schedulePatchSchema,
    responses: { 200: scheduleSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
    handler: ({ params, body }, request) => {
      const p = port();
      if (params.id === 0) throw readOnlyDefault();
      const cur = p.repo.get(params.id);
      if (!cur) throw notFound(`schedule ${params.id}`);
      checkShape({ ...cur, ...body });
      if (body.name?.toLowerCase() === 'default') throw taken('default');
      let s: Schedule | null;
      try {
        s = p.repo.update(params.id, body);
      } catch (err) {
        if (err instanceof ScheduleNameTaken) throw taken(body.name ?? cur.name);
        throw err;
      }
      if (!s) throw notFound(`schedule ${params.id}`);
      auditChange(deps, request, 'schedule.update', `schedule:${s.id}`, body);
      p.changed();
      return scheduleJson(s, now());
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/schedules/:id',
    tag,
    summary: 'Remove a named schedule',
    params: scheduleIdParams,
    responses: {
      200: z.object({ id: z.number().int(), deleted: z.literal(true) }),
      404: errorSchema,
      409: errorSchema,
    },
    handler: ({ params }, request) => {
      const p = port();
      if (params.id === 0) throw readOnlyDefault();
      if (!p.repo.delete(params.id)) throw notFound(`schedule ${params.id}`);
      auditChange(deps, request, 'schedule.delete', `schedule:${params.id}`);
      p.changed();
      return { id: params.id, deleted: true as const };
    },
  });
}
