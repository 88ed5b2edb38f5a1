/**
 * The side lists (contacts, groups, requests): a small uppercase section heading, a plain list,
 * and rows that are one big button, tinted on hover and marked with an accent edge when they are
 * the open conversation. Each list lays out its own row's content.
 */
import { css } from 'lit';

export const listRowStyles = css`
  h2 {
    font-size: 0.85rem;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--pc-muted);
    margin: 16px 16px 8px;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0 8px 8px;
  }
  button.row {
    text-align: left;
    min-height: 56px;
    border: none;
    border-radius: 10px;
    background: transparent;
  }
  button.row:hover {
    background: var(--pc-surface);
  }
  button.row[aria-current='true'] {
    background: var(--pc-surface);
    box-shadow: inset 3px 0 0 var(--pc-accent);
  }
`;
