/**
 * Home Assistant notifications. Targets are notify services ("notify.mobile_app_pixel_8", legacy services
 * carry `data` with actionable buttons) or notify entities ("notify.pixel_8", sent with `notify.send_message`
 * and an entity target, text only). A target that HA answers with `not_found` as a service is retried as an
 * entity, so users can list either kind.
 */
import type { HaLink } from '../ha/link.js';
import { mac12 } from '../inventory/types.js';
import { escapeMarkdown } from '../util/text.js';

export const TRUST_ACTION_PREFIX = 'LAN_SENTINEL_TRUST_';
export const NOTIFICATION_ACTION_EVENT = 'mobile_app_notification_action';

export interface HaNotification {
  title: string;
  message: string;
  /** replace-in-place tag */
  tag: string;
  mac: string | null;
  /** offer the Trust button (new devices) */
  trustAction: boolean;
  /** absolute or ingress-relative URL of the device page */
  url?: string;
}

export function trustActionId(mac: string): string {
  return `${TRUST_ACTION_PREFIX}${mac12(mac)}`;
}

/** LAN_SENTINEL_TRUST_aabbccddeeff → aa:bb:cc:dd:ee:ff, or null for anything else. */
export function macFromTrustAction(action: unknown): string | null {
  if (typeof action !== 'string') return null;
  const m = /^LAN_SENTINEL_TRUST_([0-9a-f]{12})$/i.exec(action);
  if (!m?.[1]) return null;
  return (m[1].toLowerCase().match(/../g) as string[]).join(':');
}

/** The `data` block for a mobile_app notify service. */
export function mobileData(n: HaNotification): Record<string, unknown> {
  const actions: Record<string, unknown>[] = [];
  if (n.trustAction && n.mac) actions.push({ action: trustActionId(n.mac), title: 'Trust' });
  if (n.url) actions.push({ action: 'URI', title: 'Open', uri: n.url });
  return {
    tag: n.tag,
    group: 'lan-sentinel',
    ...(n.url ? { url: n.url, clickAction: n.url } : {}),
    ...(actions.length ? { actions } : {}),
  };
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e?.code === 'not_found' || /not[_ ]found/i.test(String(e?.message ?? ''));
}

/** Send to one target. Resolves when HA accepted it; rejects with HA's error. */
export async function sendHaNotification(ha: HaLink, target: string, n: HaNotification): Promise<void> {
  const name = target.replace(/^notify\./, '');
  // HA shows the message as Markdown (persistent notifications, the companion apps): names, hostnames and
  // banners inside it are network text and must show literally
  const title = escapeMarkdown(n.title);
  const message = escapeMarkdown(n.message);
  try {
    await ha.callService('notify', name, { title, message, data: mobileData(n) });
  } catch (err) {
    if (name.startsWith('mobile_app_') || !isNotFound(err)) throw err;
    // not a legacy service: a notify entity (HA ≥ 2024.5); send_message takes no data, so no buttons
    await ha.callService('notify', 'send_message', { title, message }, { entity_id: `notify.${name}` });
  }
}
