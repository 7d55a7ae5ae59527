import type { SseScanJson } from '../api/schemas.js';
import type { ParsedArgs } from './args.js';
import { UsageError } from './args.js';
import type { ApiClient } from './client.js';

/** What a command gets: the API client, the parsed command line and the output streams. */
export interface Ctx {
  client: ApiClient;
  args: ParsedArgs;
  json: boolean;
  now: Date;
  /** width human tables must fit */
  width: number;
  /** human output may be painted with ANSI colour (stdout is a terminal that shows it; see colour.ts) */
  colour: boolean;
  out(s: string): void;
  err(s: string): void;
  stderr: { write(s: string): void; isTTY?: boolean; columns?: number };
  /** scan events of the instance (SSE remotely, the bus locally) */
  scanEvents(cb: (e: SseScanJson) => void): () => void;
}

/** What a table needs of the context: its width, and whether it may be coloured. */
export type TableCtx = Pick<Ctx, 'width'> & Partial<Pick<Ctx, 'colour'>>;

export function flag(ctx: Ctx, name: string): string | undefined {
  const v = ctx.args.flags[name];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return typeof v === 'string' ? v : undefined;
}

export function oneOf<T extends string>(
  name: string,
  v: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}`);
  return v as T;
}

export function positiveInt(what: string, v: string | undefined, usage: string): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(
      `${what} must be a positive number${v !== undefined ? `; got ${JSON.stringify(v)}` : ''} (${usage})`,
    );
  return Number(v);
}

export function printJson(ctx: Ctx, v: unknown): void {
  ctx.out(JSON.stringify(v, null, 2));
}
