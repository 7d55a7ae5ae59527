/**
 * Device kind icons for the ingress UI and the card: the same Material Design icons HA shows (the server
 * names them `mdi:<name>`), as inline SVG paths from @mdi/js (named imports: only these ~20 paths are
 * bundled). Labels come from the server's kind vocabulary.
 */
import {
  mdiAccessPoint,
  mdiCast,
  mdiCctv,
  mdiCellphone,
  mdiChip,
  mdiDesktopTowerMonitor,
  mdiGamepadVariant,
  mdiHelpNetworkOutline,
  mdiHomeAutomation,
  mdiLightbulb,
  mdiNas,
  mdiPhoneVoip,
  mdiPowerPlug,
  mdiPrinter,
  mdiRouterWireless,
  mdiServer,
  mdiSpeaker,
  mdiSwitch,
  mdiTablet,
  mdiTelevision,
  mdiThermostat,
} from '@mdi/js';
import { html, svg } from 'lit';
import { DEVICE_KINDS, type DeviceKind, KIND_INFO } from '../../../src/inventory/kinds.js';

export { DEVICE_KINDS, type DeviceKind, KIND_INFO };

export const KIND_PATHS: Record<DeviceKind, string> = {
  router: mdiRouterWireless,
  access_point: mdiAccessPoint,
  switch: mdiSwitch,
  nas: mdiNas,
  server: mdiServer,
  computer: mdiDesktopTowerMonitor,
  phone: mdiCellphone,
  tablet: mdiTablet,
  tv: mdiTelevision,
  streamer: mdiCast,
  speaker: mdiSpeaker,
  camera: mdiCctv,
  printer: mdiPrinter,
  console: mdiGamepadVariant,
  hub: mdiHomeAutomation,
  iot: mdiChip,
  light: mdiLightbulb,
  plug: mdiPowerPlug,
  thermostat: mdiThermostat,
  voip: mdiPhoneVoip,
};
export const UNKNOWN_PATH = mdiHelpNetworkOutline;

export function isKind(v: unknown): v is DeviceKind {
  return typeof v === 'string' && (DEVICE_KINDS as readonly string[]).includes(v);
}

export function kindLabel(kind: string | null | undefined): string {
  return isKind(kind) ? KIND_INFO[kind].label : 'Unknown kind';
}

/** The SVG path of a kind (unknown → a question-mark network icon). */
export function kindPath(kind: string | null | undefined): string {
  return isKind(kind) ? KIND_PATHS[kind] : UNKNOWN_PATH;
}

/**
 * The kind's icon as an inline SVG (`currentColor`), with the label as its accessible name and tooltip.
 * `confidence` below 60 is shown as a lighter icon ("probably").
 */
export function kindIcon(kind: string | null | undefined, size = 20, confidence = 100) {
  const label = isKind(kind)
    ? `${kindLabel(kind)}${confidence < 100 ? ` (${confidence}% sure)` : ''}`
    : 'Unknown kind';
  return html`<svg
    class="kind-icon ${confidence < 60 ? 'unsure' : ''}"
    viewBox="0 0 24 24"
    width=${size}
    height=${size}
    role="img"
    aria-label=${label}
    data-kind=${isKind(kind) ? kind : 'unknown'}
  ><title>${label}</title>${svg`<path d=${kindPath(kind)} fill="currentColor"></path>`}</svg>`;
}
