import { css } from 'lit';

export const cardStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    --lsn-gap: 12px;
    --lsn-radius: var(--ha-card-border-radius, 12px);
    --lsn-muted: var(--secondary-text-color, #6b6b6b);
    --lsn-divider: var(--divider-color, rgba(127, 127, 127, 0.2));
    --lsn-surface: var(--secondary-background-color, rgba(127, 127, 127, 0.08));
    --lsn-accent: var(--primary-color, #03a9f4);
  }
  ha-card,
  .card {
    display: flex;
    flex-direction: column;
    height: 100%;
    box-sizing: border-box;
    overflow: hidden;
    color: var(--primary-text-color, #212121);
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--lsn-radius);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, system-ui, sans-serif));
  }
  header {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 16px 16px 8px;
  }
  .title {
    flex: 1;
    min-width: 0;
    font-size: var(--ha-card-header-font-size, 1.25rem);
    font-weight: 500;
    line-height: 1.4;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .open {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 6px 12px;
    border-radius: 18px;
    border: 1px solid color-mix(in srgb, var(--lsn-accent) 45%, transparent);
    background: transparent;
    color: var(--lsn-accent);
    font: inherit;
    font-size: 0.85rem;
    font-weight: 500;
    cursor: pointer;
  }
  .open:hover,
  .open:focus-visible {
    background: color-mix(in srgb, var(--lsn-accent) 12%, transparent);
    outline: none;
  }
  .warning {
    margin: 0 16px 8px;
    padding: 8px 12px;
    border-radius: 8px;
    font-size: 0.85rem;
    color: var(--primary-text-color, #212121);
    background: color-mix(in srgb, var(--warning-color, #f59e0b) 16%, transparent);
    border-left: 3px solid var(--warning-color, #f59e0b);
  }
  .scan {
    padding: 0 16px 12px;
  }
  .scan-text {
    font-size: 0.85rem;
    color: var(--secondary-text-color, #727272);
    margin-bottom: 4px;
  }
  .scan-track {
    height: 6px;
    border-radius: 999px;
    background: var(--divider-color, rgba(127, 127, 127, 0.25));
    overflow: hidden;
  }
  .scan-fill {
    height: 100%;
    border-radius: 999px;
    background: var(--primary-color, #03a9f4);
    transition: width 0.4s ease;
  }
  .scan-fill.indeterminate {
    opacity: 0.6;
  }
  .summary {
    display: grid;
    grid-template-columns: repeat(4, minmax(0, 1fr));
    gap: 8px;
    padding: 0 16px 12px;
  }
  .tile {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 2px;
    padding: 10px 12px;
    border-radius: 10px;
    background: var(--lsn-surface);
    border: none;
    color: inherit;
    font: inherit;
    text-align: left;
    cursor: pointer;
    min-width: 0;
  }
  .tile[aria-pressed='true'] {
    outline: 2px solid var(--tile-color, var(--lsn-accent));
    outline-offset: -2px;
  }
  .tile .value {
    font-size: 1.5rem;
    font-weight: 600;
    line-height: 1.2;
    color: var(--tile-color, var(--primary-text-color, #212121));
    font-variant-numeric: tabular-nums;
  }
  .tile .label {
    font-size: 0.75rem;
    color: var(--lsn-muted);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    max-width: 100%;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 0 16px 8px;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
  }
  .chip {
    padding: 4px 10px;
    border-radius: 16px;
    border: 1px solid var(--lsn-divider);
    background: transparent;
    color: var(--primary-text-color, #212121);
    font: inherit;
    font-size: 0.8rem;
    cursor: pointer;
    white-space: nowrap;
  }
  .chip .n {
    color: var(--lsn-muted);
    margin-left: 4px;
    font-variant-numeric: tabular-nums;
  }
  .chip[aria-pressed='true'] {
    background: color-mix(in srgb, var(--lsn-accent) 16%, transparent);
    border-color: color-mix(in srgb, var(--lsn-accent) 55%, transparent);
    color: var(--lsn-accent);
  }
  .chip[aria-pressed='true'] .n {
    color: inherit;
  }
  .search-row {
    display: flex;
    gap: 8px;
    padding: 0 16px 8px;
  }
  input[type='search'],
  select {
    box-sizing: border-box;
    height: 34px;
    padding: 0 10px;
    border-radius: 8px;
    border: 1px solid var(--lsn-divider);
    background: var(--lsn-surface);
    color: var(--primary-text-color, #212121);
    font: inherit;
    font-size: 0.875rem;
  }
  input[type='search'] {
    flex: 1;
    min-width: 0;
  }
  input[type='search']::placeholder {
    color: var(--lsn-muted);
  }
  input:focus-visible,
  select:focus-visible,
  .chip:focus-visible,
  .tile:focus-visible,
  .row:focus-visible {
    outline: 2px solid var(--lsn-accent);
    outline-offset: 1px;
  }
  select option {
    background: var(--card-background-color, #fff);
    color: var(--primary-text-color, #212121);
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0 8px 8px;
  }
  li {
    /* long lists: the browser skips style/layout of rows that are off screen */
    content-visibility: auto;
    contain-intrinsic-size: auto 52px;
  }
  .compact li {
    contain-intrinsic-size: auto 36px;
  }
  .row {
    display: flex;
    align-items: center;
    gap: 12px;
    width: 100%;
    box-sizing: border-box;
    padding: 8px;
    border: none;
    border-radius: 8px;
    background: transparent;
    color: inherit;
    font: inherit;
    text-align: left;
    cursor: pointer;
  }
  .row:hover {
    background: var(--lsn-surface);
  }
  .main {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
  }
  .kind-icon {
    flex: none;
    color: var(--secondary-text-color, #6b7280);
  }
  .offline .kind-icon {
    opacity: 0.55;
  }
  .name {
    display: flex;
    align-items: center;
    gap: 6px;
    min-width: 0;
    font-size: 0.95rem;
    font-weight: 500;
  }
  .name .text {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .new-tag {
    flex: none;
    padding: 0 6px;
    border-radius: 6px;
    font-size: 0.65rem;
    font-weight: 600;
    letter-spacing: 0.04em;
    text-transform: uppercase;
    line-height: 16px;
    color: var(--text-primary-color, #fff);
    background: var(--lsn-accent);
  }
  .sub {
    font-size: 0.8rem;
    color: var(--lsn-muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .sub .ip {
    font-family: var(--ha-font-family-code, ui-monospace, SFMono-Regular, Menlo, monospace);
    font-size: 0.78rem;
  }
  .side {
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    gap: 4px;
    flex: none;
  }
  .seen {
    font-size: 0.75rem;
    color: var(--lsn-muted);
    white-space: nowrap;
  }
  .offline .name {
    color: var(--lsn-muted);
  }
  .compact .row {
    padding: 4px 8px;
    gap: 10px;
  }
  .compact .name {
    font-size: 0.875rem;
  }
  .compact .side {
    flex-direction: row-reverse;
    align-items: center;
    gap: 8px;
  }
  .compact .risk-badge {
    min-width: 62px;
    justify-content: center;
    box-sizing: border-box;
  }
  .compact .summary .value {
    font-size: 1.2rem;
  }
  .compact .tile {
    padding: 6px 10px;
  }
  .empty {
    padding: 24px 16px 28px;
    text-align: center;
    color: var(--lsn-muted);
    font-size: 0.9rem;
  }
  .more {
    display: block;
    margin: 0 auto 12px;
    padding: 6px 14px;
    border: none;
    border-radius: 16px;
    background: transparent;
    color: var(--lsn-accent);
    font: inherit;
    font-size: 0.85rem;
    cursor: pointer;
  }
  .more:hover {
    background: color-mix(in srgb, var(--lsn-accent) 10%, transparent);
  }
  @container (max-width: 380px) {
    .summary {
      grid-template-columns: repeat(2, minmax(0, 1fr));
    }
  }
`;
