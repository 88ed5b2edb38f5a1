import { css } from 'lit';

/**
 * The message actions on a bubble: its "⋯" button in a gutter beside it (inside the item, whose
 * paint is contained: content-visibility), the reply quote above the text, the reaction chips
 * under it, the "edited" mark, a deleted message's line, and the menu row under the message.
 * The bubble's background is drawn by ::before so the gutter stays clear.
 */
export const messageActionStyles = css`
  li.msg,
  li.msg.out {
    position: relative;
    isolation: isolate;
    background: transparent;
  }
  li.msg::before {
    content: '';
    position: absolute;
    inset: 0;
    z-index: -1;
    border-radius: var(--pc-radius);
    background: var(--pc-bubble-in);
  }
  li.msg.out::before {
    background: var(--pc-bubble-out);
  }
  li.msg.has-more {
    max-width: min(88%, 612px);
  }
  li.msg.has-more.in {
    padding-right: 64px;
  }
  li.msg.has-more.in::before {
    right: 52px;
  }
  li.msg.has-more.out {
    padding-left: 64px;
  }
  li.msg.has-more.out::before {
    left: 52px;
  }
  li.msg.highlight {
    outline: none;
  }
  li.msg.highlight::before {
    box-shadow: inset 0 0 0 3px var(--pc-accent), 0 0 0 3px var(--pc-accent);
  }
  .from {
    order: -2;
  }
  .more {
    position: absolute;
    top: 0;
    width: 44px;
    height: 44px;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: transparent;
    color: var(--pc-muted);
    font-size: 1.25rem;
    line-height: 1;
  }
  .more:focus-visible {
    outline-offset: -3px;
  }
  li.msg.in .more {
    right: 4px;
  }
  li.msg.out .more {
    left: 4px;
  }
  /* A pointer that hovers: the button shows on hover or focus (always on touch screens). */
  @media (hover: hover) and (pointer: fine) {
    li.msg:not(:hover):not(:focus-within):not(.menu-open) .more {
      opacity: 0;
    }
  }
  .quote {
    order: -1;
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 1px;
    min-height: 44px;
    max-width: 100%;
    margin: 2px 0 6px;
    padding: 4px 10px;
    border: none;
    border-left: 3px solid currentColor;
    border-radius: 6px;
    background: rgb(0 0 0 / 0.07);
    color: inherit;
    text-align: start;
    white-space: normal;
    font-size: 0.85rem;
  }
  li.msg.out .quote {
    background: rgb(0 0 0 / 0.2);
  }
  .quote.deleted {
    font-style: italic;
    justify-content: center;
  }
  .quote-author {
    font-weight: 600;
    font-size: 0.8rem;
  }
  .quote-text {
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
  }
  .edited {
    font-style: italic;
  }
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    margin: 2px -4px -6px;
  }
  .chip {
    min-height: 44px;
    min-width: 44px;
    padding: 0 2px;
    border: none;
    background: transparent;
    color: inherit;
  }
  .chip .pill {
    display: inline-block;
    padding: 2px 8px;
    border-radius: 999px;
    border: 1px solid currentColor;
    background: var(--pc-bg);
    color: var(--pc-text);
    font-size: 0.9rem;
  }
  .chip.mine .pill {
    border-color: var(--pc-accent);
    box-shadow: inset 0 0 0 1px var(--pc-accent);
  }
  li.menu-row {
    align-self: flex-start;
    max-width: min(100%, 420px);
  }
  li.menu-row.out {
    align-self: flex-end;
  }
`;
