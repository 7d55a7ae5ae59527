/** The subset of Home Assistant's frontend `hass` object the card reads (states only). */
export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed?: string;
  last_updated?: string;
}

export interface HomeAssistant {
  states: Record<string, HassEntity>;
  locale?: { language?: string };
  language?: string;
  themes?: { darkMode?: boolean };
}

export interface LovelaceCardConfig {
  type: string;
  [key: string]: unknown;
}
