/** The subset of Home Assistant's frontend `hass` object the card reads (states only). */
export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed?: string;
  last_updated?: string;
}

/** Device registry entry as the frontend keeps it in `hass.devices` (the fields the card reads). */
export interface HassDevice {
  id?: string;
  identifiers?: Array<[string, string]>;
  configuration_url?: string | null;
}

export interface HomeAssistant {
  states: Record<string, HassEntity>;
  /** device registry (Core ≥ 2023.x frontends); the hub device's configuration_url is the panel link */
  devices?: Record<string, HassDevice>;
  locale?: { language?: string };
  language?: string;
  themes?: { darkMode?: boolean };
}

export interface LovelaceCardConfig {
  type: string;
  [key: string]: unknown;
}
