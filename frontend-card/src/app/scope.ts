import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { api } from './api.js';
import { apiKey } from './credentials.js';
import type { HealthJson } from './types.js';

type Scope = HealthJson['auth']['scope'];

/** The caller's scope as the API says (`api/health` → auth), asked once per credential. */
let asked: { key: string | null; scope: Promise<Scope> } | null = null;

export function callerScope(): Promise<Scope> {
  const key = apiKey();
  if (!asked || asked.key !== key) {
    const scope = api
      .get<HealthJson>('health')
      .then((h) => h.auth.scope)
      .catch(() => {
        asked = null; // ask again next time
        return 'read' as const;
      });
    asked = { key, scope };
  }
  return asked.scope;
}

/**
 * Whether the signed-in caller may change things (scope admin: ingress, the login-link session, admin keys).
 * A read-scoped key sees no control it could not use; `admin` stays false until the API said so.
 */
export class AdminScope implements ReactiveController {
  admin = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    void callerScope().then((s) => {
      if (this.admin === (s === 'admin')) return;
      this.admin = s === 'admin';
      this.host.requestUpdate();
    });
  }
}
