import { css } from 'lit';

/** Shared look for every page: cards, buttons, forms, tables. Colours come from app.css tokens. */
export const baseStyles = css`
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  :host {
    display: block;
    color: var(--ls-text);
    font-family: var(--ls-font);
  }
  h1 {
    font-size: 1.35rem;
    margin: 0 0 0.75rem;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  h2 {
    font-size: 1.05rem;
    margin: 0 0 0.6rem;
    font-weight: 600;
  }
  a {
    color: var(--ls-accent);
    text-decoration: none;
  }
  a:hover {
    text-decoration: underline;
  }
  .muted {
    color: var(--ls-muted);
  }
  .mono {
    font-family: var(--ls-mono);
    font-size: 0.92em;
  }
  .card {
    background: var(--ls-surface);
    border: 1px solid var(--ls-border);
    border-radius: var(--ls-radius);
    box-shadow: var(--ls-shadow);
    padding: 1rem;
    margin-bottom: 1rem;
    min-width: 0;
  }
  .grid {
    display: grid;
    align-items: start;
    gap: 1rem;
    grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .spacer {
    flex: 1;
  }
  button,
  .button {
    font: inherit;
    font-size: 0.92rem;
    border: 1px solid var(--ls-border);
    background: var(--ls-surface-2);
    color: var(--ls-text);
    border-radius: 6px;
    padding: 0.4rem 0.8rem;
    cursor: pointer;
    min-height: 2.1rem;
    white-space: nowrap;
  }
  button:hover:not([disabled]) {
    border-color: var(--ls-accent);
  }
  button.primary {
    background: var(--ls-accent);
    color: var(--ls-accent-text);
    border-color: var(--ls-accent);
  }
  button.danger {
    background: var(--ls-bad-bg);
    color: var(--ls-bad);
    border-color: var(--ls-bad);
  }
  button[aria-pressed='true'] {
    background: var(--ls-info-bg);
    color: var(--ls-info);
    border-color: var(--ls-info);
  }
  button[disabled] {
    opacity: 0.55;
    cursor: default;
  }
  button:focus-visible,
  a:focus-visible,
  input:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--ls-accent);
    outline-offset: 1px;
  }
  input,
  select,
  textarea {
    font: inherit;
    font-size: 0.95rem;
    color: var(--ls-text);
    background: var(--ls-surface);
    border: 1px solid var(--ls-border);
    border-radius: 6px;
    padding: 0.4rem 0.55rem;
    min-height: 2.1rem;
    max-width: 100%;
  }
  label {
    font-size: 0.9rem;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.92rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.45rem 0.5rem;
    border-bottom: 1px solid var(--ls-border);
    vertical-align: top;
    overflow-wrap: anywhere;
  }
  td.mono,
  .nowrap {
    white-space: nowrap;
    overflow-wrap: normal;
  }
  th {
    white-space: nowrap;
    font-weight: 600;
    color: var(--ls-muted);
    font-size: 0.82rem;
    text-transform: uppercase;
    letter-spacing: 0.03em;
  }
  tbody tr:hover {
    background: var(--ls-surface-2);
  }
  dl.facts {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.3rem 1rem;
    margin: 0;
  }
  dl.facts dt {
    color: var(--ls-muted);
  }
  dl.facts dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .tag {
    display: inline-block;
    font-size: 0.78rem;
    padding: 0.05rem 0.45rem;
    border-radius: 999px;
    background: var(--ls-neutral-bg);
    color: var(--ls-text);
    white-space: nowrap;
  }
  .tag.ok {
    background: var(--ls-ok-bg);
    color: var(--ls-ok);
  }
  .tag.warn {
    background: var(--ls-warn-bg);
    color: var(--ls-warn);
  }
  .tag.bad {
    background: var(--ls-bad-bg);
    color: var(--ls-bad);
  }
  .tag.info {
    background: var(--ls-info-bg);
    color: var(--ls-info);
  }
  /* plain-span risk/severity badge (cheap enough for 500-row tables; same look as <ls-badge>) */
  .badge {
    display: inline-block;
    font-size: 0.78rem;
    font-weight: 600;
    line-height: 1.5;
    padding: 0 0.5rem;
    border-radius: 999px;
    white-space: nowrap;
    border: 1px solid transparent;
    background: var(--ls-neutral-bg);
    color: var(--ls-muted);
  }
  .badge.unknown {
    background: transparent;
    border: 1px dashed var(--ls-border);
    color: var(--ls-muted);
    font-style: italic;
  }
  .badge.info,
  .badge.low {
    background: var(--ls-info-bg);
    color: var(--ls-info);
  }
  .badge.medium {
    background: var(--ls-warn-bg);
    color: var(--ls-warn);
  }
  .badge.high {
    background: var(--ls-bad-bg);
    color: var(--ls-bad);
    border-color: var(--ls-bad);
  }
  .badge.critical {
    background: var(--ls-crit-bg);
    color: var(--ls-crit);
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .list li {
    padding: 0.45rem 0;
    border-bottom: 1px solid var(--ls-border);
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
    flex-wrap: wrap;
    overflow-wrap: anywhere;
  }
  .list li.change {
    display: grid;
    grid-template-columns: auto 1fr auto;
    gap: 0.15rem 0.5rem;
    align-items: baseline;
  }
  .list li.change .msg {
    grid-column: 1 / -1;
    color: var(--ls-text);
  }
  /* summaries (overview): two lines a change, the whole text on the change list and in the tooltip */
  .list li.change .msg.clamp {
    display: -webkit-box;
    -webkit-line-clamp: 2;
    line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
  }
  .list li.change .who {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .list li:last-child {
    border-bottom: none;
  }
  .error-banner {
    background: var(--ls-bad-bg);
    color: var(--ls-bad);
    border: 1px solid var(--ls-bad);
    border-radius: 6px;
    padding: 0.5rem 0.75rem;
    margin-bottom: 0.75rem;
  }
  .table-wrap {
    overflow-x: auto;
  }
  /* an inline "are you sure" box under the button that opened it (forget, merge, split) */
  .confirm {
    background: var(--ls-bad-bg);
    border: 1px solid var(--ls-bad);
    color: var(--ls-text);
    border-radius: 6px;
    padding: 0.6rem 0.75rem;
    margin-top: 0.75rem;
  }
  @media (max-width: 600px) {
    .card {
      padding: 0.75rem;
    }
    .grid {
      grid-template-columns: 1fr;
    }
  }
`;

/**
 * The bar of filters above a list (`.toolbar`: search field, selects, actions) and the pager under it
 * (`.pager`, see `pager()` in fragments.ts): one look on every list page.
 */
export const toolbarStyles = css`
  .toolbar,
  .pager {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin-bottom: 0.75rem;
  }
  .toolbar input[type='search'] {
    flex: 1 1 220px;
    min-width: 0;
  }
  /* a phone: "21–40 of 97" on a line of its own, the controls together under it */
  @media (max-width: 600px) {
    .pager > .muted:first-child {
      flex: 1 0 100%;
    }
  }
`;
