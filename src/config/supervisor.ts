import { z } from 'zod';

/**
 * The Supervisor REST API as an add-on sees it (ha-reference §2.8): `http://supervisor` with
 * `Authorization: Bearer $SUPERVISOR_TOKEN`, responses wrapped as {result, data} / {result, message}.
 */
export const DEFAULT_SUPERVISOR_URL = 'http://supervisor';

const envelope = z.union([
  z.object({ result: z.literal('ok'), data: z.unknown() }),
  z.object({ result: z.literal('error'), message: z.string().optional() }),
]);

export const mqttServiceSchema = z.object({
  host: z.string().min(1),
  // docs show a string, the validator produces an int: accept both
  port: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform((p) => Number(p)),
  ssl: z.boolean().optional().default(false),
  protocol: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  addon: z.string().optional(),
  app: z.string().optional(),
});
export type MqttService = z.infer<typeof mqttServiceSchema>;

export const selfInfoSchema = z
  .object({
    slug: z.string().optional(),
    version: z.string().optional(),
    ingress_port: z.number().int().min(1).max(65535),
    ingress_entry: z.string().optional(),
    ingress_url: z.string().optional(),
    ip_address: z.string().optional(),
    hostname: z.string().optional(),
  })
  .passthrough();
export type SelfInfo = z.infer<typeof selfInfoSchema>;

export class SupervisorError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SupervisorError';
  }
}

export class SupervisorClient {
  constructor(
    private readonly token: string,
    private readonly baseUrl: string = DEFAULT_SUPERVISOR_URL,
    private readonly timeoutMs = 10_000,
  ) {}

  private async get(path: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        headers: { Authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SupervisorError(`Supervisor ${path} unreachable: ${(err as Error).message}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new SupervisorError(`Supervisor ${path} answered ${res.status} without JSON`, res.status);
    }
    const env = envelope.safeParse(body);
    if (!env.success) throw new SupervisorError(`Supervisor ${path} answered an unexpected body`, res.status);
    if (env.data.result === 'error' || !res.ok) {
      const msg = env.data.result === 'error' ? (env.data.message ?? 'error') : `HTTP ${res.status}`;
      throw new SupervisorError(`Supervisor ${path}: ${msg}`, res.status);
    }
    return env.data.data;
  }

  /** MQTT credentials from the broker app, or null when no broker provides the service. */
  async mqttService(): Promise<MqttService | null> {
    try {
      const data = await this.get('/services/mqtt');
      const parsed = mqttServiceSchema.safeParse(data);
      if (!parsed.success)
        throw new SupervisorError(
          `Supervisor /services/mqtt: unexpected data (${parsed.error.issues[0]?.message})`,
        );
      return parsed.data;
    } catch (err) {
      if (err instanceof SupervisorError && (err.status === 400 || err.status === 404)) return null;
      throw err;
    }
  }

  /**
   * Core's version: the Supervisor's `/info` (`homeassistant`, allowed for every add-on), else `/core/info`
   * (`version`, needs `hassio_api`); null when neither says.
   */
  async coreVersion(): Promise<string | null> {
    const pick = (d: unknown, key: string) => {
      const v = (d as Record<string, unknown> | null)?.[key];
      return typeof v === 'string' && /^\d{4}\.\d/.test(v) ? v : null;
    };
    try {
      const v = pick(await this.get('/info'), 'homeassistant');
      if (v) return v;
    } catch {
      // fall through to /core/info
    }
    return pick(await this.get('/core/info'), 'version');
  }

  async selfInfo(): Promise<SelfInfo> {
    const data = await this.get('/addons/self/info');
    const parsed = selfInfoSchema.safeParse(data);
    if (!parsed.success) {
      throw new SupervisorError(
        `Supervisor /addons/self/info: unexpected data (${parsed.error.issues[0]?.message})`,
      );
    }
    return parsed.data;
  }
}
