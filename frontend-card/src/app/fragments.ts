import { html, nothing, type TemplateResult } from 'lit';
import { CHANGE_TONES, isChangeType } from '../../../src/vocabulary.js';
import { changeLabel, formatTime, timeAgo } from './format.js';
import { deviceHref } from './router.js';
import type { ChangeJson, DeviceJson, List } from './types.js';
import './components/ls-badge.js';

/** Template fragments shared by several pages. All text goes through Lit bindings (escaped). */

export function changeTag(type: string): TemplateResult {
  return html`<span class="tag ${isChangeType(type) ? CHANGE_TONES[type] : ''}">${changeLabel(type)}</span>`;
}

/** Risk level / severity as a plain span (text + colour). */
export function levelBadge(level: string, label = 'risk'): TemplateResult {
  // never port-scanned: the risk was not measured yet (never shown as "none")
  if (level === 'unknown')
    return html`<span class="badge unknown" title="${label}: not scanned yet — no port scan has finished for this device"
      >not scanned yet</span
    >`;
  return html`<span class="badge ${level}" title="${label}: ${level}">${level}</span>`;
}

export function onlineTag(online: boolean): TemplateResult {
  return online
    ? html`<span class="tag ok" title="seen in the last sweep">● online</span>`
    : html`<span class="tag" title="not seen recently">○ offline</span>`;
}

export function deviceLink(mac: string | null, label: string | null): TemplateResult | string {
  if (!mac) return label ?? '—';
  return html`<a href=${deviceHref(mac)}>${label || mac}</a>`;
}

/** A list of changes, newest first. */
export function changeList(
  changes: ChangeJson[],
  opts: { showDevice?: boolean; clamp?: boolean } = {},
): TemplateResult {
  const showDevice = opts.showDevice ?? true;
  return html`<ul class="list changes">
    ${changes.map(
      (c) => html`<li class="change">
        ${changeTag(c.type)}
        <span class="who">${showDevice && c.mac ? deviceLink(c.mac, c.name || c.vendor || c.mac) : nothing}</span>
        <time class="muted nowrap" datetime=${c.time} title=${formatTime(c.time)}>${timeAgo(c.time)}</time>
        <span class=${opts.clamp ? 'msg clamp' : 'msg'} title=${opts.clamp ? c.message : nothing}>${c.message}</span>
      </li>`,
    )}
  </ul>`;
}

/** Small flags next to a device name: new, randomized, watched, ignored. */
export function deviceFlags(
  d: Pick<DeviceJson, 'is_new' | 'randomized' | 'watched' | 'ignored' | 'known'> &
    Partial<Pick<DeviceJson, 'identified_by'>>,
) {
  return html`${d.is_new ? html`<span class="tag warn">new</span>` : nothing}
  ${
    d.identified_by === 'ip'
      ? html`<span class="tag info by-ip" title="Identified by IP: a host on a routed subnet whose MAC cannot be learned. If its address changes it shows up as another device; it becomes its MAC's device once the MAC is learned"
        >by IP</span
      >`
      : nothing
  }
  ${
    d.randomized
      ? html`<span class="tag info" title="Private/randomized MAC: the device invents its address, so it has no vendor and may reappear as new"
        >private MAC</span
      >`
      : nothing
  }
  ${d.watched ? html`<span class="tag info">watched</span>` : nothing}
  ${d.ignored ? html`<span class="tag">ignored</span>` : nothing}`;
}

/**
 * The pager under a list (class `pager`, styled by `toolbarStyles`): "21–40 of 97", `extra` (e.g. a rows-per-page
 * select), then the two buttons, which call `go` with the offset of the page before or after. `newestFirst`
 * lists read "← Newer / Older →".
 */
export function pager(
  list: Pick<List<unknown>, 'offset' | 'total' | 'items'>,
  pageSize: number,
  go: (offset: number) => void,
  opts: { newestFirst?: boolean; extra?: TemplateResult } = {},
): TemplateResult {
  const to = list.offset + list.items.length;
  return html`<div class="pager">
    <span class="muted">${list.offset + 1}–${to} of ${list.total}</span>
    <span class="spacer"></span>
    ${opts.extra ?? nothing}
    <button ?disabled=${list.offset === 0} @click=${() => go(Math.max(0, list.offset - pageSize))}>
      ${opts.newestFirst ? '← Newer' : '← Previous'}
    </button>
    <button ?disabled=${to >= list.total} @click=${() => go(list.offset + pageSize)}>
      ${opts.newestFirst ? 'Older →' : 'Next →'}
    </button>
  </div>`;
}
