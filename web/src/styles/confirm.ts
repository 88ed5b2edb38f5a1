/**
 * Styles shared by the small confirmation surfaces: a modal dialog with a title, text and a row
 * of buttons, and an inline warning box with its buttons. Components add their own layout
 * (width, spacing) after these.
 */
import { css } from 'lit';

/** A modal `<dialog>` (width set by the component), its backdrop, and its row of buttons. */
export const dialogStyles = css`
  dialog {
    padding: 18px 20px 14px;
    border: 1px solid var(--pc-border);
    border-radius: var(--pc-radius);
    background: var(--pc-bg);
    color: var(--pc-text);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  dialog .buttons {
    justify-content: flex-end;
  }
`;

/** A row of buttons, the destructive one marked `danger`, and an inline warning box. */
export const choiceStyles = css`
  .buttons {
    display: flex;
    gap: 10px;
    flex-wrap: wrap;
  }
  button.danger {
    background: var(--pc-danger);
    color: var(--pc-bg);
    border-color: transparent;
    font-weight: 600;
  }
  .warning {
    display: grid;
    gap: 12px;
    padding: 12px;
    border-radius: 10px;
    background: var(--pc-warn-bg);
    color: var(--pc-warn-text);
  }
`;

/**
 * A tall modal `<dialog>` whose `.body` scrolls when the screen is short (the verify dialog, the
 * restore dialog): at most 92% of the viewport high, body padded, title as an `h2`. The component
 * sets the width.
 */
export const scrollingDialogStyles = css`
  dialog {
    max-height: 92dvh;
    padding: 0;
    border: 1px solid var(--pc-border);
    border-radius: var(--pc-radius);
    background: var(--pc-bg);
    color: var(--pc-text);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  /* Only when open: a closed dialog must keep the UA's display: none. */
  dialog[open] {
    display: flex;
    flex-direction: column;
  }
  .body {
    flex: 1 1 auto;
    min-height: 0;
    overflow-y: auto;
    padding: 18px 20px 16px;
    display: grid;
  }
  h2 {
    margin: 0;
    font-size: 1.2rem;
    overflow-wrap: anywhere;
  }
`;
