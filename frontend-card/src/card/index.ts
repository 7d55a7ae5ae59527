/** Entry of the Lovelace card bundle: define the element once and list it in the card picker. */
import { CARD_TAG } from './config.js';
import { LanSentinelCard } from './lan-sentinel-card.js';

interface CustomCardEntry {
  type: string;
  name: string;
  description?: string;
  preview?: boolean;
  documentationURL?: string;
}

declare global {
  interface Window {
    customCards?: CustomCardEntry[];
  }
}

if (!customElements.get(CARD_TAG)) {
  customElements.define(CARD_TAG, LanSentinelCard);
  window.customCards = window.customCards ?? [];
  if (!window.customCards.some((c) => c.type === CARD_TAG)) {
    window.customCards.push({
      type: CARD_TAG,
      name: 'LAN Sentinel',
      description: 'Devices on your network: who is online, what is new and what looks risky.',
      preview: true,
      documentationURL: 'https://github.com/lan-sentinel/lan-sentinel#lovelace-card',
    });
  }
}
